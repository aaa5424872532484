"""compare, migrate_lists and report on imported data; the report page rendered in headless Chromium."""

import json
import shutil
import subprocess

from tests.conftest import scrapy
from tests.support.pages import Award, Category, Film, Nom, next_event_page, next_list_page
from tests.support.server import Reply

PARASITE = Film("tt6751668", "Parasite", 2019, description="[2019]: Palme d'Or")
ANORA = Film("tt28607951", "Anora", 2024, description="[2024]: Palme d'Or")
FALL = Film("tt17009710", "Anatomy of a Fall", 2023, description="[2023]: Palme d'Or")
TITANE = Film("tt10944760", "Titane", 2021, description="[2021]: Palme d'Or")
EMILIA = Film("tt20221436", "Emilia Pérez", 2024)
ZONE = Film("tt7160070", "The Zone of Interest", 2023)


def import_cannes(imdb, pg_url):
    imdb.route("/list/ls527026601/", Reply.html(next_list_page([TITANE, FALL, ANORA, PARASITE], total=4, has_next=False)))
    assert scrapy("crawl", "imdb_list", "-a", "key=cannes_winners", db_url=pg_url,
                  settings={"IMDB_BASE_URL": imdb.url}).returncode == 0
    imdb.route("/event/ev0000147/2023/1/", Reply.html(next_event_page([
        Award("Palme d'Or", [Category(None, [Nom(won=True, titles=[FALL])])]),
        Award("Grand Prize of the Festival", [Category(None, [Nom(won=True, titles=[ZONE])])]),
    ], event_name="Cannes Film Festival", event_id="ev0000147", year=2023)))
    imdb.route("/event/ev0000147/2024/1/", Reply.html(next_event_page([
        Award("Palme d'Or", [Category(None, [Nom(won=False, titles=[ANORA]), Nom(won=True, titles=[EMILIA])])]),
        Award("Jury Prize", [Category(None, [Nom(won=True, titles=[ANORA])])]),
    ], event_name="Cannes Film Festival", event_id="ev0000147", year=2024)))
    run = scrapy("crawl", "imdb_event", "-a", "keys=cannes_2023,cannes_2024", db_url=pg_url,
                 settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 0, run.log


def test_compare_list_with_events(imdb, pg_url):
    import_cannes(imdb, pg_url)
    run = scrapy("compare", "cannes_winners", "cannes_2023", "cannes_2024", "--json", db_url=pg_url)
    assert run.returncode == 0, run.log
    result = json.loads(run.stdout)
    assert {f["imdb_id"] for f in result["in_both"]} == {FALL.imdb_id, ANORA.imdb_id}
    assert {f["imdb_id"] for f in result["only_in_list"]} == {TITANE.imdb_id, PARASITE.imdb_id}
    assert {f["imdb_id"] for f in result["only_in_events"]} == {ZONE.imdb_id, EMILIA.imdb_id}
    assert {f["imdb_id"] for f in result["winners_missing_from_list"]} == {ZONE.imdb_id, EMILIA.imdb_id}
    (disagreement,) = result["disagreements"]
    assert disagreement["imdb_id"] == ANORA.imdb_id and disagreement["list_says"] == "Palme d'Or"
    assert disagreement["events_say"] == "Jury Prize (2024)"
    table = scrapy("compare", "cannes_winners", "cannes_2023", "cannes_2024", db_url=pg_url).stdout
    assert "List notes that disagree with the events (1)" in table and "Jury Prize (2024)" in table


def test_compare_refuses_unknown_keys(pg_url):
    run = scrapy("compare", "cannes_winners", "nope_2024", db_url=pg_url)
    assert run.returncode == 2 and "unknown config key 'nope_2024'" in run.stderr


def test_migrate_lists_dry_run_then_apply_idempotently(imdb, db, pg_url):
    import_cannes(imdb, pg_url)
    before = db.scalar("SELECT count(*) FROM movie_lists")
    dry = scrapy("migrate_lists", db_url=pg_url)
    assert dry.returncode == 0, dry.log
    assert "cannes_2019" in dry.stdout and "would create" in dry.stdout
    assert "dry run: 1 would be created, 3 already present" in dry.stdout  # 2021, 2023, 2024 are seeded
    assert db.scalar("SELECT count(*) FROM movie_lists") == before
    applied = scrapy("migrate_lists", "--apply", db_url=pg_url)
    assert "1 created" in applied.stdout
    row = db.rows("SELECT source_type, source_id, metadata->>'year', metadata->>'migrated_from' FROM movie_lists "
                  "WHERE source_key = 'cannes_2019'")
    assert row == [("imdb_event", "ev0000147", "2019", "cannes_winners")]
    again = scrapy("migrate_lists", "--apply", db_url=pg_url)
    assert "0 created, 4 already present" in again.stdout
    assert db.scalar("SELECT count(*) FROM movie_lists") == before + 1


def test_report_terminal_and_html_rendered_in_chromium(imdb, db, pg_url, tmp_path):
    import_cannes(imdb, pg_url)
    db.execute("UPDATE movie_lists SET last_import_status = 'failed', last_import_at = now() WHERE source_key = 'venice_2022'")
    terminal = scrapy("report", db_url=pg_url)
    assert terminal.returncode == 0, terminal.log
    cannes_line = [l for l in terminal.stdout.splitlines() if l.startswith("Cannes Film Festival")][0]
    assert "ok 2/2" in cannes_line and "ok 3/2" in cannes_line
    assert max(len(l) for l in terminal.stdout.splitlines()) <= 120  # fits a terminal
    header = next(l for l in terminal.stdout.splitlines() if l.startswith("organization"))
    years = [int(y) for y in header.split()[1:]]
    assert years == sorted(years, reverse=True) and years[0] >= 2025  # newest first

    out = tmp_path / "report.html"
    run = scrapy("report", "-o", str(out), db_url=pg_url)
    assert run.returncode == 0, run.log
    page = out.read_text()
    assert "http://" not in page and "https://" not in page and "<link" not in page and "src=" not in page
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is required"
    dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                          "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'chrome'}",
                          "--dump-dom", out.as_uri()], capture_output=True, text=True, timeout=60).stdout
    assert "<h1>Import coverage</h1>" in dom
    assert "data-key=\"cannes_2024\" data-status=\"success\" data-nominations=\"3\" data-winners=\"2\"" in dom
    assert "data-key=\"venice_2022\" data-status=\"failed\"" in dom
    assert "data-key=\"oscars_2020\" data-status=\"never\"" in dom
    assert ("<tr data-key=\"cannes_winners\"><td><a href=\"#run-cannes_winners\">cannes_winners</a></td>"
            "<td>Cannes Film Festival Winners</td><td class=\"s-success\">success</td><td>4</td>") in dom
    assert "<tr data-key=\"afi_100\"><td>afi_100</td>" in dom  # never imported: no link to a run that is not there
    # each imported edition or list links to its last run's status and error
    assert "<a href=\"#run-cannes_2024\">3&nbsp;/&nbsp;2</a>" in dom
    run_row = dom[dom.index('<tr id="run-cannes_2024"'):]
    assert '<td class="s-success">success</td>' in run_row[: run_row.index("</tr>")]
    side = dom[dom.index('<tr data-list="cannes_winners">'):]
    cells = side[: side.index("</tr>")].replace("</td>", "").split("<td>")[1:]
    assert cells == ["cannes_winners", "cannes", "4", "2", "4", "4", "2"]
    check_report_in_chromium(chromium, out, tmp_path / "report.png")


def _luminance(rgb: str) -> float:
    channels = []
    for value in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]:
        c = int(value) / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def check_report_in_chromium(chromium: str, page_file, screenshot) -> None:
    """In a real browser at 1280×800: every link readable on its cell's colour (contrast ≥ 4.5), no link to an
    anchor that is not there, the newest year's column on screen without scrolling, organization names on one
    line; the screenshot kept."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(page_file.as_uri())
            links = page.eval_on_selector_all("td a", """links => links.map(a => {
                let cell = a.closest('td'); return [getComputedStyle(a).color,
                getComputedStyle(cell).backgroundColor, a.getAttribute('href'),
                !!document.getElementById(a.getAttribute('href').slice(1))]; })""")
            assert links
            for color, background, href, target in links:
                if background in ("rgba(0, 0, 0, 0)", "transparent"):
                    background = "rgb(255, 255, 255)"
                light, dark = sorted((_luminance(color), _luminance(background)), reverse=True)
                assert (light + 0.05) / (dark + 0.05) >= 4.5, (href, color, background)
                assert target, f"{href} points at nothing"
            newest = page.eval_on_selector("#grid thead th:nth-child(2)", "th => [th.textContent, th.getBoundingClientRect().right]")
            assert int(newest[0]) == max(int(t) for t in page.eval_on_selector_all(
                "#grid thead th[scope=col]", "ths => ths.map(t => t.textContent)"))
            assert newest[1] <= 1280
            heights = page.eval_on_selector_all("#grid th[scope=row]", "ths => ths.map(t => t.getBoundingClientRect().height)")
            assert max(heights) < 2 * min(heights)  # no name wraps onto several lines
            page.screenshot(path=str(screenshot))
        finally:
            browser.close()
    assert screenshot.exists() and screenshot.stat().st_size > 10_000
