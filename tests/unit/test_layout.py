"""The shape the code keeps (issue #23): layers that only import downwards, modules under 400 lines and
functions under 60, and pipelines and extensions that read nothing off the spider (they get the engine from
the settings and the imports from signals). Measured with `ast` on the package's own source."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "cinegraph_scrapy"

# Lowest first. A module may import from its own layer and those below it, never from one above.
LAYERS = [
    {"errors", "ids", "jsontext", "redaction", "signals", "items"},
    {"parsing", "queries"},
    {"db"},
    {"configs", "organizations", "seeding", "discovery", "runs", "locks", "drift", "storage", "canonical", "quality",
     "audit", "scrapyd_nodes", "scrapyd_web", "exporters"},
    {"middlewares", "pipelines"},
    {"extensions"},
    {"spiders"},
    {"commands", "cli", "addon", "settings", "demo", "logformatter"},
]


def sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text())


def part_of(module: str) -> str:
    """The layer name of `cinegraph_scrapy.x.y` (or of a path's first part under the package)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer(name: str) -> int:
    for index, names in enumerate(LAYERS):
        if name in names:
            return index
    raise AssertionError(f"{name} is in no layer: add it to LAYERS")


def imported(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cinegraph_scrapy"):
            if node.module == "cinegraph_scrapy":
                yield from (f"cinegraph_scrapy.{a.name}" for a in node.names)
            else:
                yield node.module
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("cinegraph_scrapy."))


def test_no_module_imports_from_a_layer_above_it():
    upward = []
    for path, tree in sources():
        rel = path.relative_to(PACKAGE)
        if rel.parts == ("__init__.py",):
            continue
        own = rel.parts[0].removesuffix(".py")
        for module in imported(tree):
            if layer(part_of(module)) > layer(own):
                upward.append(f"{rel} imports {module}")
    assert upward == []


def test_modules_stay_under_400_lines_and_functions_under_60():
    big = []
    for path, tree in sources():
        lines = len(path.read_text().splitlines())
        if lines > 400:
            big.append(f"{path.relative_to(PACKAGE)}: {lines} lines")
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > 60:
                big.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}: {node.end_lineno - node.lineno + 1}")
    assert big == []


def spider_reads(tree) -> list[str]:
    """`spider.x`, `self.spider.x`, `crawler.spider.x` and `getattr(spider, …)` in a module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            value = node.value
            if (isinstance(value, ast.Name) and value.id == "spider") or (
                    isinstance(value, ast.Attribute) and value.attr == "spider"):
                found.append(f"{ast.unparse(node)} (line {node.lineno})")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr")
                and node.args and ast.unparse(node.args[0]).endswith("spider")):
            found.append(f"{ast.unparse(node)} (line {node.lineno})")
    return found


def test_pipelines_and_extensions_read_nothing_off_the_spider():
    reads = {}
    for path, tree in sources():
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in ("pipelines", "extensions") and spider_reads(tree):
            reads[str(rel)] = spider_reads(tree)
    assert reads == {}


def test_the_postgresql_or_generic_choice_of_page_writes_is_made_once():
    choosers = [str(path.relative_to(PACKAGE)) for path, tree in sources()
                if "PostgresWrites(" in ast.unparse(tree) and "class PostgresWrites" not in ast.unparse(tree)]
    assert choosers == ["db/writes.py"]
    for path, tree in sources():
        if path.parent.name in ("storage", "pipelines"):
            assert "dialect" not in path.read_text(), path


def test_the_checks_above_can_fail():
    """Each check finds what it looks for in code made to break it."""
    assert spider_reads(ast.parse("def f(spider):\n    return spider.ledgers, getattr(spider, 'x', 1)")) == [
        "spider.ledgers (line 2)", "getattr(spider, 'x', 1) (line 2)"]
    assert spider_reads(ast.parse("self.crawler.spider.engine_db")) == ["self.crawler.spider.engine_db (line 1)"]
    assert list(imported(ast.parse("from cinegraph_scrapy import jsontext\nimport cinegraph_scrapy.spiders.base"))) == [
        "cinegraph_scrapy.jsontext", "cinegraph_scrapy.spiders.base"]
    assert layer(part_of("cinegraph_scrapy.spiders.base")) > layer(part_of("cinegraph_scrapy.pipelines.store"))
