"""The ``specialekatalog`` command line."""

from __future__ import annotations

import click

from catalogue.config import SETTINGS
from catalogue.loading import load_knowledge
from catalogue.service import Catalogue

SETTINGS_HELP = "\n".join(f"  SPECIALEKATALOG_{s.name}: {s.help}" for s in SETTINGS)


@click.group(epilog="Settings (environment variables):\n\n" + SETTINGS_HELP)
@click.version_option(package_name="specialekatalog")
def main() -> None:
    """Specialekatalog: the knowledge graph and catalogue of Denmark's specialised social area."""


@main.command()
def load() -> None:
    """Load the ontology and SHACL files into the store (only what changed)."""
    catalogue = Catalogue.open()
    try:
        report = load_knowledge(catalogue.store)
    finally:
        catalogue.close()
    for name in report.loaded:
        click.echo(f"loaded    {name}")
    for name in report.dropped:
        click.echo(f"dropped   {name}")
    click.echo(
        f"{len(report.loaded)} loaded, {len(report.unchanged)} unchanged, "
        f"{len(report.dropped)} dropped"
    )


@main.command()
def serve() -> None:
    """Serve the web catalogue with a production WSGI server (waitress)."""
    from waitress import serve as waitress_serve

    from webapp import create_app

    catalogue = Catalogue.open()
    app = create_app(catalogue=catalogue)
    settings = catalogue.settings
    click.echo(f"Specialekatalog on http://{settings.host}:{settings.port}/", err=True)
    waitress_serve(app, host=settings.host, port=settings.port, threads=settings.threads)
