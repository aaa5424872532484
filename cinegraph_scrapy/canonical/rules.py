"""Canonical categories: which of IMDb's award / category names, in which years, are one canonical key
("every Best Picture winner since 1929" is one question although IMDb named it three ways).

Pure: rules in, a key out. The packaged rules (rules.json, per organization) and the vocabulary
(vocabulary.json) are data, so a rename on IMDb's side is an edit. Operator rules (the `category_rules`
table, `scrapy categories map`) are tried first: they win over packaged ones. Within a source, the first rule
that matches wins, so a file lists its exceptions (a rule with `"key": null`) before its general patterns.

A pattern is a regular expression matched against the whole name after both are normalised (case, runs
of whitespace, typographic quotes and dashes). A rule without a category pattern matches a single-category
award only: one whose category name is the award's own (IMDb gives no category name; it is stored as the
award's). Years are inclusive; a missing bound is open.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

PACKAGED, OPERATOR = "packaged", "operator"
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,48}$")
_SPACES = re.compile(r"\s+")
_TRANSLATE = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
                            "\u00a0": " "})


class RuleError(ValueError):
    """A rule that cannot be used (bad pattern, key or years): one line naming it."""


def normalise(name: str | None) -> str:
    """The form names are compared in: lower case, one space between words, plain quotes and dashes."""
    return _SPACES.sub(" ", (name or "").translate(_TRANSLATE)).strip().lower()


def check_key(key: str) -> str:
    if not _KEY.match(key or ""):
        raise RuleError(f"canonical key {key!r} must be lower-case letters, digits and _ (e.g. assistant_director)")
    return key


def _compile(pattern: str, what: str) -> re.Pattern:
    try:
        return re.compile(normalise(pattern))
    except re.error as exc:
        raise RuleError(f"{what} pattern {pattern!r} is not a regular expression ({exc})") from None


@dataclass(frozen=True)
class Rule:
    award: str
    category: str | None
    key: str | None  # None: not canonical (an exception, or an operator's `unmap`)
    year_from: int | None = None
    year_to: int | None = None
    source: str = PACKAGED

    def __post_init__(self):
        if self.key is not None:
            check_key(self.key)
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise RuleError(f"years {self.year_from}-{self.year_to} run backwards")

    @property
    def _award(self) -> re.Pattern:
        return _compiled(self.award, "award")

    def matches(self, award: str, category: str, year: int | None) -> bool:
        if year is not None and ((self.year_from is not None and year < self.year_from)
                                 or (self.year_to is not None and year > self.year_to)):
            return False
        award_n, category_n = normalise(award), normalise(category)
        if not self._award.fullmatch(award_n):
            return False
        if self.category is None:
            return category_n == award_n
        return _compiled(self.category, "category").fullmatch(category_n) is not None

    def describe(self) -> str:
        years = "" if self.year_from is None and self.year_to is None else \
            f" [{self.year_from or ''}-{self.year_to or ''}]"
        return f"{self.award!r} / {self.category!r}{years} → {self.key}"


@lru_cache(maxsize=4096)
def _compiled(pattern: str, what: str) -> re.Pattern:
    return _compile(pattern, what)


def parse_years(spec: str | None) -> tuple[int | None, int | None]:
    """`1929-2004`, `2005-`, `-1954` or `1930` → (from, to)."""
    if not spec:
        return None, None
    match = re.fullmatch(r"\s*(\d{4})?\s*(-)?\s*(\d{4})?\s*", spec)
    if not match or not (match.group(1) or match.group(3)):
        raise RuleError(f"years {spec!r}: give YEAR, YEAR-YEAR, YEAR- or -YEAR")
    first, dash, last = match.groups()
    low, high = (int(first) if first else None), (int(last) if last else None)
    if not dash:
        high = low
    if low is not None and high is not None and low > high:
        raise RuleError(f"years {spec!r} run backwards")
    return low, high


def rule_from(entry: dict[str, Any], source: str = PACKAGED) -> Rule:
    years = entry.get("years")
    low, high = parse_years(years) if isinstance(years, str) else (None, None)
    rule = Rule(entry["award"], entry.get("category"), entry.get("key"), low, high, source)
    _compiled(rule.award, "award")
    if rule.category is not None:
        _compiled(rule.category, "category")
    return rule


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, dict[str, str]]:
    data = json.loads((resources.files(__package__) / "vocabulary.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


@lru_cache(maxsize=1)
def packaged_rules() -> dict[str, tuple[Rule, ...]]:
    """Organization slug → its packaged rules, in file order."""
    data = json.loads((resources.files(__package__) / "rules.json").read_text(encoding="utf-8"))
    return {slug: tuple(rule_from(entry) for entry in entries)
            for slug, entries in data.items() if not slug.startswith("_")}


class RuleBook:
    """The rules of one organization: the operator's first, then the packaged ones."""

    def __init__(self, operator: Iterable[Rule] = (), packaged: Iterable[Rule] = ()):
        self.rules = [*operator, *packaged]

    @classmethod
    def for_organization(cls, slug: str, operator: Iterable[Rule] = ()) -> "RuleBook":
        return cls(operator, packaged_rules().get(slug, ()))

    def match(self, award: str, category: str, year: int | None) -> Rule | None:
        return next((rule for rule in self.rules if rule.matches(award, category, year)), None)
