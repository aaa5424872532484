"""Project commands (COMMANDS_MODULE): migrate, seed, lists, crawl (with pre-flight checks), schedule,
compare, migrate_lists, report. Shared helpers live in cinegraph_scrapy.cli."""
