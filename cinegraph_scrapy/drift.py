"""The drift guard: a re-import whose page suddenly holds a small part of what the last import stored (a
layout or schema change that parses to a fraction of itself) is not believed. Pure: figures in, a reason out.

An edition is suspect when it parses to far fewer nominations than are stored (under DRIFT_MIN_SHARE of
them), to far fewer categories, or to no winner where a past edition had winners; a list when it announces far
fewer entries than it has stored. Nothing of a suspect page is written and nothing is recorded as gone; the
run ends `suspect` with the figures, and `-a accept=1` writes it anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


class SuspectPage(Exception):
    """The page is far smaller than what is stored: not written (the message names the figures)."""


@dataclass(frozen=True)
class Figures:
    awards: int
    categories: int
    nominations: int
    winners: int

    @classmethod
    def of(cls, nominations: Iterable[tuple[str, str, bool]]) -> "Figures":
        """From (award, category, won) of each distinct nomination."""
        rows = list(nominations)
        return cls(len({a for a, _, _ in rows}), len({(a, c) for a, c, _ in rows}), len(rows),
                   sum(1 for _, _, won in rows if won))

    def describe(self) -> str:
        return (f"{self.awards} award{'s' if self.awards != 1 else ''}, {self.categories} "
                f"categor{'ies' if self.categories != 1 else 'y'} and {self.nominations} nominations "
                f"({self.winners} winners)")


def page_figures(rows) -> Figures:
    """A page's nomination rows (one per nominated film) → its figures, one nomination per nominee of a
    category (won if any of its rows won)."""
    page: dict[tuple[str, str, str], bool] = {}
    for row in rows:
        key = (row.award_name, row.category, row.nominee_key)
        page[key] = page.get(key, False) or row.won
    return Figures.of((award, category, won) for (award, category, _), won in page.items())


def stored_figures(snapshot) -> Figures:
    """What the edition's last import stored (the nominations its last write saw)."""
    return Figures.of((n.award, n.category, n.won) for n in snapshot.nominations.values() if n.seen_last_time)


def edition_drift(parsed: Figures, stored: Figures, *, min_share: float, past_edition: bool) -> str | None:
    """Why this edition's page is not believed, or None."""
    if not stored.nominations:
        return None
    shrunk = parsed.nominations < min_share * stored.nominations
    categories_gone = parsed.categories < min_share * stored.categories
    winners_gone = past_edition and stored.winners > 0 and parsed.winners == 0
    if not (shrunk or categories_gone or winners_gone):
        return None
    why = "winners gone" if winners_gone and not (shrunk or categories_gone) else "a sudden shrink"
    return (f"suspect ({why}): the page gives {parsed.describe()} where the last import stored {stored.describe()}; "
            "nothing of it was written and nothing recorded as gone (-a accept=1 writes it)")


def list_drift(announced: int | None, stored: int, *, min_share: float) -> str | None:
    if not stored or announced is None or announced >= min_share * stored:
        return None
    return (f"suspect (a sudden shrink): the list announces {announced} entries where the last import stored "
            f"{stored}; nothing of it was written and nothing recorded as gone (-a accept=1 writes it)")
