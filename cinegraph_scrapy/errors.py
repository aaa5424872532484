"""Errors that end a command or crawl with one clear line instead of a traceback."""

from scrapy.exceptions import IgnoreRequest


class CinegraphError(Exception):
    """A problem the user can fix (bad key, bad config, unreachable database...)."""


class ConfigError(CinegraphError):
    """A movie_lists row or a spider argument that cannot be imported."""


class DatabaseError(CinegraphError):
    """DATABASE_URL is malformed or the database cannot be reached."""


class BlockedPage(CinegraphError):
    """IMDb answered, but not with the page we asked for (403, WAF challenge, robot check, no data)."""


class NothingImported(CinegraphError):
    """The command needs imported data and the configurations asked for were never imported (exit 1)."""


class HostUnreachable(IgnoreRequest):
    """A request to a host this crawl already found unreachable (middlewares/unreachable.py): the spiders
    record the page as failed without logging the cause again."""
