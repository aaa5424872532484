"""Award notes written by list authors ("[1994]: Palme d'Or", "Palme d'Or winner (Competition).",
"Won Grand Prix (Cannes)") → award name, year, won. The raw text is always kept beside the result."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass
class AwardNote:
    award_name: str | None
    year: int | None
    won: bool | None


_YEAR_PREFIX = re.compile(r"^\s*\[?\(?((?:18|19|20)\d\d)\)?\]?\s*[:\-–—]?\s*")
_ANY_YEAR = re.compile(r"\b((?:18|19|20)\d\d)\b")
_WON = re.compile(r"^\s*(?:won|winner(?: of)?)\s*[:\-]?\s*(?:the\s+)?", re.I)
_WINNER_SUFFIX = re.compile(r"\s+(?:winner|award winner|prize winner)\b.*$", re.I)
_NOMINATED = re.compile(r"^\s*(?:nominated|nominee)\s*(?:for)?\s*[:\-]?\s*(?:the\s+)?", re.I)
_TRAILING = re.compile(r"\s*\([^)]*\)\s*\.?\s*$|\s*[.;,]\s*$")


def parse_award_note(text: str | None) -> AwardNote | None:
    """Best-effort structure; None when the note says nothing about an award."""
    if not text or not text.strip():
        return None
    note = text.strip().splitlines()[0].strip()
    year = None
    m = _YEAR_PREFIX.match(note)
    if m:
        year = int(m.group(1))
        note = note[m.end():]
    won: bool | None = None
    if _NOMINATED.match(note):
        won = False
        note = _NOMINATED.sub("", note, count=1)
    elif _WON.match(note):
        won = True
        note = _WON.sub("", note, count=1)
    elif _WINNER_SUFFIX.search(note):
        won = True
        note = _WINNER_SUFFIX.sub("", note)
    elif year is not None:
        won = True  # "[1994]: Palme d'Or" — the list of winners style
    if won is None and year is None:
        return None
    if year is None:
        m = _ANY_YEAR.search(note)
        if m:
            year = int(m.group(1))
            note = (note[: m.start()] + note[m.end():]).strip()
    award = note
    for _ in range(3):
        award = _TRAILING.sub("", award)
    award = award.strip(" :-–—") or None
    if award and len(award) > 120:
        award = None
    if award is None and year is None and won is None:
        return None
    return AwardNote(award_name=award, year=year, won=won)
