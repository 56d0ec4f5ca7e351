"""The editing area under ``/-/editing/``: editors of a socialtilsyn sign in, upload provider data
(dry-run preview, then commit), record approvals, and read each provider's audit trail.

Enabled only when the setting EDITORS_FILE names the editors; then SECRET_KEY is required.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, Flask, current_app, render_template
from werkzeug.exceptions import HTTPException

from catalogue.compliance import CheckError, CriteriaError, check
from webapp.catalogue_ext import get_catalogue
from webapp.editing import auth

bp = Blueprint("editing", __name__, url_prefix="/-/editing", template_folder="../templates")

REFUSALS = {
    400: "editing.refused.400",
    401: "editing.refused.401",
    403: "editing.refused.403",
    404: "editing.refused.404",
    409: "editing.refused.409",
    413: "editing.refused.413",
    415: "editing.refused.415",
    422: "editing.refused.422",
    429: "editing.refused.429",
}


def drafts_root() -> Path:
    root: Path = current_app.config["EDITING_DRAFTS"]
    return root


def refused(code: int, key: str | None = None) -> tuple[str, int]:
    """A page that says plainly why a request was refused."""
    message = key or REFUSALS.get(code, "editing.refused.400")
    return render_template("editing/refused.html", code=code, message=message), code


def _refusal(error: HTTPException) -> tuple[str, int]:
    return refused(error.code or 400)


for _code in REFUSALS:  # by code, so they win over the app's own pages for these codes
    bp.register_error_handler(_code, _refusal)


bp.before_request(auth.refuse_forgery)


def recheck(tpids: list[str]) -> None:
    """Re-check the changed providers (incremental). The change is saved and audited already; a
    failed check leaves the previous reports in place and is logged, not shown as an error."""
    try:
        check(get_catalogue().store, tpids)
    except (CheckError, CriteriaError):
        current_app.logger.exception("editing: re-checking %s failed", ", ".join(tpids))


def init_app(app: Flask) -> None:
    """Register the editing area if editors are configured (Settings.editors_file)."""
    if not app.extensions["catalogue"].settings.editors_file:
        return
    auth.configure(app)
    app.config.setdefault("EDITING_DRAFTS", Path(tempfile.gettempdir()) / "specialekatalog-drafts")
    app.extensions["editing_throttle"] = auth.Throttle()
    app.jinja_env.globals.update(csrf_token=auth.csrf_token, current_editor=auth.current_editor)
    app.register_blueprint(bp)


from webapp.editing import (  # noqa: E402, F401  (the routes)
    assessments,
    decisions,
    providers,
    uploads,
    views,
)
