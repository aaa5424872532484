"""Event page parsing on fixture pages of every layout, without a crawler."""

import json

import pytest

from cinegraph_scrapy.parsing import NoDataError, parse_event_page
from tests.support.events import (VENICE_NOMINATIONS, VENICE_WINNERS, venice_awards)
from tests.support.pages import Award, Category, Film, Nom, Person, legacy_event_page, next_event_page


def test_festival_with_null_categories_and_repeated_category_names():
    page = parse_event_page(next_event_page(venice_awards(), event_name="Venice Film Festival",
                                            event_id="ev0000681", year=2024))
    assert page.layout == "next_data"
    assert (page.event_name, page.year, page.instance) == ("Venice Film Festival", 2024, 1)
    assert len(page.nominations) == VENICE_NOMINATIONS and page.winners == VENICE_WINNERS
    golden = page.nominations[0]
    assert (golden.award_name, golden.category, golden.won) == ("Golden Lion", "Golden Lion", True)
    assert [f.imdb_id for f in golden.films] == ["tt14444726"]
    assert golden.films[0].original_title == "La habitación de al lado"
    assert [p.imdb_id for p in golden.people] == ["nm0000264"]
    pairs = {(n.award_name, n.category) for n in page.nominations}
    assert ("Orizzonti Award", "Best Film") in pairs and ("Lion of the Future", "Best Film") in pairs
    lifetime = [n for n in page.nominations if n.award_name.endswith("Lifetime Achievement")][0]
    assert lifetime.films == [] and lifetime.people[0].name == "Sigourney Weaver"
    mention = [n for n in page.nominations if n.notes][0]
    assert (mention.notes, mention.won) == ("Special mention", False)


def test_award_show_acting_category_merges_primary_and_secondary():
    best_picture = Nom(won=True, titles=[Film("tt15239678", "Oppenheimer", 2023)],
                       secondary_names=[Person("nm0858799", "Emma Thomas"), Person("nm0634240", "Christopher Nolan")])
    actress = Nom(won=False, names=[Person("nm2225369", "Emma Stone")],
                  secondary_titles=[Film("tt14230458", "Poor Things", 2023)])
    awards = [Award("Oscar", [Category("Best Picture", [best_picture]), Category("Best Actress", [actress])])]
    page = parse_event_page(next_event_page(awards, event_name="Academy Awards, USA", event_id="ev0000003", year=2024))
    picture, lead = page.nominations
    assert [f.imdb_id for f in picture.films] == ["tt15239678"]
    assert [p.imdb_id for p in picture.people] == ["nm0858799", "nm0634240"]
    assert [f.imdb_id for f in lead.films] == ["tt14230458"] and lead.films[0].year is None  # real event titles carry no releaseYear
    assert [p.name for p in lead.people] == ["Emma Stone"] and lead.won is False


def test_has_next_page_is_reported():
    awards = [Award("Oscar", [Category("Best Picture", [Nom(titles=[Film("tt0000001", "A")])], has_next=True)])]
    page = parse_event_page(next_event_page(awards, event_name="X", event_id="ev0000003", year=2024))
    assert page.truncated_categories == ["Oscar / Best Picture"]


def test_legacy_widget_layout():
    awards = [Award("Palme d'Or", [Category(None, [Nom(won=True, titles=[Film("tt0110912", "Pulp Fiction")],
                                                       names=[Person("nm0000233", "Quentin Tarantino")])])]),
              Award("Grand Prix", [Category("None", [Nom(won=True, titles=[Film("tt0111495", "Burnt by the Sun")])])])]
    page = parse_event_page(legacy_event_page(awards, event_name="Cannes Film Festival", year=1994))
    assert page.layout == "legacy_widget"
    assert [(n.award_name, n.category, n.won) for n in page.nominations] == [
        ("Palme d'Or", "Palme d'Or", True), ("Grand Prix", "Grand Prix", True)]
    assert page.nominations[0].films[0].title == "Pulp Fiction"
    assert page.nominations[0].people[0].imdb_id == "nm0000233"


def test_legacy_html_layout():
    body = """<html><body><h1>Cannes 1994</h1>
    <div class="event-widgets__award"><div class="event-widgets__award-name">Palme d'Or</div>
      <div class="event-widgets__award-category"><div class="event-widgets__award-category-name"></div>
        <div class="event-widgets__award-nomination"><span class="event-widgets__winner-badge">Winner</span>
          <span class="event-widgets__nominee-name"><a href="/title/tt0110912/">Pulp Fiction</a></span>
          <span class="event-widgets__nominee-name"><a href="/name/nm0000233/">Quentin Tarantino</a></span>
        </div>
        <div class="event-widgets__award-nomination">
          <span class="event-widgets__nominee-name"><a href="/title/tt0110413/">Léon</a></span></div>
      </div></div></body></html>"""
    page = parse_event_page(body)
    assert page.layout == "legacy_html"
    assert [(n.category, n.won, [f.imdb_id for f in n.films]) for n in page.nominations] == [
        ("Palme d'Or", True, ["tt0110912"]), ("Palme d'Or", False, ["tt0110413"])]
    assert page.nominations[0].people[0].name == "Quentin Tarantino"


def test_notes_in_every_text_shape():
    data = {"props": {"pageProps": {"editionInfo": {"year": 2024}, "edition": {"awards": [{"text": "A", "nominationCategories": {"edges": [
        {"node": {"category": None, "nominations": {"edges": [
            {"node": {"isWinner": True, "notes": "plain", "awardedEntities": {"awardTitles": [{"title": {"id": "tt0000001"}}]}}},
            {"node": {"isWinner": None, "notes": {"plaidHtml": "<i>html</i>"}, "awardedEntities": {"awardTitles": [{"title": {"id": "tt0000002"}}]}}},
            {"node": {"isWinner": False, "notes": {"text": "t"}, "awardedEntities": None}},
        ]}}}]}}]}}}}
    page = parse_event_page(f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script>')
    assert [(n.notes, n.won, len(n.films)) for n in page.nominations] == [("plain", True, 1), ("html", False, 1), ("t", False, 0)]


def test_event_structure_without_nominations_is_an_error():
    body = next_event_page([Award("Golden Lion", [Category(None, [])])], event_name="V", event_id="ev0000681", year=2024)
    with pytest.raises(NoDataError, match="0 nominations"):
        parse_event_page(body)


@pytest.mark.parametrize("body", ["<html><body>Nothing here</body></html>",
                                  "<script>IMDbReactWidgets.NomineesWidget.push(['x', {\"nominees"])
def test_unknown_or_broken_layout_is_an_error(body):
    with pytest.raises(NoDataError):
        parse_event_page(body)


def _widget(obj) -> str:
    return "<html><script>IMDbReactWidgets.NomineesWidget.push(['center-3-react', %s]);</script></html>" % json.dumps(obj)


def test_lists_spelled_as_other_json_types_are_read_as_absent():
    """Found by mutating the real captures: a list the page spells as a number, a bool or an object is
    no list (nothing in it), never a TypeError that fails the page with a traceback."""
    good = {"isWinner": True, "primaryNominees": [{"const": "tt0111161", "name": "A Film"}],
            "secondaryNominees": 1.5, "songNames": {"x": 1}}
    page = parse_event_page(_widget({"nomineesWidgetModel": {"eventEditionSummary": {"year": 2019, "awards": [
        {"awardName": "Golden Lion", "categories": [{"categoryName": None, "nominations": True},
                                                    {"categoryName": "Best Film", "nominations": [good]}]},
        {"awardName": "Other", "categories": 7}]}}}))
    assert [(n.category, n.won, [f.imdb_id for f in n.films], n.people) for n in page.nominations] == [
        ("Best Film", True, ["tt0111161"], [])]
    with pytest.raises(NoDataError):  # eventEditionSummary a list: the structure, with nothing in it
        parse_event_page(_widget({"nomineesWidgetModel": {"eventEditionSummary": [1, 2]}}))

    real = json.loads(next_event_page([Award("Oscar", [Category("Best Picture", [
        Nom(titles=[Film("tt15398776", "Oppenheimer")], won=True)])])], event_name="Academy Awards", event_id="ev0000003", year=2024)
        .split('type="application/json">', 1)[1].split("</script>", 1)[0])
    node = real["props"]["pageProps"]["edition"]["awards"][0]["nominationCategories"]["edges"][0]["node"]
    node["nominations"]["edges"][0]["node"]["awardedEntities"]["secondaryAwardNames"] = 3
    page = parse_event_page('<script id="__NEXT_DATA__" type="application/json">%s</script>' % json.dumps(real))
    assert [f.imdb_id for f in page.nominations[0].films] == ["tt15398776"] and page.nominations[0].people == []


def test_a_stray_byte_that_is_not_utf8_does_not_lose_the_page():
    body = next_event_page([Award("Oscar", [Category("Best Picture", [
        Nom(titles=[Film("tt15398776", "Oppenheimer")], won=True)])])], event_name="Academy Awards", event_id="ev0000003", year=2024).encode()
    body = body.replace(b"Oppenheimer", b"Oppenh\xffeimer", 1)
    page = parse_event_page(body)
    assert page.nominations[0].films[0].title == "Oppenh\ufffdeimer"
