"""`scrapy scrapyd`: the documented way to start a scrapyd node for this project. scrapyd's API can
deploy and run code, so it refuses to start without SCRAPYD_USERNAME and SCRAPYD_PASSWORD (basic auth on
the API and the web UI); then it runs scrapyd from the project directory, which reads ./scrapyd.conf
(127.0.0.1:6800, items, SQLite job storage). Extra arguments go to scrapyd (twistd options)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.utils.conf import closest_scrapy_cfg


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self):
        return "[scrapyd options]"

    def short_desc(self):
        return "Start scrapyd with the project's config; refuses to start without credentials"

    def run(self, args, opts):
        missing = [name for name in ("SCRAPYD_USERNAME", "SCRAPYD_PASSWORD") if not os.environ.get(name, "").strip()]
        if missing:
            print(f"error: refusing to start scrapyd without credentials: set {' and '.join(missing)} "
                  "(scrapyd's API can deploy and run code)", file=sys.stderr)
            self.exitcode = 2
            return
        project_dir = Path(closest_scrapy_cfg()).parent
        os.chdir(project_dir)
        print(f"scrapyd: starting in {project_dir} with ./scrapyd.conf, basic auth as "
              f"{os.environ['SCRAPYD_USERNAME']!r}", file=sys.stderr, flush=True)
        os.execv(sys.executable, [sys.executable, "-m", "scrapyd", *args])
