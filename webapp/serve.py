"""Serving the web catalogue in production: waitress, the live-backup listener and the warm-up.

``specialekatalog serve`` (catalogue/cli.py) opens the catalogue, checks a remote store and hands it
over here; everything about the web server lives in the web package.
"""

from __future__ import annotations

import sys
from typing import Any

from waitress import create_server

from catalogue import live_backup
from catalogue.service import Catalogue
from webapp import create_app
from webapp.browse import warm
from webapp.security import server_options


class CannotListen(Exception):
    """The address is taken or not this machine's; the message names it and the settings."""


def serve(catalogue: Catalogue) -> None:
    """Serve ``catalogue`` until the process is stopped."""
    app = create_app(catalogue=catalogue)
    settings = catalogue.settings
    sockets: dict[int, Any] = {}  # waitress's channels, closed if the address cannot be bound
    try:  # bound first: a port in use is said plainly, before anything starts
        server = create_server(
            app,
            map=sockets,
            host=settings.host,
            port=settings.port,
            threads=settings.threads,
            # X-Forwarded-For reaches the app only behind configured proxies (TRUSTED_PROXIES)
            clear_untrusted_proxy_headers=settings.trusted_proxies == 0,
            **server_options(settings),  # idle and slow connections bounded (webapp/security.py)
        )
    except OSError as exc:
        for channel in list(sockets.values()):
            channel.close()
        where = f"{settings.host}:{settings.port}"
        raise CannotListen(
            f"kan ikke lytte på {where} ({exc.strerror}): vælg en anden adresse / "
            f"cannot listen on {where} ({exc.strerror}): choose another with "
            "SPECIALEKATALOG_HOST and SPECIALEKATALOG_PORT"
        ) from None
    live_backup.listen(catalogue.store)  # `specialekatalog backup` while this runs (on disk)
    warm.start(app)  # national aggregates for the pages, built in the background
    print(f"Specialekatalog on http://{settings.host}:{settings.port}/", file=sys.stderr)
    server.run()
