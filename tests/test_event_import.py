"""End-to-end event imports: `scrapy crawl imdb_event` against a loopback IMDb, into PostgreSQL."""

from tests.conftest import scrapy
from tests.support.events import VENICE_CATEGORIES, VENICE_FILMS, VENICE_NOMINATIONS, VENICE_WINNERS
from tests.support.pages import Award, Category, Film, Nom, Person, legacy_event_page, next_event_page
from tests.support.server import Reply
from tests.support.scenes import serve_venice


def test_venice_2024_fills_the_festival_tables_and_rerun_is_idempotent(imdb, db, pg_url):
    serve_venice(imdb)
    run = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 0, run.log
    assert db.rows("SELECT slug, name, abbreviation, imdb_event_id FROM festival_organizations o "
                   "WHERE EXISTS (SELECT 1 FROM festival_ceremonies c WHERE c.organization_id = o.id)") == [
        ("venice", "Venice International Film Festival", "VIFF", "ev0000681")]
    assert db.rows("SELECT year, instance, name FROM festival_ceremonies") == [(2024, 1, "Venice Film Festival")]
    assert db.scalar("SELECT count(*) FROM festival_categories") == VENICE_CATEGORIES
    assert db.scalar("SELECT count(*) FROM festival_nominations") == VENICE_NOMINATIONS
    assert db.scalar("SELECT count(*) FROM festival_nominations WHERE won") == VENICE_WINNERS
    assert db.scalar("SELECT count(*) FROM movies") == VENICE_FILMS
    golden = db.rows("""SELECT m.imdb_id, m.original_title, n.won, n.nominee_type, n.id FROM festival_nominations n
                        JOIN festival_categories c ON c.id = n.category_id JOIN movies m ON m.id = n.movie_id
                        WHERE c.award_name = 'Golden Lion' AND c.name = 'Golden Lion'""")
    assert [g[:4] for g in golden] == [("tt14444726", "La habitación de al lado", True, "title")]
    assert db.people_of(golden[0][4]) == [("nm0000264", "Pedro Almodóvar", "secondary")]
    actress = db.rows("""SELECT m.title, n.nominee_type, n.id FROM festival_nominations n JOIN festival_categories c
                         ON c.id = n.category_id JOIN movies m ON m.id = n.movie_id WHERE c.name = 'Best Actress'""")
    assert [a[:2] for a in actress] == [("Babygirl", "person")]
    assert db.people_of(actress[0][2]) == [("nm0000173", "Nicole Kidman", "primary")]
    people_only = db.rows("SELECT award_name, nominee_type, id FROM festival_nominations WHERE movie_id IS NULL")
    assert [p[:2] for p in people_only] == [("Golden Lion for Lifetime Achievement", "person")]
    assert db.people_of(people_only[0][2]) == [("nm0000641", "Sigourney Weaver", "primary")]
    assert db.scalar("SELECT count(*) FROM festival_categories WHERE name = 'Best Film'") == 2
    run_row = db.rows("SELECT status, items_scraped, items_stored FROM import_runs")[0]
    assert run_row == ("success", VENICE_NOMINATIONS, VENICE_NOMINATIONS)
    stats = db.scalar("SELECT stats FROM import_runs")
    assert (stats["nominations_found"], stats["nominations_stored"], stats["winners"], stats["films"],
            stats["people_only_nominations"]) == (VENICE_NOMINATIONS, VENICE_NOMINATIONS, VENICE_WINNERS, VENICE_FILMS, 1)

    before = db.counts()
    again = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert again.returncode == 0, again.log
    assert db.counts() == before
    listed = scrapy("lists", "--type", "imdb_event", db_url=pg_url).stdout
    assert any(l.startswith("venice_2024 ") and "success" in l for l in listed.splitlines())


def test_two_actors_of_one_film_in_one_category_stay_two_rows(imdb, db, pg_url):
    film = Film("tt0000100", "Two Leads", 2023)
    awards = [Award("Oscar", [Category("Best Actor", [
        Nom(names=[Person("nm0000001", "Actor One")], secondary_titles=[film]),
        Nom(names=[Person("nm0000002", "Actor Two")], secondary_titles=[film]),
        Nom(won=True, names=[Person("nm0000003", "Winner")], secondary_titles=[Film("tt0000101", "Other", 2023)]),
    ])])]
    imdb.route("/event/ev0000003/2024/1/", Reply.html(next_event_page(awards, event_name="Academy Awards, USA",
                                                                       event_id="ev0000003", year=2024)))
    run = scrapy("crawl", "imdb_event", "-a", "key=oscars_2024", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 0, run.log
    assert db.scalar("SELECT count(*) FROM festival_nominations") == 3
    assert db.scalar("SELECT count(*) FROM festival_nominations WHERE won") == 1


def test_unknown_year_creates_its_config(imdb, db, pg_url):
    awards = [Award("Golden Lion", [Category(None, [Nom(won=True, titles=[Film("tt0186137", "Not One Less", 1999)])])])]
    imdb.route("/event/ev0000681/1999/1/", Reply.html(legacy_event_page(awards, event_name="Venice", year=1999)))
    assert db.scalar("SELECT count(*) FROM movie_lists WHERE source_key = 'venice_1999'") == 0
    run = scrapy("crawl", "imdb_event", "-a", "key=venice_1999", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 0, run.log
    row = db.rows("SELECT source_type, source_id, metadata FROM movie_lists WHERE source_key = 'venice_1999'")[0]
    assert row[0] == "imdb_event" and row[1] == "ev0000681"
    assert row[2]["year"] == 1999 and row[2]["instance"] == 1 and row[2]["abbreviation"] == "VIFF"
    assert db.rows("SELECT c.year, m.imdb_id, n.won FROM festival_nominations n JOIN festival_ceremonies c "
                   "ON c.id = n.ceremony_id JOIN movies m ON m.id = n.movie_id") == [(1999, "tt0186137", True)]


def test_many_editions_in_one_crawl_fail_independently(imdb, db, pg_url):
    for year in (2022, 2023):
        serve_venice(imdb, year)
    imdb.route("/event/ev0000681/2024/1/", Reply.html("<html><body>layout changed</body></html>"))
    run = scrapy("crawl", "imdb_event", "-a", "org=venice", "-a", "years=2022-2024", db_url=pg_url,
                 settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 1  # one edition failed
    statuses = dict(db.rows("SELECT l.source_key, r.status FROM import_runs r JOIN movie_lists l ON l.id = r.list_id"))
    assert statuses == {"venice_2022": "success", "venice_2023": "success", "venice_2024": "failed"}
    assert db.scalar("SELECT count(*) FROM festival_ceremonies") == 2
    assert db.scalar("SELECT count(*) FROM festival_nominations") == 2 * VENICE_NOMINATIONS
    assert sum(1 for r in imdb.requests if r.path.startswith("/event/")) == 3


def test_has_next_page_makes_the_import_partial(imdb, db, pg_url):
    awards = [Award("Oscar", [Category("Best Picture", [Nom(titles=[Film("tt0000001", "A", 2020)])], has_next=True)])]
    imdb.route("/event/ev0000003/2021/1/", Reply.html(next_event_page(awards, event_name="Oscars", event_id="ev0000003", year=2021)))
    run = scrapy("crawl", "imdb_event", "-a", "keys=oscars_2021", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 0, run.log
    status, error = db.rows("SELECT status, error FROM import_runs")[0]
    assert status == "partial" and "Oscar / Best Picture" in error
    assert "hasNextPage" in run.log


def test_zero_nominations_on_an_event_page_fails(imdb, db, pg_url):
    imdb.route("/event/ev0000147/2024/1/", Reply.html(next_event_page([Award("Palme d'Or", [])], event_name="Cannes",
                                                                       event_id="ev0000147", year=2024)))
    run = scrapy("crawl", "imdb_event", "-a", "key=cannes_2024", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 1
    status, error = db.rows("SELECT status, error FROM import_runs")[0]
    assert status == "failed" and "0 nominations" in error
