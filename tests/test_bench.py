"""The benchmark's quick variant runs in the suite, so that it cannot rot (figures are printed, not judged)."""

import re
import subprocess
import sys

from tests.conftest import ROOT


def test_quick_benchmark_prints_its_figures():
    proc = subprocess.run([sys.executable, "-m", "bench", "--quick"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    for row in ("event import (TMDb off)", "event import via API (TMDb off)", "event bare Scrapy (API requests)", "event re-import, pages unchanged", "event floor (fetch+json.loads+COPY)",
                "event bare Scrapy (minimal items)", "event bare Scrapy (project's fields)", "list import (TMDb off)",
                "list re-import, pages unchanged", "list bare Scrapy (project's fields)",
                "event bare Scrapy (fields, item/page)", "list bare Scrapy (fields, item/page)",
                "event import (TMDb on, first run)", "event import (TMDb on, re-run)"):
        assert re.search(rf"{re.escape(row)}\s+\d+\.\d\d\s+\d", out), row
    assert re.search(r"ratio event import / floor: \d+\.\d\d\s+import / bare Scrapy \(same items\): \d+\.\d\d\s+"
                     r"unchanged re-import / bare Scrapy \(same items\): \d+\.\d\d", out)
    assert re.search(r"ratio list import / bare Scrapy \(one item per page\): \d+\.\d\d", out)
    assert re.search(r"ratio event API import / bare Scrapy \(same API requests, minimal items\): \d+\.\d\d", out)
    assert re.search(r"per edition: page path 1 request, [\d.]+ kB; API path [\d.]+ requests, [\d.]+ kB", out)
    per_film = float(re.search(r"TMDb requests per unique film \(first run\): (\d+\.\d\d)", out).group(1))
    assert 0 < per_film <= 2.0
    assert "TMDb requests on re-run: 0" in out
    assert re.search(r"900 nominations stored", out)
