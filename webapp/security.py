"""Security headers on every response (OWASP ASVS V3.4), and the server's guards against the
holes of issue 14 item 7 that are not one page's business:

- ``Strict-Transport-Security`` on every response to a request that came over HTTPS (behind a
  reverse proxy that terminates TLS, the proxy sends it: README, "Behind nginx");
- log lines cannot be forged: control characters in a logged message (a newline in a requested
  path, in an engine's error about a visitor's query) are written as escapes;
- waitress's "Task queue depth" warning, given for every request while the threads are busy, is
  logged at most once a minute with the number left out;
- a path whose IRI is not a valid IRI (``/ontology/%20``) is a 404, not a 500;
- the waitress options that bound idle and slow connections (``server_options``).
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import NotFound

from catalogue.config import Settings
from catalogue.queries import QueryError
from catalogue.store import StoreError
from webapp.i18n import LANGUAGES, texts

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"
QUEUE_LOGGER = "waitress.queue"
QUEUE_WARNING_EVERY_S = 60.0
# Idle or half-sent connections are closed after CHANNEL_TIMEOUT_S; up to CONNECTION_LIMIT are
# held open (poll(), not select(), so more than 1024 descriptors work).
CONNECTION_LIMIT = 1000
CHANNEL_TIMEOUT_S = 30
CLEANUP_INTERVAL_S = 5
MAX_HEADER_BYTES = 64 * 1024
STORE_RETRY_AFTER_S = 10
log = logging.getLogger(__name__)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\n\u2028\u2029]")


def server_options(settings: Settings) -> dict[str, Any]:
    """Waitress options for ``serve``: bounded connections, idle timeouts, request sizes."""
    return {
        "connection_limit": CONNECTION_LIMIT,
        "channel_timeout": CHANNEL_TIMEOUT_S,
        "cleanup_interval": CLEANUP_INTERVAL_S,
        "asyncore_use_poll": True,
        "max_request_header_size": MAX_HEADER_BYTES,
        "max_request_body_size": (settings.max_upload_mb + 1) * 1024 * 1024,
    }


def _escaped(text: str) -> str:
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class _SafeRecord(logging.LogRecord):
    def getMessage(self) -> str:  # noqa: N802 (the logging API's name)
        return _escaped(super().getMessage())


class QueueWarnings(logging.Filter):
    """Let one "Task queue depth" warning through per interval; count the others."""

    def __init__(self, every_s: float = QUEUE_WARNING_EVERY_S) -> None:
        super().__init__()
        self._every_s = every_s
        self._last = -every_s
        self._left_out = 0

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        if now - self._last < self._every_s:
            self._left_out += 1
            return False
        if self._left_out:
            record.msg = f"{record.msg} ({self._left_out} such warnings left out)"
        self._last, self._left_out = now, 0
        return True


def _guard_logging() -> None:
    logging.setLogRecordFactory(_SafeRecord)
    queue = logging.getLogger(QUEUE_LOGGER)
    if not any(isinstance(f, QueueWarnings) for f in queue.filters):
        queue.addFilter(QueueWarnings())


def init_app(app: Flask) -> None:
    _guard_logging()

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    @app.errorhandler(QueryError)
    def not_an_iri(exc: QueryError) -> Any:
        """A visitor's path that names no valid IRI names nothing here."""
        return app.handle_http_exception(NotFound())

    @app.errorhandler(StoreError)
    def store_unavailable(exc: StoreError) -> Response:
        """The store did not answer (a remote server stopped, hung or sent a broken answer): a
        clear 503 in both languages, to be retried, never a 500 (tests/test_sparql_remote_faults)
        """
        log.warning("store unavailable: %s", exc)
        found = texts("store.unavailable") or dict.fromkeys(LANGUAGES, str(exc))
        body = "".join(f"{found[lang]}\n" for lang in LANGUAGES)
        response = Response(body, 503, mimetype="text/plain")
        response.headers["Content-Language"] = ", ".join(LANGUAGES)
        response.headers["Retry-After"] = str(STORE_RETRY_AFTER_S)
        return response
