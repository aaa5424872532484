"""The fault suite's bookkeeping: each case snapshots row counts before and after the fault, and the run
ends with one line — cases run, survived, rows lost (must be 0)."""

from __future__ import annotations

import pytest

RESULTS: list[tuple[str, bool, int]] = []


class FaultCase:
    def __init__(self, db):
        self.db = db
        self.before: dict[str, int] | None = None
        self.rows_lost = 0

    def snapshot(self) -> dict[str, int]:
        self.before = self.db.counts()
        return self.before

    def assert_nothing_lost(self, **expected_growth: int) -> dict[str, int]:
        """Every table has at least as many rows as before (plus the growth expected of the run)."""
        assert self.before is not None, "snapshot() first"
        after = self.db.counts()
        self.rows_lost = sum(max(0, self.before[t] - after[t]) for t in self.before)
        assert self.rows_lost == 0, f"rows lost: before {self.before}, after {after}"
        for table, growth in expected_growth.items():
            assert after[table] - self.before[table] == growth, (table, self.before, after)
        return after


@pytest.fixture
def fault(request, db):
    case = FaultCase(db)
    yield case
    report = getattr(request.node, "rep_call", None)
    RESULTS.append((request.node.name, bool(report and report.passed), case.rows_lost))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


def pytest_terminal_summary(terminalreporter):
    if RESULTS:
        survived = sum(1 for _, ok, _ in RESULTS if ok)
        lost = sum(lost for _, _, lost in RESULTS)
        terminalreporter.write_line(
            f"fault suite: {len(RESULTS)} cases run, {survived} survived, {lost} rows lost")
