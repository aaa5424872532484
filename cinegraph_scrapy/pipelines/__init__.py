"""Item pipelines, one concern each, ordered in settings.ITEM_PIPELINES:
validate (100) → dedupe (200) → tmdb (300) → store (800)."""

from scrapy.exceptions import DropItem


class Dropped(DropItem):
    """A DropItem with a short reason code, counted per reason in the run and in the stats."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
