"""A real scrapyd (one and two nodes) on loopback with basic auth: deploy the project's egg with
scrapyd-deploy, schedule imports with `scrapy schedule`, watch them finish, check the rows and the job view."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, scrapy
from tests.support.events import VENICE_NOMINATIONS
from tests.support.scenes import serve_venice
from tests.support.server import Reply

USER, PASSWORD = "cinegraph", "s3cret-scrapyd-pw"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Scrapyd:
    def __init__(self, workdir: Path, db_url: str):
        self.port = free_port()
        self.dir = workdir / f"node-{self.port}"
        self.dir.mkdir()
        shutil.copy(ROOT / "scrapyd.conf", self.dir / "scrapyd.conf")  # the repository's own node config
        shutil.copy(ROOT / "scrapy.cfg", self.dir / "scrapy.cfg")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TMDB_", "SCRAPY_"))}
        env.update(SCRAPYD_HTTP_PORT=str(self.port), SCRAPYD_USERNAME=USER, SCRAPYD_PASSWORD=PASSWORD,
                   DATABASE_URL=db_url, PYTHONPATH=str(ROOT))
        self.log = open(self.dir / "scrapyd.out", "w")
        # The documented way: `scrapy scrapyd` (refuses without credentials, runs scrapyd in the project dir).
        self.proc = subprocess.Popen([sys.executable, "-m", "scrapy", "scrapyd"], cwd=self.dir, env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/daemonstatus.json", auth=(USER, PASSWORD), timeout=2).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise AssertionError("scrapyd did not start: " + (self.dir / "scrapyd.out").read_text())

    def get(self, path, **params):
        return requests.get(f"{self.url}/{path}", params=params, auth=(USER, PASSWORD), timeout=10)

    def jobs(self):
        return self.get("listjobs.json", project="cinegraph_scrapy").json()

    def wait_finished(self, count: int, timeout: float = 120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = self.jobs()
            if len(jobs["finished"]) >= count and not jobs["pending"] and not jobs["running"]:
                return jobs["finished"]
            time.sleep(0.5)
        raise AssertionError(f"jobs did not finish: {self.jobs()}")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def project_copy(tmp_path: Path, nodes: list[Scrapyd]) -> Path:
    """The project as a user checks it out, with scrapy.cfg's deploy targets pointed at the test nodes."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "cinegraph_scrapy", project / "cinegraph_scrapy",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "setup.py", project / "setup.py")
    cfg = (ROOT / "scrapy.cfg").read_text()
    assert "[deploy:local]\nurl = http://127.0.0.1:6800\n" in cfg  # no trailing slash
    cfg = cfg.replace("http://127.0.0.1:6800", nodes[0].url)
    for i, node in enumerate(nodes[1:], start=2):
        cfg += (f"\n[deploy:node{i}]\nurl = {node.url}\nproject = cinegraph_scrapy\n"
                "username = ${SCRAPYD_USERNAME}\npassword = ${SCRAPYD_PASSWORD}\n")
    (project / "scrapy.cfg").write_text(cfg)
    return project


def deploy(project: Path, target: str) -> dict:
    env = {**os.environ, "SCRAPYD_USERNAME": USER, "SCRAPYD_PASSWORD": PASSWORD}
    proc = subprocess.run([str(BIN / "scrapyd-deploy"), target], cwd=project, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    answer = json.loads(proc.stdout[proc.stdout.index("{"):])
    assert answer["status"] == "ok", answer  # scrapyd-deploy exits 0 even when the egg is broken
    assert answer["spiders"] >= 3
    return answer


def schedule(project: Path, db_url: str, imdb_url: str, *args: str):
    return scrapy("schedule", *args, "--job-setting", f"IMDB_BASE_URL={imdb_url}",
                  "--job-setting", f"IMDB_GRAPHQL_URL={imdb_url}/no-graphql-here/", "--job-setting", "DOWNLOAD_DELAY=0",
                  "--job-setting", "AUTOTHROTTLE_ENABLED=False", db_url=db_url, cwd=project,
                  env={"SCRAPYD_USERNAME": USER, "SCRAPYD_PASSWORD": PASSWORD, "PYTHONPATH": str(project)})


@pytest.fixture
def nodes(tmp_path, pg_url):
    started: list[Scrapyd] = []

    def start(n: int) -> list[Scrapyd]:
        for _ in range(n):
            started.append(Scrapyd(tmp_path, pg_url))
        return started

    yield start
    for node in started:
        node.stop()


def test_deploy_schedule_and_job_view(nodes, imdb, db, pg_url, tmp_path):
    (node,) = nodes(1)
    for year in (2023, 2024):
        serve_venice(imdb, year)
    slow = imdb.routes["/event/ev0000681/2022/1/"] = Reply.html(
        imdb.routes["/event/ev0000681/2024/1/"].body.decode(), delay=8.0)
    project = project_copy(tmp_path, [node])
    deploy(project, "local")

    run = schedule(project, pg_url, imdb.url, "--keys", "venice_2023,venice_2024")
    assert run.returncode == 0, run.log
    assert re.search(r"venice_2023\s+local\s+venice_2023--\w+\s+scheduled", run.stdout)
    assert "2 scheduled" in run.stdout
    finished = node.wait_finished(2)
    assert {j["spider"] for j in finished} == {"imdb_event"}
    assert db.scalar("SELECT count(*) FROM festival_nominations") == 2 * VENICE_NOMINATIONS
    assert db.rows("SELECT DISTINCT status FROM import_runs") == [("success",)]
    assert db.scalar("SELECT count(*) FROM import_runs WHERE job_id LIKE 'venice_20%--%'") == 2

    page = node.get("jobs").text
    assert requests.get(f"{node.url}/jobs", timeout=5).status_code == 401  # the job view needs auth
    for job in finished:
        assert job["id"] in page
        log = node.get(job["log_url"].lstrip("/")).text
        assert "Import summary" in log and "SUCCESS" in log.split("Import summary")[-1]
        assert log.strip().splitlines()[-1].endswith(f"IMPORT STATUS: success {job['id'].split('--')[0]} (1 success)")
        assert PASSWORD not in log
        items = [json.loads(line) for line in node.get(job["items_url"].lstrip("/")).text.splitlines()]
        assert len(items) == VENICE_NOMINATIONS and items[0]["source_key"] in ("venice_2023", "venice_2024")
    finished_section = page.split("Finished")[-1]
    assert finished_section.count(">Log<") >= 2 and finished_section.count(">Items<") >= 2

    # a key still running is skipped; a new one goes ahead
    first = schedule(project, pg_url, imdb.url, "--keys", "venice_2022")
    assert "1 scheduled" in first.stdout, first.log
    second = schedule(project, pg_url, imdb.url, "--keys", "venice_2022,venice_2023")
    assert re.search(r"venice_2022\s+local\s+skipped: already pending or running", second.stdout), second.log
    assert "1 scheduled, 1 not scheduled" in second.stdout
    node.wait_finished(4)
    assert slow is not None

    # a failed import is visible where operators look: `scrapy jobs` joins the jobs with their runs
    broken = schedule(project, pg_url, imdb.url, "--keys", "venice_2021")  # not served: the import fails
    assert "1 scheduled" in broken.stdout, broken.log
    node.wait_finished(5)
    jobs = scrapy("jobs", db_url=pg_url, cwd=project,
                  env={"SCRAPYD_USERNAME": USER, "SCRAPYD_PASSWORD": PASSWORD, "PYTHONPATH": str(project)})
    assert jobs.returncode == 0, jobs.log
    failed = [l for l in jobs.stdout.splitlines() if l.startswith("venice_2021 ")]
    assert len(failed) == 1 and re.search(r"venice_2021--\w+\s+finished\s+failed", failed[0]) and "HTTP 404" in failed[0]
    ok = [l for l in jobs.stdout.splitlines() if l.startswith("venice_2024 ")]
    assert ok and re.search(r"finished\s+success\s+pages 1, stored 9", ok[0]) and "+9 −0 ~0" in ok[0]

    wrong = scrapy("jobs", db_url=pg_url, cwd=project,
                   env={"SCRAPYD_USERNAME": USER, "SCRAPYD_PASSWORD": "not-it", "PYTHONPATH": str(project)})
    assert wrong.returncode == 2 and len(wrong.stderr.strip().splitlines()) == 1, wrong.stderr
    assert "is up but refused the credentials" in wrong.stderr and "SCRAPYD_PASSWORD" in wrong.stderr
    assert "not-it" not in wrong.stderr

    # … and scrapyd's own job view (the project's webroot) tells them apart too
    view = node.get("jobs").text
    rows = {m.group(1): m.group(0) for m in re.finditer(r"<tr>(?:(?!</tr>).)*?(venice_20\d\d--\w+)(?:(?!</tr>).)*</tr>",
                                                         view, re.S)}
    failed_row = next(row for job, row in rows.items() if job.startswith("venice_2021--"))
    assert 'data-import="failed"' in failed_row and "HTTP 404" in failed_row
    success_rows = [row for job, row in rows.items() if job.startswith("venice_2024--")]
    assert success_rows and all('data-import="success"' in row and "stored 9" in row for row in success_rows)
    assert "<th>Import</th>" in view and ">Log<" in view  # scrapyd's columns are kept


def test_jobs_are_spread_over_two_nodes(nodes, imdb, db, pg_url, tmp_path):
    a, b = nodes(2)
    for year in (2020, 2021, 2022, 2023):
        serve_venice(imdb, year)
    project = project_copy(tmp_path, [a, b])
    deploy(project, "local")
    deploy(project, "node2")
    run = schedule(project, pg_url, imdb.url, "--org", "venice", "--years", "2020-2023")
    assert run.returncode == 0, run.log
    placed = re.findall(r"^(venice_\d{4})\s+(local|node2)\s+\S+\s+scheduled", run.stdout, re.M)
    assert len(placed) == 4
    assert sorted(node for _, node in placed).count("local") == 2
    assert len(a.wait_finished(2)) == 2 and len(b.wait_finished(2)) == 2
    assert db.scalar("SELECT count(*) FROM festival_ceremonies") == 4


def test_scrapyd_refuses_to_start_without_credentials(tmp_path):
    shutil.copy(ROOT / "scrapy.cfg", tmp_path / "scrapy.cfg")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCRAPYD_", "SCRAPY_"))}
    env.update(PYTHONPATH=str(ROOT), SCRAPYD_HTTP_PORT=str(free_port()))
    for extra in ({}, {"SCRAPYD_USERNAME": USER}, {"SCRAPYD_USERNAME": USER, "SCRAPYD_PASSWORD": " "}):
        proc = subprocess.run([sys.executable, "-m", "scrapy", "scrapyd"], cwd=tmp_path, env={**env, **extra},
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: refusing to start scrapyd without credentials")
        assert "SCRAPYD_PASSWORD" in lines[0]
    assert not (tmp_path / ".scrapyd").exists()


def test_scrapyd_started_the_documented_way_demands_the_password(tmp_path):
    node = Scrapyd(tmp_path, "sqlite:///unused.db")
    try:
        assert requests.get(f"{node.url}/daemonstatus.json", timeout=5).status_code == 401
        assert requests.get(f"{node.url}/daemonstatus.json", auth=(USER, "wrong"), timeout=5).status_code == 401
        assert node.get("daemonstatus.json").json()["status"] == "ok"
    finally:
        node.stop()


def test_jobs_with_scrapyd_down_is_one_line_naming_the_fix(tmp_path, pg_url):
    down = type("Down", (), {"url": f"http://127.0.0.1:{free_port()}"})()
    project = project_copy(tmp_path, [down])
    run = scrapy("jobs", db_url=pg_url, cwd=project,
                 env={"SCRAPYD_USERNAME": USER, "SCRAPYD_PASSWORD": PASSWORD, "PYTHONPATH": str(project)})
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "is not running or not reachable: start it with `scrapy scrapyd`" in run.stderr
    assert "urllib3" not in run.stderr and "Traceback" not in run.stderr
