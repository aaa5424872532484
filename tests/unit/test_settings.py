"""Defaults a user gets without any -s: polite to IMDb, TMDb within its limits, no control server."""

from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from cinegraph_scrapy.addon import CinegraphAddon
from cinegraph_scrapy.pipelines.tmdb import TMDB_SLOT, tmdb_slot_settings


def project_settings():
    import os

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "cinegraph_scrapy.settings")
    return get_project_settings()


def test_polite_by_default():
    s = project_settings()
    assert "Mozilla/5.0" in s.get("USER_AGENT") and "Scrapy" not in s.get("USER_AGENT")
    assert s.getfloat("DOWNLOAD_DELAY") >= 1.0 and s.getbool("AUTOTHROTTLE_ENABLED")
    assert s.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY") <= 1.0
    assert s.getbool("REMOTE_CONTROL_ENABLED") is False
    assert list(s.getdict("ITEM_PIPELINES")) == [
        "cinegraph_scrapy.pipelines.validate.ValidationPipeline",
        "cinegraph_scrapy.pipelines.dedupe.DeduplicationPipeline",
        "cinegraph_scrapy.pipelines.tmdb.TmdbEnrichmentPipeline",
        "cinegraph_scrapy.pipelines.store.StoragePipeline",
    ]
    assert sorted(s.getdict("ITEM_PIPELINES").values()) == list(s.getdict("ITEM_PIPELINES").values())


def test_tmdb_slot_is_limited_to_its_concurrency_and_rate():
    assert tmdb_slot_settings(Settings({"TMDB_CONCURRENCY": 8, "TMDB_MAX_RPS": 35})) == {
        "concurrency": 8, "delay": 1 / 35, "jitter": 0}
    assert tmdb_slot_settings(Settings({"TMDB_CONCURRENCY": 4, "TMDB_MAX_RPS": 0}))["delay"] == 1 / 1000
    s = project_settings().copy()
    CinegraphAddon().update_settings(s)
    slot = s.getdict("DOWNLOAD_SLOTS")[TMDB_SLOT]
    assert slot["concurrency"] == 8 and abs(slot["delay"] - 1 / 35) < 1e-9


def test_writer_threads_get_the_interpreter_back_soon_during_a_crawl_only():
    import sys

    from scrapy.exceptions import NotConfigured
    from scrapy.utils.test import get_crawler

    from cinegraph_scrapy.extensions.thread_switching import ThreadSwitching

    assert get_project_settings().getfloat("THREAD_SWITCH_INTERVAL") == 0.0005
    before = sys.getswitchinterval()
    ext = ThreadSwitching.from_crawler(get_crawler(settings_dict={"THREAD_SWITCH_INTERVAL": 0.0007}))
    ext.engine_started()
    try:
        assert abs(sys.getswitchinterval() - 0.0007) < 1e-9
    finally:
        ext.engine_stopped()
    assert sys.getswitchinterval() == before
    try:
        ThreadSwitching.from_crawler(get_crawler(settings_dict={"THREAD_SWITCH_INTERVAL": 0}))
    except NotConfigured:
        pass
    else:
        raise AssertionError("THREAD_SWITCH_INTERVAL=0 must leave the interpreter alone")
