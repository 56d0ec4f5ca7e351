"""Signing in and out, and the editing start page."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from catalogue.editors import authenticate
from catalogue.namespaces import PROVIDER_KEY
from webapp.browse.links import with_language
from webapp.editing import auth, bp, refused


def _throttle() -> auth.Throttle:
    throttle: auth.Throttle = current_app.extensions["editing_throttle"]
    return throttle


@bp.route("/sign-in", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    target = auth.safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("editing/login.html", target=target, failed=False)
    name = request.form.get("name", "").strip()
    keys = auth.sign_in_keys(name, request.remote_addr or "")
    if _throttle().blocked(*keys):
        current_app.logger.warning("editing: sign-in refused (too many failures) for %r", name)
        return refused(429)
    editor = authenticate(auth.editors_path(), name, request.form.get("password", ""))
    if editor is None:
        _throttle().failed(*keys)
        current_app.logger.warning("editing: failed sign-in for %r", name)
        return render_template("editing/login.html", target=target, failed=True), 401
    _throttle().succeeded(*keys)
    auth.sign_in(editor)
    current_app.logger.info("editing: %s (%s) signed in", editor.name, editor.authority)
    return redirect(target or with_language(url_for("editing.index")), 303)


@bp.post("/sign-out")
def logout() -> Response:
    editor = auth.current_editor()
    auth.sign_out()
    if editor is not None:
        current_app.logger.info("editing: %s signed out", editor.name)
    flash("editing.signed_out")
    return redirect(with_language(url_for("editing.login")), 303)


@bp.get("/")
@auth.editor_required
def index() -> str:
    return render_template("editing/index.html")


@bp.get("/provider")
@auth.editor_required
def find_provider() -> Response:
    """The start page's 'go to provider' form: on to the provider's editing page."""
    tpid = request.args.get("tpid", "").strip().lower()
    if not PROVIDER_KEY.fullmatch(tpid):  # a Tilbudsportalen id or cvr{CVR}-{reference}
        flash("editing.find.bad_id")
        return redirect(with_language(url_for("editing.index")), 303)
    return redirect(with_language(url_for("editing.history", tpid=tpid)), 303)
