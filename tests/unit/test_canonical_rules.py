"""The packaged canonical-category rules against IMDb's real award and category names over whole histories
(tests/real/award_names/: every edition's names and winning titles) and the real Oscars 2024 capture: each
key gives each ceremony its one winner (ties and IMDb's own splits named below), never a short, a dog or a
special prize."""

from collections import Counter

import pytest

from cinegraph_scrapy.canonical.rules import (PACKAGED, Rule, RuleBook, RuleError, normalise, packaged_rules,
                                              parse_years, vocabulary)
from cinegraph_scrapy.configs import organizations
from cinegraph_scrapy.parsing import parse_event_page
from tests.support.api_data import award_names
from tests.support.real import OSCARS_2024, real_page


def winners_per_edition(slug: str, key: str, since: int = 0, until: int = 9999) -> dict[str, int]:
    """Edition → winning titles of the categories the rules map to `key` (editions with any category)."""
    book = RuleBook.for_organization(slug)
    counts = {}
    for edition, categories in award_names(slug)["editions"].items():
        year = int(edition.split("/")[0])
        if not categories or not since <= year <= until:
            continue
        counts[edition] = sum(len(winners) for award, category, _, winners in categories
                              if (rule := book.match(award, category, year)) and rule.key == key)
    return counts


def off_by(counts: dict[str, int], expected: int = 1) -> dict[str, int]:
    return {edition: n for edition, n in counts.items() if n != expected}


# The one edition of that dataset holding two Oscar ceremonies (IMDb's 1930/2 and 1931 listed as 1931).
MERGED = {"1931/1": 2}


def test_oscars_best_picture_is_one_film_per_ceremony_since_1929():
    counts = winners_per_edition("oscars", "top_prize", until=2026)
    assert off_by(counts) == MERGED
    assert len(counts) >= 97


def test_oscars_directing_and_acting_have_a_winner_every_year_ties_and_1929_named():
    assert off_by(winners_per_edition("oscars", "director", until=2026)) == {"1929/1": 2, **MERGED}  # comedy + drama
    # 1929: Jannings and Gaynor won for several films each; 1932 and 1969 were ties
    assert off_by(winners_per_edition("oscars", "actor", until=2026)) == {"1929/1": 2, "1932/1": 2, **MERGED}
    assert off_by(winners_per_edition("oscars", "actress", until=2026)) == {"1929/1": 3, "1969/1": 2, **MERGED}
    assert off_by(winners_per_edition("oscars", "supporting_actor", since=1937, until=2026)) == {}
    assert off_by(winners_per_edition("oscars", "supporting_actress", since=1937, until=2026)) == {}


def test_oscars_international_and_animated_feature_since_they_exist():
    assert off_by(winners_per_edition("oscars", "international_feature", since=1957, until=2026)) == {}
    assert off_by(winners_per_edition("oscars", "animated_feature", since=2002, until=2026)) == {}
    assert sum(winners_per_edition("oscars", "international_feature", until=1956).values()) == 0


def test_oscars_exceptions_of_1929_and_the_assistant_director_are_not_picture_or_directing():
    book = RuleBook.for_organization("oscars")
    assert book.match("Oscar", "Best Picture, Unique and Artistic Production", 1929) is None
    assert book.match("Oscar", "Best Assistant Director", 1936) is None
    assert book.match("Oscar", "Best Picture, Production", 1929).key == "top_prize"
    assert book.match("Oscar", "Best Director, Comedy Picture", 1929).key == "director"


PALMES_SHARED = {"1961/1", "1966/1", "1972/1", "1973/1", "1979/1", "1980/1", "1982/1", "1993/1", "1997/1"}


def test_cannes_top_prize_is_the_palme_or_the_grand_prix_before_it_never_the_short_or_the_dogs():
    counts = winners_per_edition("cannes", "top_prize")
    assert {e for e, n in counts.items() if n == 2} == PALMES_SHARED | {"1951/1", "1952/1"}
    # 1946: the Grand Prix shared by eleven films; 1951, 1952: shared; 1947: prizes by genre only; 1968,
    # 2020: no festival prize
    assert off_by(counts) == {**{e: 2 for e in PALMES_SHARED}, "1946/1": 11, "1951/1": 2, "1952/1": 2,
                              "1947/1": 0, "1968/1": 0, "2020/1": 0}
    book = RuleBook.for_organization("cannes")
    for award in ("Palme d'Or - Best Short Film", "Palme de Whiskers", "Palme d'Or Spéciale"):
        rule = book.match(award, award, 2018)
        assert rule is None or rule.key != "top_prize", award
    assert book.match("Grand Prize of the Festival", "Grand Prize of the Festival", 1953).key == "top_prize"
    assert book.match("Grand Prize of the Festival", "Grand Prize of the Festival", 2024).key == "grand_prix"


def test_venice_golden_lion_and_berlin_golden_bear_each_year():
    lions = winners_per_edition("venice", "top_prize", since=1949)
    assert off_by(lions) == {"1953/1": 0, "1956/1": 0, "1959/1": 2, "1962/1": 2, "1969/1": 0, "1970/1": 0,
                             "1971/1": 0, "1972/1": 0, "1979/1": 0, "1980/1": 2, "1993/1": 2, "1994/1": 2,
                             "2026/1": 0}  # no Golden Lion 1969-1979; 2026 not yet awarded in the data
    book = RuleBook.for_organization("venice")
    assert book.match("Golden Lion", "Immersive VR", 2018) is None
    assert book.match("Best Short Film", "Golden Lion", 2008).key == "short_film_top_prize"
    bears = winners_per_edition("berlin", "top_prize", since=1952)
    assert {e for e, n in off_by(bears).items() if n == 0} == {"1970/1"}  # the festival broke up without awards
    assert {e for e, n in bears.items() if n == 2} == {"1963/1", "1980/1", "1983/1", "1985/1", "1990/1", "1993/1",
                                                       "2002/1", "2006/1"}


def test_real_oscars_2024_capture_maps_its_competitive_categories():
    page = parse_event_page(real_page(OSCARS_2024))
    book = RuleBook.for_organization("oscars")
    keys = Counter(rule.key for n in page.nominations if n.won and (rule := book.match(n.award_name, n.category, 2024)))
    for key in ("top_prize", "director", "actor", "actress", "supporting_actor", "supporting_actress",
                "international_feature", "animated_feature", "documentary_feature", "original_screenplay",
                "adapted_screenplay", "cinematography", "editing", "original_score", "original_song"):
        assert keys[key] == 1, key


def test_names_are_compared_without_case_or_spacing_and_patterns_fully():
    book = RuleBook.for_organization("oscars")
    assert book.match("OSCAR", "  best   MOTION picture of the year ", 2024).key == "top_prize"
    assert book.match("Oscar", "Best Motion Picture of the Year (special)", 2024) is None
    assert normalise("Palme d\u2019Or \u2013 Best  Short") == "palme d'or - best short"


def test_every_seeded_organization_has_rules_with_vocabulary_keys():
    rules = packaged_rules()
    assert set(organizations()) <= set(rules)
    for slug, org_rules in rules.items():
        assert all(rule.key is None or rule.key in vocabulary() for rule in org_rules), slug
    competitive = {slug for slug, org_rules in rules.items() if org_rules}
    assert set(organizations()) - competitive == {"nyff", "telluride"}  # not competitive festivals
    assert all(entry.get("class") and entry.get("label") for entry in vocabulary().values())


def test_operator_rules_come_first_and_years_bound_them():
    mine = Rule("oscar", "best assistant director", "assistant_director", 1935, 1937, "operator")
    book = RuleBook([mine], packaged_rules()["oscars"])
    assert book.match("Oscar", "Best Assistant Director", 1936).key == "assistant_director"
    assert book.match("Oscar", "Best Assistant Director", 1938) is None
    assert book.match("Oscar", "Best Picture", 1950).source == PACKAGED
    assert parse_years("1929-2004") == (1929, 2004) and parse_years("2005-") == (2005, None)
    with pytest.raises(RuleError):
        parse_years("2004-1929x")
    with pytest.raises(RuleError):
        Rule("a", None, "Not A Key")
