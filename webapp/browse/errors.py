"""Friendly error pages for browsers (404, 405 and 500); other clients get the plain error. A 500
never shows a traceback, query text or paths (THREATS D7)."""

from __future__ import annotations

from flask import render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, NotFound

from webapp.browse import bp


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "text/plain"])
    return best == "text/html" or not request.accept_mimetypes


def _page(error: HTTPException) -> tuple[str, int] | HTTPException:
    if not _wants_html():
        return error
    return render_template("browse/error.html", code=error.code), error.code or 500


@bp.app_errorhandler(NotFound)
def not_found(error: NotFound) -> tuple[str, int] | HTTPException:
    return _page(error)


@bp.app_errorhandler(MethodNotAllowed)
def method_not_allowed(
    error: MethodNotAllowed,
) -> tuple[str, int, dict[str, str]] | HTTPException:
    page = _page(error)
    if isinstance(page, HTTPException):
        return page
    return *page, {"Allow": ", ".join(error.valid_methods or ())}


@bp.app_errorhandler(InternalServerError)
def internal_error(error: InternalServerError) -> tuple[str, int] | HTTPException:
    return _page(InternalServerError())
