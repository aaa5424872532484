"""Import configurations: resolving spider arguments (`key`, `keys`, `org` + `years`) to validated targets, and
auto-creating event editions and lists on demand (seeding is seeding.py).

Organizations are the seeded ones plus those registered in the database (`scrapy discover ev… --slug`);
callers pass the mapping they know (`organizations.known_organizations`), else the seeded ones apply."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from cinegraph_scrapy.db.models import MovieList
from cinegraph_scrapy.errors import ConfigError
from cinegraph_scrapy.ids import EVENT_ID as _EVENT_ID, LIST, LIST_ID as _LIST_ID

IMDB_HOSTS = {"imdb.com", "www.imdb.com", "m.imdb.com"}
_EVENT_KEY = re.compile(r"^(?P<prefix>[a-z][a-z0-9_]*?)_(?P<year>\d{4})(?:_(?P<instance>[2-9]))?$")
MAX_INSTANCE = 9  # IMDb's second (rarely third) ceremony of a year; more is a typo


@lru_cache(maxsize=1)
def seed_data() -> dict[str, Any]:
    """The packaged seed file (read with importlib.resources: works from a zipped egg too)."""
    text = (resources.files("cinegraph_scrapy.db") / "seeds.json").read_text(encoding="utf-8")
    return json.loads(text)


def organizations() -> dict[str, dict[str, Any]]:
    """The seeded organizations by slug."""
    return {org["slug"]: org for org in seed_data()["organizations"]}


def edition_key(slug: str, year: int, instance: int = 1) -> str:
    """`venice_2024`; a later ceremony of the same year carries its instance: `oscars_1930_2`."""
    return f"{slug}_{year}" if instance == 1 else f"{slug}_{year}_{instance}"


def event_url(base: str, event_id: str, year: int, instance: int) -> str:
    return f"{base.rstrip('/')}/event/{event_id}/{year}/{instance}/"


def list_url(base: str, list_id: str) -> str:
    """The list page. Never with a query string: IMDb answers `?page=N` (and any query) with 403."""
    return f"{base.rstrip('/')}/list/{list_id}/"


def max_plausible_year() -> int:
    return datetime.now(timezone.utc).year + 1


# ------------------------------------------------------------------ seeding


def event_config_row(org: dict[str, Any], year: int, instance: int = 1, key: str | None = None) -> dict[str, Any]:
    key = key or edition_key(org["slug"], year, instance)
    return {
        "source_key": key,
        "name": f"{org['name']} {year}" if instance == 1 else f"{org['name']} {year} ({instance})",
        "source_type": "imdb_event",
        "source_id": org["event_id"],
        "source_url": event_url("https://www.imdb.com", org["event_id"], year, instance),
        "category": "awards",
        "tracks_awards": True,
        "active": True,
        "metadata_": {
            "year": year,
            "instance": instance,
            "organization": org["slug"],
            "organization_name": org["name"],
            "abbreviation": org.get("abbreviation"),
        },
    }


SEEDED_FIELDS = ("name", "source_type", "source_id", "source_url", "category", "tracks_awards", "active", "metadata_")


def seed_fingerprint(values: dict[str, Any]) -> str:
    payload = json.dumps({k: values.get(k) for k in SEEDED_FIELDS}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def create_configs(conn, configs: list[dict[str, Any]]) -> int:
    """Insert config rows (values as event_config_row gives them) that do not exist yet — INSERT … ON
    CONFLICT DO NOTHING, so processes creating the same config at once do not fail — each with the seed
    fingerprint that tells later edits apart. Returns how many this call inserted."""
    from cinegraph_scrapy.db.sqlkit import insert_ignoring_conflicts

    rows = [{("metadata" if k == "metadata_" else k): v for k, v in values.items()}
            | {"seed_hash": values.get("seed_hash") or seed_fingerprint(values)} for values in configs]
    return insert_ignoring_conflicts(conn, MovieList, rows)


# ------------------------------------------------------------------ resolution


@dataclass(frozen=True)
class ImportTarget:
    """A validated configuration, ready to crawl."""

    list_id: int
    source_key: str
    name: str
    source_type: str
    source_id: str
    url: str
    tracks_awards: bool
    metadata: dict[str, Any]
    year: int | None = None
    instance: int = 1
    organization: str | None = None
    created_now: bool = False  # created on demand by this crawl (`-a list=`, `years=`): removed if it fails

    @property
    def is_event(self) -> bool:
        return self.source_type == "imdb_event"


def allowed_hosts(imdb_base_url: str) -> set[str]:
    return IMDB_HOSTS | {(urlsplit(imdb_base_url).hostname or "").lower()}


def validate_config(row: MovieList, imdb_base_url: str) -> ImportTarget:
    """Check a movie_lists row before any request; ConfigError names the key and the field."""
    key = row.source_key
    meta = row.metadata_ if isinstance(row.metadata_, dict) else None
    if meta is None:
        raise ConfigError(f"config {key!r}: metadata must be a JSON object, got {describe_json(row.metadata_)}")
    for name in ("organization", "organization_name", "abbreviation", "render"):
        if meta.get(name) is not None and not isinstance(meta[name], str):
            raise ConfigError(f"config {key!r}: metadata.{name} must be a string, got {meta[name]!r}")
    if row.source_url:
        host = (urlsplit(row.source_url).hostname or "").lower()
        if urlsplit(row.source_url).scheme not in ("http", "https") or host not in allowed_hosts(imdb_base_url):
            raise ConfigError(
                f"config {key!r}: source_url host {host or row.source_url!r} is not IMDb's; refusing to crawl it"
            )
    if row.source_type == "imdb":
        if not row.source_id or not _LIST_ID.match(row.source_id):
            raise ConfigError(f"config {key!r}: source_id {row.source_id!r} is not an IMDb list id (ls…)")
        return ImportTarget(
            list_id=row.id,
            source_key=key,
            name=row.name,
            source_type=row.source_type,
            source_id=row.source_id,
            url=list_url(imdb_base_url, row.source_id),
            tracks_awards=bool(row.tracks_awards),
            metadata=meta,
            organization=meta.get("organization") if isinstance(meta.get("organization"), str) else None,
        )
    if row.source_type == "imdb_event":
        if not row.source_id or not _EVENT_ID.match(row.source_id):
            raise ConfigError(f"config {key!r}: missing or malformed event id {row.source_id!r} (expected ev0000000)")
        year = _int_field(key, meta, "year", required=True)
        if not 1900 <= year <= max_plausible_year():
            raise ConfigError(f"config {key!r}: metadata.year {year} is not a plausible edition year")
        instance = _int_field(key, meta, "instance", required=False)
        instance = 1 if instance is None else instance
        if not 1 <= instance <= MAX_INSTANCE:
            raise ConfigError(f"config {key!r}: metadata.instance must be 1 to {MAX_INSTANCE}, got {instance}")
        return ImportTarget(
            list_id=row.id,
            source_key=key,
            name=row.name,
            source_type=row.source_type,
            source_id=row.source_id,
            url=event_url(imdb_base_url, row.source_id, year, instance),
            tracks_awards=True,
            metadata=meta,
            year=year,
            instance=instance,
            organization=meta.get("organization") if isinstance(meta.get("organization"), str) else None,
        )
    raise ConfigError(f"config {key!r}: unknown source_type {row.source_type!r} (expected imdb or imdb_event)")


def describe_json(value: Any) -> str:
    """What a metadata value is, for messages (InvalidJson says it is not JSON at all)."""
    from cinegraph_scrapy.db.types import InvalidJson

    if isinstance(value, InvalidJson):
        return f"text that is not JSON ({value.error})"
    return type(value).__name__


def _int_field(key: str, meta: dict, name: str, *, required: bool) -> int | None:
    value = meta.get(name)
    if value is None:
        if required:
            raise ConfigError(f"config {key!r}: metadata.{name} is missing")
        return None
    if isinstance(value, bool):
        raise ConfigError(f"config {key!r}: metadata.{name} must be a number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ConfigError(f"config {key!r}: metadata.{name} must be a number, got {value!r}")


def nearest_keys(session: Session, key: str, n: int = 5) -> list[str]:
    keys = list(session.scalars(select(MovieList.source_key)))
    close = difflib.get_close_matches(key, keys, n=n, cutoff=0.5)
    if len(close) < n:
        close += [k for k in sorted(keys) if k.startswith(key.split("_")[0]) and k not in close][: n - len(close)]
    return close


_LIST_REF = re.compile(rf"^(?:https?://(?:www\.|m\.)?imdb\.com)?/?(?:list/)?(?P<id>{LIST})/?(?:[?#].*)?$", re.I)


def list_id_from(ref: str) -> str:
    """`ls123456789` or `https://www.imdb.com/list/ls123456789/` → `ls123456789`."""
    m = _LIST_REF.match((ref or "").strip())
    if m is None:
        raise ConfigError(f"list {ref!r} is not an IMDb list id (ls…) or list URL (https://www.imdb.com/list/ls…/)")
    return m.group("id").lower()


def auto_list_row(key: str) -> dict[str, Any] | None:
    """Any public IMDb list by its id: a config whose key is the list id; the name comes from the page."""
    if not _LIST_ID.match(key):
        return None
    return {
        "source_key": key, "name": key, "source_type": "imdb", "source_id": key,
        "source_url": list_url("https://www.imdb.com", key), "category": "user", "tracks_awards": False,
        "active": True, "metadata_": {"name_from_page": True},
    }


def auto_event_row(key: str, orgs: dict[str, dict[str, Any]] | None = None) -> dict[str, Any] | None:
    """`venice_1999` (or `oscars_1930_2`) → a config row for a known organization and a plausible year."""
    m = _EVENT_KEY.match(key)
    if not m:
        return None
    org = (orgs if orgs is not None else organizations()).get(m.group("prefix"))
    year = int(m.group("year"))
    if org is None or not 1900 <= year <= max_plausible_year():
        return None
    return event_config_row(org, year, int(m.group("instance") or 1))


def load_configs(
    engine: Engine,
    keys: list[str],
    *,
    imdb_base_url: str,
    force: bool = False,
    source_type: str | None = None,
    orgs: dict[str, dict[str, Any]] | None = None,
    create: bool = True,
) -> list[ImportTarget]:
    """Resolve keys to validated targets, creating event editions for known prefixes (and configs for list
    ids) on the fly; `create=False` (a dry run) validates them without writing anything."""
    if not keys:
        raise ConfigError("no configuration key given: use -a key=KEY (see `scrapy lists`)")
    targets: list[ImportTarget] = []
    with Session(engine) as session, session.begin():
        rows = {r.source_key: r for r in session.scalars(select(MovieList).where(MovieList.source_key.in_(keys)))}
        for key in keys:
            row = rows.get(key)
            created = row is None
            if row is None:
                values = auto_event_row(key, orgs) or auto_list_row(key)
                if values is None:
                    near = nearest_keys(session, key)
                    hint = f"; nearest: {', '.join(near)}" if near else ""
                    raise ConfigError(f"unknown config key {key!r}{hint} (run `scrapy lists` for all keys)")
                if create:
                    # Another process may be creating the same edition right now: insert, or take theirs.
                    create_configs(session.connection(), [values])
                    row = session.scalars(select(MovieList).where(MovieList.source_key == key)).one()
                else:
                    row = MovieList(id=0, **values)  # checked, never added to the session
            if source_type and row.source_type != source_type:
                raise ConfigError(
                    f"config {key!r} is a {row.source_type} config; use the "
                    f"{'imdb_event' if row.source_type == 'imdb_event' else 'imdb_list'} spider"
                )
            if not row.active and not force:
                raise ConfigError(f"config {key!r} is inactive; pass -a force=1 to import it anyway")
            target = validate_config(row, imdb_base_url)
            targets.append(replace(target, created_now=True) if created and create else target)
    return targets


def parse_years(spec: str) -> list[int]:
    """"1950-2024", "2020,2022", "2019-2020,2024" → years."""
    years: set[int] = set()
    for part in (spec or "").split(","):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"(\d{4})\s*-\s*(\d{4})", part)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if a > b:
                raise ConfigError(f"years {part!r}: the range runs backwards (did you mean {b}-{a}?)")
            years.update(range(a, b + 1))
        elif re.fullmatch(r"\d{4}", part):
            years.add(int(part))
        else:
            raise ConfigError(f"years {spec!r}: expected YEAR, YEAR-YEAR, a comma-separated mix, or all")
    bad = [y for y in sorted(years) if not 1900 <= y <= max_plausible_year()]
    if bad:
        raise ConfigError(f"years {spec!r}: {bad[0]} is not a plausible edition year (1900-{max_plausible_year()})")
    if not years:
        raise ConfigError("years: no year given (e.g. -a years=2019-2024)")
    return sorted(years)


def wants_all_years(years: str | None) -> bool:
    """`years=all`: discover the organization's editions, then import every one."""
    return (years or "").strip().lower() == "all"


def keys_for(*, key: str | None = None, keys: str | None = None, org: str | None = None, years: str | None = None,
             list_ref: str | None = None, orgs: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """Spider arguments → config keys, in order, without duplicates (`years=all` adds none: discovery does;
    `list=ls…` or a list URL is the list id)."""
    known = orgs if orgs is not None else organizations()
    out: list[str] = []
    if list_ref:
        out.append(list_id_from(list_ref))
    if key:
        out.append(key.strip())
    if keys:
        out.extend(k.strip() for k in keys.split(",") if k.strip())
    if org:
        if org not in known:
            raise ConfigError(f"unknown organization {org!r} (known: {', '.join(sorted(known))}; "
                              "add one with `scrapy discover ev… --slug NAME`)")
        if not years:
            raise ConfigError("-a org=… needs -a years=… (e.g. years=2019-2024, or years=all)")
        if not wants_all_years(years):
            out.extend(f"{org}_{y}" for y in parse_years(years))
    elif years:
        raise ConfigError("-a years=… needs -a org=…")
    return list(dict.fromkeys(out))
