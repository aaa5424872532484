"""A page's rows travel the pipelines as one PageItem: stages drop rows (counted per reason), feeds still
get one record per row in every format."""

import asyncio
import csv
import io
import json
import logging
import pickle

from tests.support.crawlers import project_crawler, tracked_crawler

from cinegraph_scrapy import settings as project_settings
from cinegraph_scrapy.exporters import (CsvItemExporter, JsonItemExporter, JsonLinesItemExporter, PickleItemExporter,
                                        XmlItemExporter)
from cinegraph_scrapy.items import ListEntry, NominationRow, PageItem
from cinegraph_scrapy.pipelines.dedupe import DeduplicationPipeline
from cinegraph_scrapy.pipelines.validate import ValidationPipeline


def entry(imdb_id, title="A film", position=1):
    return ListEntry(imdb_id=imdb_id, title=title, position=position)


def nomination(imdb_id, people=(), category="Best Film"):
    return NominationRow(award_name="Golden Lion", category=category, won=False, imdb_id=imdb_id,
                         title="A film" if imdb_id else None, people=list(people))


def export(exporter_class, *items, **kwargs) -> bytes:
    out = io.BytesIO()
    exporter = exporter_class(out, **kwargs)
    exporter.start_exporting()
    for item in items:
        exporter.export_item(item)
    exporter.finish_exporting()
    return out.getvalue()


def page():
    return PageItem("my_list", 2, [entry("tt0000001", position=251), entry("tt0000002", "Another", 252)],
                    {"layout": "graphql"})


def test_every_feed_format_writes_one_record_per_row():
    lines = export(JsonLinesItemExporter, page()).decode().splitlines()
    assert [json.loads(line)["imdb_id"] for line in lines] == ["tt0000001", "tt0000002"]
    assert json.loads(lines[1])["position"] == 252 and json.loads(lines[1])["page"] == 2
    assert [r["title"] for r in json.loads(export(JsonItemExporter, page(), page()))] == ["A film", "Another"] * 2
    rows = list(csv.DictReader(io.StringIO(export(CsvItemExporter, page()).decode())))
    assert [(r["imdb_id"], r["position"]) for r in rows] == [("tt0000001", "251"), ("tt0000002", "252")]
    assert export(XmlItemExporter, page()).decode().count("<item>") == 2
    out = io.BytesIO(export(PickleItemExporter, page()))
    assert [pickle.load(out)["imdb_id"] for _ in range(2)] == ["tt0000001", "tt0000002"]
    # each record starts with its page's key and number (and an edition's rows with the edition), then the row
    assert list(json.loads(lines[0]))[:4] == ["source_key", "page", "imdb_id", "title"]
    edition = PageItem("venice_2024", 1, [nomination("tt0000003")],
                       {"event_id": "ev0000681", "edition_year": 2024, "edition_instance": 1, "layout": "api"})
    edition.rows[0].tmdb = {"tmdb_id": 7, "status": "enriched", "media_type": "movie", "credits": ["large"]}
    record = json.loads(export(JsonLinesItemExporter, edition))
    assert list(record)[:8] == ["source_key", "page", "event_id", "edition_year", "edition_instance", "award_name",
                                "category", "won"]
    assert record["tmdb"] == {"tmdb_id": 7, "status": "enriched", "media_type": "movie"}  # the summary only
    assert record["people_tmdb"] is None and "layout" not in record
    # an item that is not a page is exported as it is
    assert json.loads(export(JsonLinesItemExporter, {"imdb_id": "tt0000009"}))["imdb_id"] == "tt0000009"


def test_the_project_registers_them_for_scrapys_formats():
    from scrapy.settings import default_settings

    assert set(project_settings.FEED_EXPORTERS) == set(default_settings.FEED_EXPORTERS_BASE)
    for fmt, path in project_settings.FEED_EXPORTERS.items():
        module, name = path.rsplit(".", 1)
        assert module == "cinegraph_scrapy.exporters" and name.endswith("ItemExporter"), fmt


def crawler_with_ledger(key):
    """A crawler whose import extension keeps the ledger of `key` (what the stages signal lands there)."""
    crawler, extension, _ = tracked_crawler(keys=[key])
    return crawler, extension.ledgers[key]


def test_stages_drop_rows_not_pages_and_count_each_reason(caplog):
    crawler, ledger = crawler_with_ledger("venice_2024")
    rows = [nomination("tt0000001"), nomination("tt12"), nomination(None), nomination("tt0000001"),
            nomination(None, [{"imdb_id": "nm0000001", "name": "A", "role": "primary"}], "Best Actor")]
    item = PageItem("venice_2024", 1, rows)
    with caplog.at_level(logging.INFO):
        item = DeduplicationPipeline(crawler).process_item(ValidationPipeline(crawler).process_item(item))
    assert [(r.imdb_id, r.category) for r in item.rows] == [("tt0000001", "Best Film"), (None, "Best Actor")]
    assert ledger.items_dropped == 3
    assert dict(ledger.drop_reasons) == {"invalid_imdb_id": 1, "empty_nomination": 1, "duplicate": 1}
    stats = crawler.stats.get_stats()
    assert stats["cinegraph/dropped/duplicate"] == 1 and stats["item_dropped_count"] == 3
    assert sum(r.getMessage().startswith("Dropped: ") for r in caplog.records) == 3
    # a row seen on an earlier page of the same import is a duplicate too
    dedupe = DeduplicationPipeline(crawler)
    assert len(dedupe.process_item(PageItem("my_list", 1, [entry("tt0000005")])).rows) == 1
    assert dedupe.process_item(PageItem("my_list", 2, [entry("tt0000005", position=300)])).rows == []


def test_a_nominee_named_twice_is_one_nomination_that_won_if_either_mention_won():
    """Busan 2022 on IMDb lists Goein among the New Currents winners and again among its nominees."""
    crawler, ledger = crawler_with_ledger("busan_2022")
    loser, winner = nomination("tt22171858"), nomination("tt22171858")
    winner.won, loser.notes = True, "first mention"
    item = DeduplicationPipeline(crawler).process_item(PageItem("busan_2022", 1, [loser, winner]))
    assert [(r.imdb_id, r.won, r.notes) for r in item.rows] == [("tt22171858", True, "first mention")]
    assert dict(ledger.drop_reasons) == {"duplicate": 1}


def test_a_row_whose_tmdb_enrichment_raises_is_still_stored_and_the_error_logged(caplog):
    from cinegraph_scrapy.pipelines.tmdb import TmdbEnrichmentPipeline

    crawler = project_crawler(**{"TMDB_API_KEY": "k", "TMDB_API_BASE": "http://127.0.0.1:9/3"})
    pipeline = TmdbEnrichmentPipeline(crawler)

    async def enrich(row):
        if row.imdb_id == "tt0000002":
            raise ValueError("unexpected answer")
        row.tmdb = {"status": "enriched"}

    pipeline._enrich_title = enrich
    with caplog.at_level(logging.ERROR):
        item = asyncio.run(pipeline.process_item(page()))
    assert [(r.imdb_id, r.tmdb) for r in item.rows] == [("tt0000001", {"status": "enriched"}), ("tt0000002", None)]
    assert crawler.stats.get_value("tmdb/errors/ValueError") == 1
    assert "TMDb enrichment of tt0000002 failed: ValueError: unexpected answer" in caplog.text
