"""Upload → dry-run preview → commit (or discard).

The upload is refused before anything is kept when it is too large (413, by MAX_CONTENT_LENGTH),
has no file name or an unknown extension (415) or is empty (422). Otherwise the files are kept
server-side as a draft and the browser is sent to its preview, which shows every integrity problem
and the compliance report that would result. The commit re-reads the draft's files, not anything
the client sends, and writes under the editing lock only if no provider graph changed since the
preview (else 409); it is recorded in the audit trail and the providers are re-checked.
"""

from __future__ import annotations

import re

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from catalogue.audit import Activity, Busy, Stale, UploadedFile, audited
from catalogue.editors import Editor
from catalogue.importing import import_data, readable
from catalogue.namespaces import provider_graph
from webapp import uri_space
from webapp.browse.links import with_language
from webapp.catalogue_ext import get_catalogue
from webapp.editing import auth, bp, drafts, drafts_root, recheck, refused
from webapp.editing.preview import build
from webapp.i18n import current_language

MAX_DRAFTS = 20  # drafts remembered per session
_NAME = re.compile(r"[^\w .,()+-]")


class Refused(Exception):
    """The commit's own check found errors: nothing was written."""


def _max_bytes() -> int:
    mb: int = get_catalogue().settings.max_upload_mb
    return mb * 2**20


def _editor() -> Editor:
    editor = auth.current_editor()
    assert editor is not None  # editor_required
    return editor


def _file_name(raw: str) -> str:
    """The base name the browser sent, without directories or odd characters, for messages."""
    base = re.split(r"[\\/]", raw)[-1]
    return _NAME.sub("_", base)[:120]


@bp.post("/upload")
@auth.editor_required
def upload() -> Response | tuple[str, int]:
    uploads = [f for f in request.files.getlist("files")]
    if not uploads or any(not f.filename for f in uploads):
        return refused(415, "editing.refused.no_name")
    files: list[tuple[str, bytes]] = []
    for upload in uploads:
        name = _file_name(upload.filename or "")
        if not readable(name):
            return refused(415)
        data = upload.read()
        if not data:
            return refused(422, "editing.refused.empty")
        files.append((name, data))
    draft = drafts.save(drafts_root(), _editor().name, files)
    session["drafts"] = [*session.get("drafts", [])[-(MAX_DRAFTS - 1) :], draft.id]
    return redirect(with_language(url_for("editing.preview", draft_id=draft.id)), 303)


def _draft(draft_id: str) -> drafts.Draft:
    if draft_id not in session.get("drafts", []):
        abort(404)
    draft = drafts.load(drafts_root(), draft_id, _editor().name)
    if draft is None:
        abort(404)
    return draft


@bp.get("/preview/<draft_id>")
@auth.editor_required
def preview(draft_id: str) -> tuple[str, int]:
    draft = _draft(draft_id)
    store = get_catalogue().store
    shown = build(
        store, drafts.files(drafts_root(), draft), _editor(), _max_bytes(), current_language()
    )
    draft.providers, draft.ok, draft.expected = shown.tpids, shown.ok, shown.expected
    drafts.update(drafts_root(), draft)
    page = render_template("editing/preview.html", preview=shown, draft=draft)
    return page, 200 if shown.ok else 422


def _forget(draft: drafts.Draft) -> None:
    drafts.discard(drafts_root(), draft)
    session["drafts"] = [d for d in session.get("drafts", []) if d != draft.id]


@bp.post("/preview/<draft_id>/commit")
@auth.editor_required
def commit(draft_id: str) -> Response | tuple[str, int]:
    draft, editor = _draft(draft_id), _editor()
    if not draft.ok:
        return refused(422)
    files = drafts.files(drafts_root(), draft)
    names = ", ".join(name for name, _ in files)
    activity = Activity(
        editor,
        f"Import af {names}",
        f"Import of {names}",
        graphs=[provider_graph(tpid) for tpid in draft.providers],
        files=[UploadedFile.of(name, data) for name, data in files],
    )
    store = get_catalogue().store
    try:
        with audited(store, activity, expected=draft.expected):
            space = uri_space.current()
            if not import_data(store, files, max_bytes=_max_bytes(), uri_space=space).ok:
                raise Refused
    except (Busy, Stale):
        return refused(409)
    except Refused:
        return redirect(with_language(url_for("editing.preview", draft_id=draft.id)), 303)
    current_app.logger.info("editing: %s imported %s (%s)", editor.name, names, activity.iri)
    recheck(draft.providers)
    _forget(draft)
    if len(draft.providers) == 1:
        return redirect(with_language(url_for("browse.provider", tpid=draft.providers[0])), 303)
    flash("editing.committed")
    return redirect(with_language(url_for("editing.index")), 303)


@bp.post("/preview/<draft_id>/discard")
@auth.editor_required
def discard(draft_id: str) -> Response:
    _forget(_draft(draft_id))
    flash("editing.discarded")
    return redirect(with_language(url_for("editing.index")), 303)
