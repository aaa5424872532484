"""Fail fast, say it once: when a host cannot be reached at all (its name does not resolve, the connection is
refused, TLS fails), no further request to it is sent in this crawl and none is retried. Every request to it
fails at once with the first failure's cause (HostUnreachable), which is logged once, naming the host, the
cause and what to do; the spiders record it on each import without repeating it in the log.

Runs before the retry middleware sees the exception (its order is higher), so such a failure is not retried
either: a name that does not resolve now will not resolve in two seconds.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError

from cinegraph_scrapy.errors import HostUnreachable
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, NoRouteError

logger = logging.getLogger(__name__)

ADVICE = "check the network or proxy (`scrapy demo` works offline)"


def cause_of(exception: BaseException) -> str | None:
    """A one-word-or-so cause when `exception` means the host cannot be reached at all, else None."""
    if isinstance(exception, (CannotResolveHostError, DNSLookupError)):
        return "its name does not resolve"
    if isinstance(exception, (DownloadConnectionRefusedError, ConnectionRefusedError, NoRouteError)):
        return "the connection is refused"
    if "SSL" in type(exception).__name__ or "SSL routines" in str(exception):
        return "TLS fails"
    reasons = getattr(exception, "reasons", None) or []  # ResponseNeverReceived / ResponseFailed wrap TLS errors
    if any("SSL" in type(getattr(r, "value", r)).__name__ or "SSL" in str(getattr(r, "value", r)) for r in reasons):
        return "TLS fails"
    return None


class UnreachableHostsMiddleware:
    def __init__(self, crawler):
        self.stats = crawler.stats
        self.down: dict[str, str] = {}  # host → the one-line reason

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @staticmethod
    def _host(request) -> str:
        return urlsplit(request.url).netloc.lower()

    def process_request(self, request, spider=None):
        reason = self.down.get(self._host(request))
        if reason is not None:
            self.stats.inc_value("cinegraph/requests_not_sent_host_unreachable")
            raise HostUnreachable(reason)
        return None

    def process_exception(self, request, exception, spider=None):
        cause = cause_of(exception)
        if cause is None:
            return None
        host = self._host(request)
        if host not in self.down:
            self.down[host] = f"cannot reach {host}: {cause}; {ADVICE}"
            self.stats.inc_value("cinegraph/hosts_unreachable")
            logger.error("%s", self.down[host])
        raise HostUnreachable(self.down[host])
