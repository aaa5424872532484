"""IMDb GraphQL queries, one `.graphql` file each, so that a change on IMDb's side is an edit.

`load_query(name, folder)` reads `NAME.graphql` from `folder` (the `IMDB_GRAPHQL_QUERIES_DIR` setting) or,
when that folder lacks it, from this package, and appends the fragments of `fragments.graphql` that the query
spreads, directly or through other fragments (GraphQL rejects a document with an unused fragment).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

PACKAGED = resources.files(__name__)  # read through importlib.resources: works from a zipped scrapyd egg too
_FRAGMENT = re.compile(r"^fragment\s+(\w+)\s+on\s+\w+", re.M)
_SPREAD = re.compile(r"\.\.\.\s*(\w+)")


def _read(name: str, folder: str | None) -> str:
    for base in ([Path(folder)] if folder else []) + [PACKAGED]:
        path = base / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(f"no GraphQL file {name} in {folder or PACKAGED}")


def _fragments(text: str) -> dict[str, str]:
    """Fragment name → its definition, from a fragments file."""
    starts = list(_FRAGMENT.finditer(text))
    found = {}
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        body = text[match.start():end]
        found[match.group(1)] = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith("#")).strip()
    return found


@lru_cache(maxsize=64)
def load_query(name: str, folder: str | None = None) -> str:
    """The document to POST for operation `name`: the query and the fragments it needs."""
    query = _read(f"{name}.graphql", folder)
    try:
        available = _fragments(_read("fragments.graphql", folder))
    except FileNotFoundError:
        available = {}
    needed: list[str] = []
    pending = _SPREAD.findall(query)
    while pending:
        spread = pending.pop()
        if spread in available and spread not in needed:
            needed.append(spread)
            pending.extend(_SPREAD.findall(available[spread]))
    return "\n".join([query.strip(), *(available[n] for n in needed)]) + "\n"
