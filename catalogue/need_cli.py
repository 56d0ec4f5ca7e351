"""``specialekatalog need``: load the need figures of a planning year from CSV (see need.py)."""

from __future__ import annotations

from pathlib import Path

import click

from catalogue import need
from catalogue.service import Catalogue


@click.group(name="need")
def need_group() -> None:
    """Need figures per planning year, specialty function and region (behovstal)."""


@need_group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--year", type=click.IntRange(1900, 2099), help="Default: the file's name (2028.csv)."
)
def load(file: Path, year: int | None) -> None:
    """Check FILE (CSV: function, region, places, source, illustrative) line by line, then
    replace the planning year's need figures with it in one write; with any problem, nothing is
    written and every problem is listed with its line and rule."""
    catalogue = Catalogue.open()
    try:
        figures = need.load_file(catalogue.store, file, year)
    except need.NeedError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(exc.problems)} error(s): nothing loaded / intet er indlæst", err=True)
        raise SystemExit(1) from exc
    finally:
        catalogue.close()
    click.echo(f"{len(figures)} need figures loaded ({file.name})")
