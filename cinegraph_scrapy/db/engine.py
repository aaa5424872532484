"""Engine creation, DATABASE_URL checks and schema upgrades (Alembic, shipped in the package)."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from cinegraph_scrapy.errors import DatabaseError

logger = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite:///cinegraph.db"
SUPPORTED_DRIVERS = {"sqlite", "sqlite+pysqlite", "postgresql+psycopg", "postgresql"}


def resolve_database_url(settings=None) -> str:
    """`-s DATABASE_URL=…` wins over the environment, which wins over the SQLite default. A DATABASE_URL
    that is set but empty is a mistake (an unset variable in a script), not a request for the default."""
    url = settings.get("DATABASE_URL") if settings is not None else None
    if url is None:
        url = os.environ.get("DATABASE_URL")
    if url is None:
        return DEFAULT_DATABASE_URL
    if not str(url).strip():
        raise DatabaseError("DATABASE_URL is set but empty; unset it for the SQLite default "
                            f"({DEFAULT_DATABASE_URL}) or give a database URL")
    return str(url).strip()


def safe_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparsable DATABASE_URL>"


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def get_engine(url: str) -> Engine:
    """One engine per URL per process; checked once (scheme, reachability) with a one-line error."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _create_checked_engine(url)
            _engines[url] = engine
        return engine


def crawl_engine(settings) -> Engine:
    """The crawl's engine: the one the spider opened (and migrated) for these settings, which the pipelines and
    extensions share through this registry rather than reading it off the spider."""
    return get_engine(resolve_database_url(settings))


def writer_threads(engine: Engine, wanted: int) -> int:
    """How many threads may write pages at once: `wanted` on PostgreSQL, one on SQLite (a single-writer
    database: a second writer would only wait for the first's lock)."""
    return max(1, wanted) if engine.dialect.name == "postgresql" else 1


def _create_checked_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            f"DATABASE_URL is not a database URL: {safe_url(url)!s} "
            "(expected sqlite:///path.db or postgresql+psycopg://user@host:5432/db)"
        ) from None
    if parsed.drivername not in SUPPORTED_DRIVERS:
        raise DatabaseError(
            f"DATABASE_URL scheme {parsed.drivername!r} is not supported "
            "(use sqlite:///path.db or postgresql+psycopg://user@host:5432/db)"
        )
    if parsed.drivername.startswith("sqlite") and parsed.database in (None, "", ":memory:"):
        raise DatabaseError("DATABASE_URL sqlite:// is an in-memory database: nothing would be kept; "
                            "give a file (sqlite:///cinegraph.db)")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs: dict = {"future": True}
    if parsed.drivername.startswith("postgresql"):
        kwargs.update(pool_pre_ping=True, connect_args={"connect_timeout": 5})
    else:
        kwargs.update(connect_args={"timeout": 30})
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise DatabaseError(f"DATABASE_URL {safe_url(url)} cannot be used: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseError(f"cannot connect to the database {safe_url(url)}: {reason}{fix_hint(parsed, reason)}") from None
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot use the database {safe_url(url)}: {exc}") from None
    return engine


def fix_hint(parsed, reason: str) -> str:
    """What to do about a database that cannot be opened, when the cause is a common one."""
    if parsed.drivername.startswith("postgresql") and "does not exist" in reason and parsed.database:
        where = " ".join(f"{flag} {value}" for flag, value in (("-h", parsed.host), ("-p", parsed.port),
                                                               ("-U", parsed.username)) if value)
        return f"; create it first: createdb {where + ' ' if where else ''}{parsed.database}"
    if parsed.drivername.startswith("sqlite") and parsed.database:
        folder = os.path.dirname(os.path.abspath(parsed.database)) or "."
        if not os.path.isdir(folder):
            return f"; the directory {folder} does not exist: create it, or point DATABASE_URL at a file elsewhere"
        if not os.access(folder, os.W_OK):
            return (f"; the directory {folder} is not writable (SQLite writes its file and journal there): "
                    "make it writable, or point DATABASE_URL at a file in a writable directory")
    return ""


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _migrations_dir() -> tuple[Path, tempfile.TemporaryDirectory | None]:
    """A real directory holding the migrations, copied out of the package when it is a zip (egg)."""
    root = resources.files("cinegraph_scrapy.db") / "migrations"
    if isinstance(root, Path) and root.is_dir():
        return root, None
    tmp = tempfile.TemporaryDirectory(prefix="cinegraph-migrations-")

    def copy(src, dest: Path) -> None:
        dest.mkdir(parents=True, exist_ok=True)
        for child in src.iterdir():
            if child.name == "__pycache__":
                continue
            if child.is_dir():
                copy(child, dest / child.name)
            else:
                (dest / child.name).write_bytes(child.read_bytes())

    copy(root, Path(tmp.name) / "migrations")
    return Path(tmp.name) / "migrations", tmp


_FIRST_USE_LOCK = 727274001


@contextlib.contextmanager
def first_use_lock(engine: Engine) -> Iterator[None]:
    """Serialize migrating and seeding across processes starting at once on one database: a PostgreSQL
    advisory lock held on its own connection; for SQLite an exclusive flock on `<database>.lock`."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _FIRST_USE_LOCK})
            conn.commit()
            try:
                yield
            finally:
                with contextlib.suppress(SQLAlchemyError):
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _FIRST_USE_LOCK})
                    conn.commit()
        return
    path = engine.url.database
    if not path or path == ":memory:":
        yield
        return
    # A file of its own beside the database: opening and closing the database file itself would drop the
    # POSIX locks SQLite holds on it in this process (close() releases every fcntl lock of the file).
    with open(f"{path}.lock", "ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*['\"]?([\w.-]+|None)['\"]?", re.MULTILINE)


def head_revision() -> str | None:
    """The newest migration's revision, read from the migration files themselves (no Alembic import, no
    script loading): the revision no other migration names as its down_revision."""
    revisions, parents = set(), set()
    for script in (resources.files("cinegraph_scrapy.db") / "migrations" / "versions").iterdir():
        if not script.name.endswith(".py") or script.name.startswith("__"):
            continue
        found = dict((name, value) for name, value in _REVISION.findall(script.read_text()))
        if "revision" in found:
            revisions.add(found["revision"])
            parents.add(found.get("down_revision"))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def upgrade_schema(engine: Engine) -> None:
    """Bring the schema to the latest revision (idempotent, safe to call on every start). A database already
    at the newest revision is left alone without starting Alembic (a quarter of a second on every start)."""
    head = head_revision()
    if head is not None and current_revision(engine) == head:
        return
    from alembic import command
    from alembic.config import Config

    directory, tmp = _migrations_dir()
    alembic_logger = logging.getLogger("alembic")
    level = alembic_logger.level
    alembic_logger.setLevel(logging.WARNING)  # "Context impl …" on every start is noise
    try:
        cfg = Config()
        cfg.set_main_option("script_location", str(directory))
        with first_use_lock(engine), engine.begin() as conn:  # two processes must not both create the tables
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    finally:
        alembic_logger.setLevel(level)
        if tmp is not None:
            shutil.rmtree(tmp.name, ignore_errors=True)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError:
            return None


def open_database(url: str, *, migrate: bool = True) -> Engine:
    """Engine for `url` with an up-to-date schema: what every crawl and command starts with. A connection
    lost while migrating is retried; a database that stays unusable is one `DatabaseError` line."""
    from cinegraph_scrapy.db.retry import with_retries

    engine = get_engine(url)
    if migrate:
        try:
            with_retries(lambda: upgrade_schema(engine), what="migrating the schema")
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise DatabaseError(f"cannot migrate the database {safe_url(url)}: {reason}"
                                f"{fix_hint(engine.url, reason)}") from None
        except OSError as exc:  # the SQLite lock file beside the database cannot be created
            raise DatabaseError(f"cannot use the database {safe_url(url)}: {exc.strerror or exc}"
                                f"{fix_hint(engine.url, str(exc))}") from None
    return engine
