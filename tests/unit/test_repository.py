"""Storage statements on real PostgreSQL and SQLite: shared rows are written only when missing or really
changed, a value a page lacks never blanks a stored one, people links follow the page."""

from datetime import datetime, timezone

import pytest
from sqlalchemy import insert, text

from cinegraph_scrapy.db.writes import writes_for
from cinegraph_scrapy.db.engine import open_database
from cinegraph_scrapy.db.models import ImportRun, MovieList

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)


@pytest.fixture(params=["postgresql", "sqlite"])
def engine(request, pg_url, tmp_path):
    return open_database(pg_url if request.param == "postgresql" else f"sqlite:///{tmp_path}/repo.db")


def test_films_are_inserted_then_updated_only_where_the_page_says_more(engine):
    with engine.begin() as conn:
        ids = writes_for(conn).upsert_movies([{"imdb_id": "tt0000001", "title": "A", "year": None, "title_type": "movie"},
                                        {"imdb_id": "tt0000002", "title": "B", "year": 1950}], NOW)
    with engine.begin() as conn:
        again = writes_for(conn).upsert_movies([{"imdb_id": "tt0000001", "title": "A (new)", "year": 1999, "title_type": None},
                                          {"imdb_id": "tt0000002", "title": None, "year": None},
                                          {"imdb_id": "tt0000003", "title": "C"}], NOW)
        rows = conn.execute(text("SELECT imdb_id, title, year, title_type FROM movies ORDER BY imdb_id")).all()
    assert again["tt0000001"] == ids["tt0000001"] and again["tt0000002"] == ids["tt0000002"] and "tt0000003" in again
    assert [tuple(r) for r in rows] == [("tt0000001", "A (new)", 1999, "movie"), ("tt0000002", "B", 1950, None),
                                       ("tt0000003", "C", None, None)]


def test_categories_are_read_then_missing_ones_inserted_with_their_award_id(engine):
    with engine.begin() as conn:
        org = writes_for(conn).ensure_organization(slug="venice", name="Venice", abbreviation=None, event_id="ev0000681")
        first = writes_for(conn).upsert_categories(org, [("Golden Lion", "Golden Lion")])
    with engine.begin() as conn:
        both = writes_for(conn).upsert_categories(org, [("Golden Lion", "Golden Lion"), ("Orizzonti", "Best Film")],
                                      {("Golden Lion", "Golden Lion"): "aw0000001", ("Orizzonti", "Best Film"): "aw2"})
        rows = conn.execute(text("SELECT award_name, name, imdb_award_id FROM festival_categories ORDER BY 1")).all()
    assert both[("Golden Lion", "Golden Lion")] == first[("Golden Lion", "Golden Lion")]
    assert [tuple(r) for r in rows] == [("Golden Lion", "Golden Lion", "aw0000001"), ("Orizzonti", "Best Film", "aw2")]


def test_people_once_and_links_follow_the_page(engine):
    with engine.begin() as conn:
        org = writes_for(conn).ensure_organization(slug="venice", name="Venice", abbreviation=None, event_id="ev0000681")
        ceremony = writes_for(conn).upsert_ceremony(organization_id=org, list_id=None, year=2024, instance=1, name="V",
                                        source_url="u", edition_id=None, now=NOW)
        (category,) = writes_for(conn).upsert_categories(org, [("A", "B")]).values()
        people = writes_for(conn).upsert_people({"nm0000001": "One", "nm0000002": None}, NOW)
        noms = writes_for(conn).upsert_nominations([{"ceremony_id": ceremony, "category_id": category, "movie_id": None,
                                               "nominee_key": "-|nm0000001", "award_name": "A", "won": True,
                                               "nominee_type": "person"}], NOW)
        nomination = noms[(category, "-|nm0000001")]
        writes_for(conn).sync_nomination_people([(nomination, people["nm0000001"], "primary", 0),
                                           (nomination, people["nm0000002"], "secondary", 1)])
    with engine.begin() as conn:
        assert writes_for(conn).upsert_people({"nm0000002": "Two"}, NOW) == {"nm0000002": people["nm0000002"]}
        writes_for(conn).sync_nomination_people([(nomination, people["nm0000002"], "secondary", 0)])
        links = conn.execute(text("SELECT p.imdb_id, p.name, l.role, l.position FROM festival_nomination_people l "
                                  "JOIN people p ON p.id = l.person_id")).all()
    assert [tuple(r) for r in links] == [("nm0000002", "Two", "secondary", 0)]


def test_imdb_nomination_ids_stay_unique_within_a_ceremony(engine):
    with engine.begin() as conn:
        org = writes_for(conn).ensure_organization(slug="oscars", name="Oscars", abbreviation=None, event_id="ev0000003")
        ceremony = writes_for(conn).upsert_ceremony(organization_id=org, list_id=None, year=2019, instance=1, name="O",
                                        source_url="u", edition_id=None, now=NOW)
        (category,) = writes_for(conn).upsert_categories(org, [("Oscar", "Best Picture")]).values()
        base = {"ceremony_id": ceremony, "category_id": category, "movie_id": None, "award_name": "Oscar",
                "won": False, "nominee_type": "title"}
        # a page that names one IMDb nomination id twice is stored whole
        writes_for(conn).upsert_nominations([{**base, "nominee_key": "a|", "imdb_nomination_id": "an1"},
                                       {**base, "nominee_key": "b|", "imdb_nomination_id": "an1"}], NOW)
    with engine.begin() as conn:
        # a later page gives an1 to another nomination: the old holder lets go of it
        writes_for(conn).upsert_nominations([{**base, "nominee_key": "c|", "imdb_nomination_id": "an1"}], NOW)
        rows = conn.execute(text("SELECT nominee_key, imdb_nomination_id FROM festival_nominations ORDER BY 1")).all()
    assert [tuple(r) for r in rows] == [("a|", None), ("b|", None), ("c|", "an1")]


def test_a_pages_films_people_and_changes_in_one_write_and_the_ceremony_with_its_fingerprint(engine):
    later = datetime(2026, 12, 2, tzinfo=timezone.utc)
    with engine.begin() as conn:
        list_id = conn.execute(insert(MovieList).values(source_key="repo_test_2024", name="Test 2024", source_type="imdb_event",
                                                        source_id="ev0000681").returning(MovieList.id)).scalar()
        run_id = conn.execute(insert(ImportRun).values(list_id=list_id, spider="imdb_event", status="running",
                                                       started_at=NOW).returning(ImportRun.id)).scalar()
        org = writes_for(conn).ensure_organization(slug="venice", name="Venice", abbreviation=None, event_id="ev0000681")
        first = writes_for(conn).write_ceremony(organization_id=org, list_id=list_id, year=2024, instance=1, name="V",
                                    source_url="u", edition_id=None, now=NOW, fingerprint=(list_id, 1, "a" * 64))
        movies, people = writes_for(conn).films_and_people([{"imdb_id": "tt0000001", "title": "A", "year": None, "title_type": None}],
            {"nm0000001": "One", "nm0000002": None}, NOW, run_id, [{"change": "added", "imdb_id": "tt0000001"}])
    with engine.begin() as conn:
        again = writes_for(conn).write_ceremony(organization_id=org, list_id=list_id, year=2024, instance=1, name=None,
                                    source_url="u2", edition_id="ee1", now=later, fingerprint=(list_id, 1, "b" * 64))
        movies2, people2 = writes_for(conn).films_and_people([{"imdb_id": "tt0000001", "title": None, "year": 2001, "title_type": "movie"},
                   {"imdb_id": "tt0000002", "title": "B"}],
            {"nm0000001": "One", "nm0000002": "Two"}, later, run_id,
            [{"change": "changed", "imdb_id": "tt0000001", "fields": {"won": [False, True]}}])
        films = conn.execute(text("SELECT imdb_id, title, year, title_type FROM movies ORDER BY 1")).all()
        names = conn.execute(text("SELECT imdb_id, name, updated_at FROM people ORDER BY 1")).all()
        changes = conn.execute(text("SELECT change, imdb_id FROM import_changes WHERE run_id = :r ORDER BY id"),
                               {"r": run_id}).all()
        ceremony = conn.execute(text("SELECT name, source_url, imdb_edition_id FROM festival_ceremonies")).one()
        stored = writes_for(conn).stored_fingerprints([list_id])
    assert not first.existed and first.previous_seen_at is None
    assert again.existed and again.id == first.id and again.previous_seen_at is not None
    assert tuple(ceremony) == ("V", "u2", "ee1") and stored == {(list_id, 1): "b" * 64}
    assert movies2["tt0000001"] == movies["tt0000001"] and people2 == people
    assert [tuple(r) for r in films] == [("tt0000001", "A", 2001, "movie"), ("tt0000002", "B", None, None)]
    assert [(i, n) for i, n, _ in names] == [("nm0000001", "One"), ("nm0000002", "Two")]
    assert names[0][2] != names[1][2]  # the unchanged person is not rewritten, the renamed one is
    assert [tuple(r) for r in changes] == [("added", "tt0000001"), ("changed", "tt0000001")]


def test_statement_documents_are_utf8_json_with_dates_as_text_whatever_the_values():
    import json
    from datetime import date

    from cinegraph_scrapy import jsontext

    value = [{"title": "Amélie – 天国", "date": date(2001, 4, 25), "n": 1, "won": True, "notes": None}]
    assert json.loads(jsontext.dumps(value)) == [{"title": "Amélie – 天国", "date": "2001-04-25", "n": 1, "won": True,
                                                  "notes": None}]
    assert "Amélie" in jsontext.dumps(value)  # not ASCII-escaped
    assert json.loads(jsontext.dumps({1: 2 ** 70})) == {"1": 2 ** 70}  # what orjson refuses still encodes
    assert jsontext.dumps_bytes(value) == jsontext.dumps(value).encode()


def test_json_decoding_matches_the_standard_library_where_orjson_refuses():
    import json

    from cinegraph_scrapy import jsontext

    page = '{"title": "Amélie", "n": 1, "x": [null, true, 1.5]}'
    assert jsontext.loads(page) == jsontext.loads(page.encode()) == json.loads(page)
    # what orjson refuses, the standard library still reads
    assert jsontext.loads('{"big": 123456789012345678901234567890, "nan": NaN}')["big"] == 123456789012345678901234567890
    assert jsontext.loads('"\\ud800"') == "\ud800"
    # and fails the standard library's way
    with pytest.raises(json.JSONDecodeError) as broken:
        jsontext.loads(b'{"a": [1, 2')
    assert broken.value.msg and broken.value.pos == 11
    with pytest.raises(RecursionError):
        jsontext.loads("[" * 100_000 + "]" * 100_000)
