"""`scrapy demo`: the bundled pages imported offline into the default SQLite file, twice."""

import sqlite3

from tests.conftest import scrapy


def test_demo_imports_offline_into_the_default_database(tmp_path):
    env = {"SCRAPY_SETTINGS_MODULE": "cinegraph_scrapy.settings", "http_proxy": "http://127.0.0.1:9",
           "https_proxy": "http://127.0.0.1:9", "no_proxy": "127.0.0.1,localhost"}  # only loopback works
    run = scrapy("demo", cwd=tmp_path, env=env)
    assert run.returncode == 0, run.log
    assert "Traceback" not in run.log
    for line in ("demo_2024: SUCCESS", "demo_2019: SUCCESS", "ls900000001: SUCCESS", "entries 310/310",
                 "Festival editions", "Cinegraph Demo Festival"):
        assert line in run.stdout, run.stdout
    db = sqlite3.connect(tmp_path / "cinegraph.db")
    assert db.execute("SELECT count(*) FROM festival_nominations").fetchone() == (11,)
    assert db.execute("SELECT count(*) FROM canonical_sources").fetchone() == (310,)
    assert db.execute("SELECT count(*) FROM people").fetchone()[0] == 8
    assert db.execute("SELECT name FROM movie_lists WHERE source_key = 'ls900000001'").fetchone() == (
        "Cinegraph demo: 310 films",)
    again = scrapy("demo", cwd=tmp_path, env=env)
    assert again.returncode == 0 and "changes +0 −0 ~0" in again.stdout, again.log
    assert db.execute("SELECT count(*) FROM festival_nominations").fetchone() == (11,)
