"""Feed exporters that write one record per row of a page (a list entry, a nomination's film, a film),
not one per PageItem: `-O items.jsonl` reads as if every row had been its own item. Registered for
Scrapy's formats in settings.FEED_EXPORTERS."""

from __future__ import annotations

from scrapy import exporters

from cinegraph_scrapy.items import PageItem, feed_record


class _Rows:
    def export_item(self, item):
        if isinstance(item, PageItem):
            for row in item.rows:
                super().export_item(feed_record(item, row))
            return None
        return super().export_item(item)


class JsonItemExporter(_Rows, exporters.JsonItemExporter):
    pass


class JsonLinesItemExporter(_Rows, exporters.JsonLinesItemExporter):
    pass


class CsvItemExporter(_Rows, exporters.CsvItemExporter):
    pass


class XmlItemExporter(_Rows, exporters.XmlItemExporter):
    pass


class MarshalItemExporter(_Rows, exporters.MarshalItemExporter):
    pass


class PickleItemExporter(_Rows, exporters.PickleItemExporter):
    pass

