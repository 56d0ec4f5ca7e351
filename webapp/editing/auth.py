"""Signing editors in and out, and refusing forged requests (THREATS D1, D2, D4).

- The session cookie is signed (SECRET_KEY), HttpOnly, SameSite=Lax, Secure and ``__Host-`` named
  outside tests, and lives for a working day.
- An unsafe request (POST) is refused with 403 when the browser says it comes from another site
  (``Sec-Fetch-Site`` not same-origin/none) or its ``Origin`` is not this host (Datasette's
  token-free check), and with 400 when the form lacks the session's token.
- Failed sign-ins are counted per name and address together (``MAX_FAILURES`` in ``WINDOW_S``) and
  per address (``MAX_ADDRESS_FAILURES``, for guessing many names); past either, the next attempts
  from there get 429 until the window has passed. Never per name alone: failures from anywhere
  else must not lock the real editor out (issue 14 item 7). Failures say only "wrong name or
  password"; the passwords are stored as slow hashes (``catalogue.editors``).
"""

from __future__ import annotations

import functools
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, g, redirect, request, session, url_for

from catalogue.editors import Editor, load_editors
from webapp.browse.links import with_language
from webapp.catalogue_ext import get_catalogue

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_SITE = frozenset({"same-origin", "none"})
SESSION_LIFETIME = timedelta(hours=8)
MAX_FAILURES = 5
MAX_ADDRESS_FAILURES = 20
WINDOW_S = 15 * 60

View = TypeVar("View", bound=Callable[..., Any])


def configure(app: Flask) -> None:
    """Harden the session cookie; refuse to start editing without a secret key."""
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError(
            "editing needs SPECIALEKATALOG_SECRET_KEY (a long random value) to sign its cookies"
        )
    secure = not app.testing
    app.config.update(
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="__Host-specialekatalog" if secure else "specialekatalog",
        SESSION_COOKIE_PATH="/",
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
    )


def editors_path() -> Path:
    return Path(get_catalogue().settings.editors_file)


def current_editor() -> Editor | None:
    """The signed-in editor, if still in the editors file (removing an editor signs them out)."""
    if "editor" not in g:
        name = session.get("editor")
        g.editor = load_editors(editors_path()).get(name) if isinstance(name, str) else None
    editor: Editor | None = g.editor
    return editor


def sign_in(editor: Editor) -> None:
    """A fresh session (no fixation) with a new form token."""
    session.clear()
    session.permanent = True
    session["editor"] = editor.name
    session["csrf"] = secrets.token_urlsafe(32)
    g.editor = editor


def sign_out() -> None:
    session.clear()
    g.editor = None


def editor_required(view: View) -> View:
    """Anonymous: unsafe requests get 401, pages redirect to the sign-in page."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_editor() is None:
            if request.method not in SAFE_METHODS:
                abort(401)
            return redirect(with_language(url_for("editing.login", next=request.path)))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def _same_origin(origin: str) -> bool:
    parts = urlsplit(origin)
    return parts.scheme == request.scheme and parts.netloc == request.host


def refuse_forgery() -> None:
    """Before every unsafe editing request: 403 when cross-site, 401 when anonymous (except to
    sign in), 400 without the session's form token."""
    if request.method in SAFE_METHODS:
        return
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in SAME_SITE:
        abort(403)
    origin = request.headers.get("Origin")
    if origin is not None and not _same_origin(origin):
        abort(403)
    if request.endpoint != "editing.login" and current_editor() is None:
        abort(401)
    sent = request.form.get("csrf_token", "")  # parses the body: 413 here if it is too large
    expected = session.get("csrf")
    if not isinstance(expected, str) or not secrets.compare_digest(sent, expected):
        abort(400)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site may be a redirect target after signing in."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return None


def sign_in_keys(name: str, address: str) -> tuple[str, str]:
    """What failed sign-ins are counted by: the name from this address, and this address."""
    return f"name:{name.casefold()} address:{address}", f"address:{address}"


class Throttle:
    """Failed sign-ins per key (``sign_in_keys``) in a sliding window, in this process."""

    def __init__(
        self,
        limit: int = MAX_FAILURES,
        window_s: float = WINDOW_S,
        address_limit: int = MAX_ADDRESS_FAILURES,
    ) -> None:
        self.limit, self.window_s, self.address_limit = limit, window_s, address_limit
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window_s:
            times.popleft()
        return times

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(key, now)) >= self._limit(key) for key in keys)

    def _limit(self, key: str) -> int:
        return self.address_limit if key.startswith("address:") else self.limit

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
