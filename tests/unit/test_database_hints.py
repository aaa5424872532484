"""A database that cannot be opened says why and what to do, in one line (db/engine.fix_hint)."""

import os

import pytest
from sqlalchemy.engine import make_url

from cinegraph_scrapy.db.engine import fix_hint, open_database
from cinegraph_scrapy.errors import CinegraphError


def test_a_missing_postgresql_database_names_createdb():
    url = make_url("postgresql+psycopg://postgres@db.example:5433/films")
    assert fix_hint(url, 'FATAL:  database "films" does not exist') == \
        "; create it first: createdb -h db.example -p 5433 -U postgres films"


def test_a_sqlite_file_in_a_directory_nobody_can_write(tmp_path, monkeypatch):
    url = make_url(f"sqlite:///{tmp_path}/films.db")
    monkeypatch.setattr(os, "access", lambda path, mode: False)  # as a non-root user would find it
    assert "is not writable" in fix_hint(url, "unable to open database file") and str(tmp_path) in fix_hint(url, "")
    missing = make_url(f"sqlite:///{tmp_path}/nowhere/films.db")
    assert "does not exist: create it" in fix_hint(missing, "unable to open database file")


def test_opening_names_the_fix_in_one_line(tmp_path):
    with pytest.raises(CinegraphError) as raised:
        open_database(f"sqlite:///{tmp_path}/nowhere/films.db")
    message = str(raised.value)
    assert "unable to open database file" in message and "does not exist: create it" in message
    assert len(message.splitlines()) == 1
