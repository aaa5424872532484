import pytest

from cinegraph_scrapy.parsing.award_notes import AwardNote, parse_award_note


@pytest.mark.parametrize("text, expected", [
    ("[1994]: Palme d'Or", AwardNote("Palme d'Or", 1994, True)),
    ("[1994]: Best Director", AwardNote("Best Director", 1994, True)),
    ("Palme d'Or winner (Competition).", AwardNote("Palme d'Or", None, True)),
    ("Won Grand Prix (Cannes)", AwardNote("Grand Prix", None, True)),
    ("Nominated for Palme d'Or 2001", AwardNote("Palme d'Or", 2001, False)),
])
def test_award_notes(text, expected):
    assert parse_award_note(text) == expected


@pytest.mark.parametrize("text", [None, "", "   ", "A masterpiece of slow cinema."])
def test_notes_without_awards(text):
    assert parse_award_note(text) is None
