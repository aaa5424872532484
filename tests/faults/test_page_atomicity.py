"""A crash in the middle of writing a page leaves the page fully stored or not at all (real PostgreSQL)."""

from tests.support.crawlers import tracked_crawler

from cinegraph_scrapy.configs import load_configs
from cinegraph_scrapy.db.engine import open_database
from cinegraph_scrapy.items import NominationRow, PageItem
from cinegraph_scrapy.pipelines.store import StoragePipeline


def items():
    return [NominationRow(award_name="Golden Lion", category=f"Cat {i}", won=i == 0,
                           imdb_id=f"tt{7000000 + i:07d}", title=f"F{i}",
                           people=[{"imdb_id": f"nm{7000000 + i:07d}", "name": f"P{i}"}]) for i in range(20)]


def storage_rig(pg_url, **settings):
    """The storage pipeline of a crawl importing venice_2024, with the ledger the import extension keeps."""
    engine = open_database(pg_url)
    (target,) = load_configs(engine, ["venice_2024"], imdb_base_url="https://www.imdb.com")
    crawler, extension, (pipeline,) = tracked_crawler(target=target, components=[StoragePipeline],
                                                      DATABASE_URL=pg_url, **settings)
    pipeline.open_spider()
    return crawler, pipeline, extension.ledgers["venice_2024"]


def store(pipeline, page_item) -> None:
    """What the pipeline does with a page, on this thread: write it, then say what became of it."""
    pipeline._report(page_item, pipeline._write_page(pipeline.imports[page_item.source_key], page_item))


def breaking_before_commit(pipeline, fault):
    """The page's writes run whole, then `fault(conn)` runs in the same transaction, before its commit."""
    write = pipeline.writer.write_page

    def write_then_break(conn, *args, **kwargs):
        result = write(conn, *args, **kwargs)
        fault(conn)
        return result

    pipeline.writer.write_page = write_then_break
    return write


def test_crash_mid_page_rolls_back_the_whole_page(pg_url, db, fault):
    crawler, pipeline, ledger = storage_rig(pg_url)
    fault.snapshot()

    def crash(conn):
        # everything of the page has been written inside the transaction by now
        assert conn.exec_driver_sql("SELECT count(*) FROM festival_nominations").scalar() == 20
        raise RuntimeError("power cut")

    write = breaking_before_commit(pipeline, crash)
    store(pipeline, PageItem("venice_2024", 1, items(), info={"event_name": "Venice"}))
    assert ledger.store_errors == ["storing page 1 failed: RuntimeError: power cut"]
    assert ledger.items_stored == 0
    fault.assert_nothing_lost(festival_nominations=0, movies=0, festival_categories=0, festival_ceremonies=0)

    pipeline.writer.write_page = write
    store(pipeline, PageItem("venice_2024", 1, items(), info={"event_name": "Venice"}))
    assert ledger.items_stored == 20 and ledger.nominations_stored == 20
    fault.assert_nothing_lost(festival_nominations=20, movies=20, festival_categories=20, festival_ceremonies=1)
    pipeline.executor.shutdown()


def test_page_whose_connection_dies_mid_transaction_is_retried_on_a_fresh_one(pg_url, db, fault):
    import psycopg

    from tests.conftest import PG_ADMIN_URL

    crawler, pipeline, ledger = storage_rig(pg_url, **{"DB_RETRY_BACKOFF": 0.01})
    fault.snapshot()
    killed = []

    def kill_own_backend(conn):
        if not killed:  # the first attempt loses its connection after writing everything, before COMMIT
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            killed.append(pid)

    breaking_before_commit(pipeline, kill_own_backend)
    store(pipeline, PageItem("venice_2024", 1, items(), info={"event_name": "Venice"}))
    assert killed and ledger.page_retries == 1 and ledger.store_errors == []
    assert ledger.items_stored == 20
    assert crawler.stats.get_value("cinegraph/page_write_retries") == 1
    assert crawler.stats.get_value("cinegraph/page_write_retries/lost connection") == 1
    fault.assert_nothing_lost(festival_nominations=20, movies=20, festival_categories=20, festival_ceremonies=1)
    pipeline.executor.shutdown()


def test_page_failing_with_deadlocks_past_the_retries_fails_with_the_reason(pg_url, db, fault):
    crawler, pipeline, ledger = storage_rig(pg_url, **{"DB_RETRY_BACKOFF": 0.01, "DB_PAGE_RETRIES": 2})
    fault.snapshot()
    attempts = []

    def deadlock(conn):
        attempts.append(1)
        conn.exec_driver_sql("DO $$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = '40P01'; END $$")

    breaking_before_commit(pipeline, deadlock)
    store(pipeline, PageItem("venice_2024", 1, items(), info={"event_name": "Venice"}))
    assert len(attempts) == 3 and ledger.page_retries == 2
    assert len(ledger.store_errors) == 1 and "after 2 retries" in ledger.store_errors[0]
    assert "DeadlockDetected" in ledger.store_errors[0]
    fault.assert_nothing_lost(festival_nominations=0, movies=0)
    pipeline.executor.shutdown()
