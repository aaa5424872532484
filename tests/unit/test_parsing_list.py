"""List page parsing on fixture pages of every layout, without a crawler."""

import json

import pytest

from cinegraph_scrapy.parsing import NoDataError, parse_list_page
from tests.support.pages import Film, jsonld_list_page, legacy_list_page, next_list_page

FILMS = [
    Film("tt0111161", "The Shawshank Redemption", 1994, description="[1995]: Best Picture nominee"),
    Film("tt0068646", "The Godfather", 1972),
    Film("tt0050083", "12 Angry Men", 1957, original_title="Twelve Angry Men"),
]


def test_next_data_layout_reads_every_field():
    page = parse_list_page(next_list_page(FILMS, total=503, has_next=True, start=251, name="Top"), page=2)
    assert page.layout == "next_data"
    assert page.total == 503 and page.has_next is True and page.name == "Top"
    assert [(e.imdb_id, e.position, e.year) for e in page.entries] == [
        ("tt0111161", 251, 1994), ("tt0068646", 252, 1972), ("tt0050083", 253, 1957)]
    assert page.entries[0].notes == "[1995]: Best Picture nominee"
    assert page.entries[2].title == "12 Angry Men" and page.entries[2].original_title == "Twelve Angry Men"


def test_next_data_nulls_do_not_break_parsing():
    data = {"props": {"pageProps": {"mainColumnData": {"list": {"name": None, "titleListItemSearch": {
        "total": 2, "pageInfo": None, "edges": [
            {"node": {"absolutePosition": None, "description": None},
             "listItem": {"id": "tt0000001", "titleText": None, "originalTitleText": {"text": "Orig"},
                          "releaseYear": None}},
            {"node": None, "listItem": {"id": "tt0000002", "titleText": {"text": "B"}, "releaseDate": {"year": 1901}}},
        ]}}}}}}
    body = f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script>'
    page = parse_list_page(body)
    assert page.has_next is None
    first, second = page.entries
    assert (first.title, first.original_title, first.year, first.position) == (None, "Orig", None, 1)
    assert (second.title, second.year, second.position) == ("B", 1901, 2)


def test_json_ld_layout():
    page = parse_list_page(jsonld_list_page(FILMS))
    assert page.layout == "json_ld"
    assert [e.imdb_id for e in page.entries] == ["tt0111161", "tt0068646", "tt0050083"]
    assert page.entries[0].year == 1994 and page.entries[0].position == 1
    assert page.entries[0].notes == "[1995]: Best Picture nominee"


def test_legacy_html_layout():
    page = parse_list_page(legacy_list_page(FILMS, total=1260, has_next=True, start=101), page=2)
    assert page.layout == "legacy_html"
    assert page.total == 1260 and page.has_next is True
    assert [(e.imdb_id, e.title, e.year, e.position) for e in page.entries][0] == (
        "tt0111161", "The Shawshank Redemption", 1994, 101)
    assert page.entries[0].notes == "[1995]: Best Picture nominee"


def test_react_dom_fallback():
    body = ('<ul><li class="ipc-metadata-list-summary-item"><a href="/title/tt0111161/"><h3>1. The Shawshank '
            'Redemption</h3></a><span class="dli-title-metadata-item">1994</span></li></ul>')
    page = parse_list_page(body)
    assert page.layout == "react_html"
    assert (page.entries[0].imdb_id, page.entries[0].title, page.entries[0].position, page.entries[0].year) == (
        "tt0111161", "The Shawshank Redemption", 1, 1994)


def test_next_data_preferred_over_json_ld():
    body = next_list_page(FILMS[:1], total=1, has_next=False).replace(
        "</head>", jsonld_list_page(FILMS).split("<head>")[1].split("</head>")[0] + "</head>")
    assert parse_list_page(body).layout == "next_data"


@pytest.mark.parametrize("body", [
    "<html><body>We changed everything</body></html>",
    "",
    '<script id="__NEXT_DATA__" type="application/json">{"props": {"pageProps": {}}}</script>',
])
def test_page_without_data_is_an_error(body):
    with pytest.raises(NoDataError):
        parse_list_page(body)


def test_truncated_next_data_is_an_error():
    body = next_list_page(FILMS, total=3, has_next=False)
    with pytest.raises(NoDataError, match="truncated"):
        parse_list_page(body[: len(body) // 2])


def test_graphql_answer_whose_lists_are_other_json_types():
    """edges or errors spelled as a bool or a number: no entries / no errors, never a TypeError."""
    from cinegraph_scrapy.parsing.imdb_graphql import parse_list_items

    answer = {"errors": 5, "data": {"list": {"titleListItemSearch": {
        "total": 1260, "pageInfo": {"hasNextPage": False, "endCursor": None}, "edges": True}}}}
    page = parse_list_items(json.dumps(answer), offset=250)
    assert (page.entries, page.total, page.has_next, page.errors) == ([], 1260, False, ["unnamed error"])
    answer["data"]["list"]["titleListItemSearch"]["edges"] = [
        {"node": {"absolutePosition": 251}, "title": {"id": "tt0111161", "titleText": {"text": "A"}}}]
    assert [(e.imdb_id, e.position) for e in parse_list_items(json.dumps(answer), offset=250).entries] == [
        ("tt0111161", 251)]
