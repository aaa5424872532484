"""Keep secrets (TMDb key/token, scrapyd password, database password) out of logs, stats and errors.

Secrets are registered once per process; `redact()` scrubs them (and any `api_key=` query value) from
text, and `RedactingFilter` applies it to every log record that reaches a handler.
"""

from __future__ import annotations

import logging
import re

_secrets: set[str] = set()
_QUERY_KEY = re.compile(r"(?i)(api_key|access_token|password)=([^&\s'\"<>]+)")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-]+")
MASK = "***"


def register_secret(value: str | None) -> None:
    if value and len(value) >= 4:
        _secrets.add(value)


def redact(text: str) -> str:
    if not text:
        return text
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    text = _QUERY_KEY.sub(lambda m: f"{m.group(1)}={MASK}", text)
    return _BEARER.sub(lambda m: f"{m.group(1)}{MASK}", text)


def error_line(exc: BaseException) -> str:
    """`Type: first line of the message`, redacted: an error as one line of a log or a run's error."""
    text = str(exc)
    return redact(f"{type(exc).__name__}: {text.splitlines()[0]}" if text.strip() else type(exc).__name__)


class RedactingFilter(logging.Filter):
    """Formats the record's message once, scrubbed; also scrubs exception text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler
            return True
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, ()
        if record.exc_info and record.exc_info[1] is not None:
            exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(exc_text)
            record.exc_info = None
        return True


_FILTER = RedactingFilter()


def install_log_redaction() -> None:
    """Attach the filter to every root handler (Scrapy's included); safe to call more than once."""
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
