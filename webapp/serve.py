"""Serving the web catalogue in production: waitress, the live-backup listener and the warm-up.

``specialekatalog serve`` (catalogue/cli.py) opens the catalogue, checks a remote store and hands it
over here; everything about the web server lives in the web package.
"""

from __future__ import annotations

import sys

from waitress import serve as waitress_serve

from catalogue import live_backup
from catalogue.service import Catalogue
from webapp import create_app
from webapp.browse import warm
from webapp.security import server_options


def serve(catalogue: Catalogue) -> None:
    """Serve ``catalogue`` until the process is stopped."""
    app = create_app(catalogue=catalogue)
    live_backup.listen(catalogue.store)  # `specialekatalog backup` while this runs (on disk)
    warm.start(app)  # national aggregates for the pages, built in the background
    settings = catalogue.settings
    print(f"Specialekatalog on http://{settings.host}:{settings.port}/", file=sys.stderr)
    waitress_serve(
        app,
        host=settings.host,
        port=settings.port,
        threads=settings.threads,
        # X-Forwarded-For reaches the app only behind configured proxies (TRUSTED_PROXIES)
        clear_untrusted_proxy_headers=settings.trusted_proxies == 0,
        **server_options(settings),  # idle and slow connections bounded (webapp/security.py)
    )
