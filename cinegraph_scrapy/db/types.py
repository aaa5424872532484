"""Column types. `LenientJson` is JSON (JSONB on PostgreSQL) that reads text which is not JSON — possible
in a SQLite file edited by hand — as an `InvalidJson` value instead of raising, so that commands can name
the broken config instead of dying with a traceback."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator


class InvalidJson:
    """Stored text that does not parse as JSON."""

    def __init__(self, raw: str, error: str):
        self.raw, self.error = raw, error

    def __repr__(self) -> str:
        return f"InvalidJson({self.raw[:40]!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InvalidJson) and other.raw == self.raw

    def __hash__(self) -> int:
        return hash(self.raw)


class LenientJson(TypeDecorator):
    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: Any, dialect):
        if dialect.name == "postgresql":
            return value
        if isinstance(value, InvalidJson):
            return value.raw
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def process_result_value(self, value: Any, dialect):
        if dialect.name == "postgresql" or value is None or not isinstance(value, (str, bytes)):
            return value
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            return InvalidJson(value if isinstance(value, str) else value.decode("utf-8", "replace"), exc.msg)
        except (ValueError, RecursionError) as exc:
            return InvalidJson(value if isinstance(value, str) else value.decode("utf-8", "replace"),
                               type(exc).__name__)
