"""Rough edges found when trying the project as a new user would: each is one line and the documented exit
status, never a traceback or silence."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT, scrapy
from tests.support.pages import Film, next_list_page
from tests.support.server import Reply
from tests.support.scenes import serve_venice


def only_line(run) -> str:
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in run.log
    return lines[0]


@pytest.mark.parametrize("args", [
    ["-a", "key=nope_key"],
    ["-a", "keyy=venice_2024"],
    ["-a", "org=venice", "-a", "years=2024-2019"],
])
def test_refused_crawl_is_one_line_without_banner(imdb, pg_url, args):
    run = scrapy("crawl", "imdb_event", *args, db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 2
    only_line(run)
    assert "Scrapy 2" not in run.log and "alembic" not in run.log.lower()


def test_bad_database_url_is_one_line_without_banner(tmp_path):
    run = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url="mysql://x@y/z", cwd=tmp_path,
                 env={"SCRAPY_SETTINGS_MODULE": "cinegraph_scrapy.settings"})
    assert run.returncode == 2 and "not supported" in only_line(run)


def test_unknown_argument_names_it_and_the_ones_taken(pg_url):
    run = scrapy("crawl", "imdb_event", "-a", "keyy=venice_2024", db_url=pg_url)
    line = only_line(run)
    assert "'keyy'" in line and "did you mean key?" in line and "key, keys, org, years, force" in line


def test_unknown_spider_suggests_the_nearest(pg_url):
    run = scrapy("crawl", "imdb_evnt", "-a", "key=venice_2024", db_url=pg_url)
    assert run.returncode == 2 and "did you mean imdb_event?" in only_line(run)


def test_alembic_says_nothing_at_the_default_level(imdb, pg_template):
    import uuid

    from tests.conftest import _admin, _sa_url

    name = f"cg_fresh_{uuid.uuid4().hex[:8]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        serve_venice(imdb)
        run = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=_sa_url(name),
                     settings={"IMDB_BASE_URL": imdb.url})
        assert run.returncode == 0, run.log
        assert "alembic" not in run.log.lower() and "Running upgrade" not in run.log
    finally:
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("args, message", [
    (["-a", "limit=abc"], "limit must be a whole number, got 'abc'"),
    (["-a", "limit=0"], "limit must be 1 or more"),
    (["-a", "status=bogus"], "unknown tmdb status 'bogus'"),
])
def test_tmdb_backfill_bad_arguments(pg_url, args, message):
    run = scrapy("crawl", "tmdb_backfill", *args, db_url=pg_url, env={"TMDB_API_KEY": "k"})
    assert run.returncode == 2 and message in only_line(run)


def test_tmdb_backfill_without_credentials_names_the_variables(pg_url):
    run = scrapy("crawl", "tmdb_backfill", db_url=pg_url)
    line = only_line(run)
    assert run.returncode == 2 and "TMDB_API_KEY" in line and "TMDB_READ_ACCESS_TOKEN" in line


def test_tmdb_backfill_exits_1_when_every_lookup_failed(imdb, db, pg_url):
    db.execute("INSERT INTO movies (imdb_id, title, tmdb_status) VALUES ('tt0000001', 'A', 'pending'), "
               "('tt0000002', 'B', 'pending')")
    for imdb_id in ("tt0000001", "tt0000002"):  # TMDb answers 500 to everything
        imdb.route(f"/3/find/{imdb_id}", Reply.json({"status_code": 11, "status_message": "Internal error"}, 500))
    run = scrapy("crawl", "tmdb_backfill", db_url=pg_url, env={"TMDB_API_KEY": "k"},
                 settings={"TMDB_API_BASE": imdb.url + "/3", "TMDB_MAX_RETRIES": "0"})
    assert run.returncode == 1, run.log
    assert "every lookup failed" in run.stdout


def test_schedule_dry_run_writes_nothing(db, pg_url):
    before = db.counts()
    run = scrapy("schedule", "--org", "venice", "--years", "1990-1991", "--dry-run", db_url=pg_url,
                 settings={"IMDB_BASE_URL": "http://127.0.0.1:9"})
    assert db.counts() == before, run.log
    assert db.scalar("SELECT count(*) FROM movie_lists WHERE source_key = 'venice_1990'") == 0


def test_compare_and_migrate_lists_on_never_imported_configs(pg_url):
    run = scrapy("compare", "cannes_winners", "cannes_2024", db_url=pg_url)
    assert run.returncode == 1 and "never imported: cannes_winners, cannes_2024" in only_line(run)
    old_year = scrapy("compare", "cannes_winners", "cannes_1961", db_url=pg_url)
    assert old_year.returncode == 1 and "cannes_1961" in only_line(old_year)  # any year, as crawl accepts
    unknown = scrapy("compare", "cannes_winner", "cannes_2024", db_url=pg_url)
    assert unknown.returncode == 2 and "nearest: cannes_winners" in only_line(unknown)
    plan = scrapy("migrate_lists", db_url=pg_url)
    assert plan.returncode == 1 and "no award-tracking list was imported yet" in only_line(plan)


def test_commands_end_quietly_on_a_closed_pipe(pg_url):
    from tests.conftest import scrapy as _  # noqa: F401  (same environment as the helper)
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TMDB_", "DATABASE_URL", "SCRAPY_"))}
    env.update(PYTHONPATH=str(ROOT), DATABASE_URL=pg_url)
    for command in (["lists"], ["help-args", "imdb_event"], ["changes", "venice_2024", "--json"], ["demo"],
                    ["categories", "oscars"], ["audit"]):
        proc = subprocess.run(f"{sys.executable} -m scrapy {' '.join(command)} | head -1", shell=True, cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=120)
        assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr


def test_quiet_logs_still_print_the_import_summary(imdb, pg_url):
    serve_venice(imdb)
    for flag in (["-L", "WARNING"], ["--nolog"]):
        run = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", *flag, db_url=pg_url,
                     settings={"IMDB_BASE_URL": imdb.url})
        assert run.returncode == 0, run.log
        assert "venice_2024: SUCCESS | pages 1" in run.stdout


def test_job_log_ends_with_the_import_status_line(imdb, pg_url):
    serve_venice(imdb)
    run = scrapy("crawl", "imdb_event", "-a", "keys=venice_2024,venice_2023", db_url=pg_url,
                 settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 1  # venice_2023 is not served
    last = run.stderr.strip().splitlines()[-1]
    assert last.endswith("IMPORT STATUS: failed venice_2024,venice_2023 (1 failed, 1 success)")


def test_help_args_lists_a_spiders_arguments(pg_url):
    run = scrapy("help-args", "imdb_list", db_url=pg_url)
    assert run.returncode == 0
    assert "-a list" in run.stdout and "-a key" in run.stdout and "-a years" not in run.stdout
    assert "e.g. 1001_movies" in run.stdout and "venice" not in run.stdout  # a list key as a list's example
    assert "into movies +\n  canonical_sources." in run.stdout  # the summary whole, wrapped
    assert max(len(line) for line in run.stdout.splitlines()) <= 100
    event = scrapy("help-args", "imdb_event", db_url=pg_url).stdout
    assert "event editions into the festival tables." in event
    wrong = scrapy("help-args", "imdb_lst", db_url=pg_url)
    assert wrong.returncode == 2 and "did you mean imdb_list?" in wrong.stderr


def test_any_public_list_by_id_or_url(imdb, graphql, db, pg_url):
    films = [Film(f"tt{6000000 + i:07d}", f"Mine {i}") for i in range(3)]
    imdb.route("/list/ls123456789/", Reply.html(next_list_page(films, total=3, has_next=False, name="My favourites")))
    settings = {"IMDB_BASE_URL": imdb.url, "IMDB_GRAPHQL_URL": graphql.url + "/"}
    run = scrapy("crawl", "imdb_list", "-a", "list=ls123456789", db_url=pg_url, settings=settings)
    assert run.returncode == 0, run.log
    assert db.rows("SELECT source_key, name, source_type, source_id FROM movie_lists WHERE source_key = 'ls123456789'") == [
        ("ls123456789", "My favourites", "imdb", "ls123456789")]
    assert db.scalar("SELECT count(*) FROM canonical_sources") == 3
    again = scrapy("crawl", "imdb_list", "-a", "list=https://www.imdb.com/list/ls123456789/", db_url=pg_url,
                   settings=settings)
    assert again.returncode == 0, again.log
    assert db.scalar("SELECT count(*) FROM import_runs WHERE status = 'success'") == 2
    bad = scrapy("crawl", "imdb_list", "-a", "list=https://example.com/list/ls1/", db_url=pg_url, settings=settings)
    assert bad.returncode == 2 and "not an IMDb list id" in only_line(bad)


def test_gitignore_covers_local_state():
    ignored = (ROOT / ".gitignore").read_text().split()
    for pattern in ("*.db-wal", "*.db-shm", "scrapyd.log", "twistd.pid", ".scrapyd/"):
        assert pattern in ignored


def test_readme_command_table_runs_as_printed(pg_url):
    """Every command of the README's table is written to work right after ./setup (prefixed .venv/bin/)
    and answers -h (or, for a spider, help-args)."""
    import os
    import re
    import shlex

    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Everyday commands", 1)[1].split("\n\n", 2)[1]
    commands = re.findall(r"^\| `([^`]+)`", table, re.M)
    assert len(commands) >= 10
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TMDB_", "DATABASE_URL", "SCRAPY_"))}
    env.update(PYTHONPATH=str(ROOT), DATABASE_URL=pg_url)
    bin_dir = ROOT / ".venv" / "bin"
    for command in commands:
        words = shlex.split(command.split(" / ")[0].replace("[", "").replace("]", "").split(" | ")[0])
        assert words[0] == ".venv/bin/scrapy", command
        if words[1] == "crawl":
            check = [str(bin_dir / "scrapy"), "help-args", words[2]]
        else:
            check = [str(bin_dir / "scrapy"), words[1], "-h"]
        proc = subprocess.run(check, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, (command, proc.stdout + proc.stderr)
