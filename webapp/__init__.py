"""The Flask front end of Specialekatalog (app factory, as in Flask's tutorial)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Flask

from catalogue.config import SETTINGS, Settings
from catalogue.publish import UriSpace
from catalogue.service import Catalogue
from webapp import i18n, security, uri_space


def _with_overrides(catalogue: Catalogue, test_config: dict[str, Any]) -> Catalogue:
    """The catalogue with the settings ``test_config`` names changed (its store stays)."""
    names = {s.name.lower() for s in SETTINGS}
    given = {k.lower(): v for k, v in test_config.items() if k.lower() in names}
    if not given:
        return catalogue
    settings = Settings.from_env({**asdict(catalogue.settings), **given})
    return Catalogue(settings, catalogue.store)


def create_app(
    test_config: dict[str, Any] | None = None, *, catalogue: Catalogue | None = None
) -> Flask:
    """Create the app. Settings come from ``SPECIALEKATALOG_*`` (or the given catalogue's);
    settings named in ``test_config`` override them, its upper-case keys are Flask config.

    The web app reads its settings one way: ``get_catalogue().settings`` (in templates:
    ``settings``, the same object)."""
    app = Flask(__name__)
    if catalogue is None:
        catalogue = Catalogue.open(Settings.from_env(test_config))
    elif test_config:
        catalogue = _with_overrides(catalogue, test_config)
    settings = catalogue.settings
    app.config.from_mapping(
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024,
        SECRET_KEY=settings.secret_key or None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    if test_config:
        app.config.update({k: v for k, v in test_config.items() if k.isupper()})
    app.extensions["catalogue"] = catalogue
    app.context_processor(lambda: {"settings": app.extensions["catalogue"].settings})
    uri_space.init_app(app, UriSpace(settings.base_iri))

    i18n.init_app(app)
    security.init_app(app)

    from webapp.browse import bp as browse_bp
    from webapp.browse import links
    from webapp.compliance import bp as compliance_bp

    links.init_app(app)
    app.register_blueprint(browse_bp)
    app.register_blueprint(compliance_bp)

    from webapp.exports import bp as exports_bp
    from webapp.instance import bp as instance_bp
    from webapp.linkeddata import bp as linkeddata_bp
    from webapp.queries import bp as queries_bp
    from webapp.sparql import bp as sparql_bp

    app.register_blueprint(sparql_bp)
    app.register_blueprint(queries_bp)
    app.register_blueprint(instance_bp)
    app.register_blueprint(linkeddata_bp)
    app.register_blueprint(exports_bp)

    from webapp import editing

    editing.init_app(app)  # only when EDITORS_FILE is set
    return app
