"""The ``specialekatalog`` command line."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import click

from catalogue import live_backup
from catalogue.config import SETTINGS, SettingError, Settings
from catalogue.loading import load_knowledge
from catalogue.probe import probe
from catalogue.publish import UriSpace
from catalogue.queries import QueryError
from catalogue.service import Catalogue
from catalogue.store import StoreError

SETTINGS_HELP = "\n".join(f"  SPECIALEKATALOG_{s.name}: {s.help}" for s in SETTINGS)


class _Commands(click.Group):
    """A command that finds the store held by another process (a running ``serve``) says so in
    one line, not with the store's LOCK traceback; so do a setting with a bad value and an
    argument a query cannot take (``check --service nonsense``: not an IRI). IRIs in
    the arguments under the public base (BASE_IRI, as the web app shows them) are read as the
    stored ones they stand for (catalogue/publish.py)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            space = UriSpace(Settings.from_env().base_iri)
        except SettingError as exc:
            raise click.ClickException(str(exc)) from None
        stored = [os.fsdecode(space.stored_bytes(os.fsencode(arg))) for arg in args]
        return super().parse_args(ctx, stored)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (QueryError, StoreError) as exc:  # a bad query value; no store to work with
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            from pathlib import Path

            message = live_backup.explain_open_error(exc, Path(Settings.from_env().store))
            if message is None:
                raise
            raise click.ClickException(message) from None


@click.group(cls=_Commands, epilog="Settings (environment variables):\n\n" + SETTINGS_HELP)
@click.version_option(package_name="specialekatalog")
def main() -> None:
    """Specialekatalog: the knowledge graph and catalogue of Denmark's specialised social area."""


@main.command()
def load() -> None:
    """Load the ontology and SHACL files into the store (only what changed)."""
    from catalogue.need import NeedError

    catalogue = Catalogue.open()
    try:
        report = load_knowledge(catalogue.store)
    except NeedError as exc:  # a need-figure CSV file with problems: none of it written
        raise click.ClickException(str(exc)) from exc
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
    from webapp.serve import CannotListen
    from webapp.serve import serve as serve_web  # the web package's own entry point

    catalogue = Catalogue.open()
    if catalogue.settings.store == "remote":  # a SPARQL server: does it answer correctly?
        report = probe(catalogue.store, catalogue.settings, thorough=False)
        click.echo(report.table(), err=True)
        if not report.serves:
            catalogue.close()
            raise click.ClickException(
                "the store would give wrong or cut answers: "
                + "; ".join(f"{o.check}: {o.detail}" for o in report.refusals)
            )
    try:
        serve_web(catalogue)
    except CannotListen as exc:
        catalogue.close()
        raise click.ClickException(str(exc)) from None


@main.group(name="store")
def store_group() -> None:
    """The store the catalogue uses."""


@main.group()
def replica() -> None:
    """Read replicas of a SPARQL server (STORE=remote): see README, Running beyond one machine."""


@replica.command("snapshot")
@click.argument("directory", type=click.Path(file_okay=False))
def replica_snapshot(directory: str) -> None:
    """Copy the writer's whole dataset into DIRECTORY, a new Oxigraph store to serve read-only
    (`oxigraph serve-read-only --location DIRECTORY --union-default-graph`)."""
    from pathlib import Path

    from catalogue.replica import snapshot

    try:
        made = snapshot(Settings.from_env(), Path(directory))
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{made.quads} quads in {made.directory} ({made.seconds:.1f} s)")


@store_group.command("check")
def store_check() -> None:
    """Run the store probe: a canary dataset with known answers through the store's engine, in a
    scratch graph; prints what works. Exit 1 when the catalogue would refuse to serve from it."""
    catalogue = Catalogue.open()
    try:
        report = probe(catalogue.store, catalogue.settings)
    finally:
        catalogue.close()
    click.echo(report.table())
    if not report.serves:
        sys.exit(1)


@main.command()
@click.option(
    "--providers",
    "count",
    type=click.IntRange(0),
    default=60,
    show_default=True,
    help="How many providers to make.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same providers.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "ttl"]),
    default="ttl",
    show_default=True,
    help="CSV in the import template, or Turtle.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to this file instead of standard output.",
)
@click.option("--load", is_flag=True, help="Import the providers into the store instead.")
@click.option(
    "--if-empty", is_flag=True, help="With --load: do nothing if the store already holds providers."
)
def demo(count: int, seed: int, fmt: str, output: str | None, load: bool, if_empty: bool) -> None:
    """Make realistic, made-up providers (deterministic for a seed); with --load also the
    illustrative need figures of the planning year sized to them (catalogue/demo/need.py)."""
    from catalogue import demo as demo_data

    if not load:
        with _progress_bar(count, "providers") as bar:
            if fmt == "csv" and output:
                with open(output, "w", encoding="utf-8", newline="") as text:
                    demo_data.write_csv(text, count, seed, progress=bar.update)
            elif fmt == "csv":
                demo_data.write_csv(sys.stdout, count, seed, progress=bar.update)
            else:
                with click.open_file(output or "-", "wb") as binary:
                    demo_data.write_turtle(binary, count, seed, progress=bar.update)
        return
    from catalogue import need
    from catalogue.demo.need import NeedTally
    from catalogue.demo.vocabulary import knowledge_vocabulary
    from catalogue.importing.writer import has_providers, write_records

    catalogue = Catalogue.open()
    try:
        if if_empty and has_providers(catalogue.store):
            click.echo("the store already holds providers: demo data not loaded", err=True)
            return
        tally = NeedTally(knowledge_vocabulary())
        with _progress_bar(count, "providers") as bar:
            records = tally.watch(demo_data.generate(count, seed))
            written = write_records(catalogue.store, records, progress=bar.update)
        try:  # illustrative need figures sized to this catalogue
            need.write(catalogue.store, tally.year, tally.figures())
        except need.NeedError as exc:
            click.echo(f"demo need figures not written: {exc}", err=True)
    finally:
        catalogue.close()
    click.echo(f"{written} demo providers loaded (seed {seed})", err=True)


def _progress_bar(total: int | None, what: str):  # type: ignore[no-untyped-def]
    """A tqdm bar on a terminal (total None: a count and a rate); nothing otherwise."""
    from tqdm import tqdm

    return tqdm(total=total, unit=what, disable=not sys.stderr.isatty(), leave=False)


@main.command()
@click.option("--provider", "providers", multiple=True, metavar="ID", help="Tilbudsportalen id.")
@click.option("--all", "check_all", is_flag=True, help="Check every provider in the store.")
@click.option("--service", metavar="IRI", help="A target-group service: check its provider.")
@click.option(
    "--specialty-function",
    "function",
    metavar="CODE|IRI",
    help="Check the providers with services in the specialfunktion's target group.",
)
@click.option("--force", is_flag=True, help="Validate even when data and criteria are unchanged.")
@click.option("--engine", type=click.Choice(["fast", "pyshacl"]), default="fast", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ttl"]), default="text")
@click.option("--lang", type=click.Choice(["da", "en"]), default="da", show_default=True)
def check(
    providers: tuple[str, ...],
    check_all: bool,
    service: str | None,
    function: str | None,
    force: bool,
    engine: str,
    fmt: str,
    lang: str,
) -> None:
    """Check providers against the SHACL criteria; write their reports and placements.

    Only providers whose data or criteria changed since their last report are validated again
    (unless --force). --service and --specialty-function check the providers concerned and show
    only those services (and whether each meets the specialfunktion). Exit code 0: all conform;
    1: some do not; 2: error.
    """
    from catalogue.compliance import CheckError, CriteriaError, scope
    from catalogue.compliance import check as run_check
    from catalogue.compliance.output import as_json, as_text, as_turtle, conforms, narrow, summarise
    from catalogue.store import StoreError

    if sum((bool(providers), check_all, service is not None, function is not None)) != 1:
        raise click.UsageError(
            "give one of --provider ID (one or more), --all, --service IRI, --specialty-function"
        )
    catalogue = Catalogue.open()
    try:
        focus = None
        if service is not None:
            focus = scope.for_service(catalogue.store, service)
        elif function is not None:
            focus = scope.for_function(catalogue.store, function)
        with _progress_bar(100, "%") as bar:
            checks = run_check(
                catalogue.store,
                focus.tpids if focus else list(providers) or None,
                force=force,
                engine=engine,
                progress=lambda share: bar.update(100 * share),
                details=False,
            )
        if engine == "fast":
            from catalogue.compliance.check import refused

            for reason in refused(catalogue.store).values():
                click.echo(f"note: validated with pyshacl per record: {reason}", err=True)
        lines = summarise(catalogue.store, checks, lang)
        if focus is not None:
            lines = narrow(catalogue.store, lines, focus)
        space = UriSpace(catalogue.settings.base_iri)  # the IRIs as the site shows them
        if fmt == "ttl":
            turtle = as_turtle(catalogue.store, [c.tpid for c in checks])
            click.echo(space.public_bytes(turtle).decode(), nl=False)
        elif fmt == "json":
            click.echo(space.public_bytes(as_json(lines).encode()).decode())
        else:
            click.echo(space.public_bytes(as_text(lines, detail=not check_all).encode()).decode())
    except (CheckError, CriteriaError, StoreError) as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from exc
    finally:
        catalogue.close()
    raise SystemExit(0 if conforms(lines) else 1)


@main.group()
def criteria() -> None:
    """The criteria (guides and shapes): what a draft would change."""


@criteria.command("impact")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def criteria_impact(files: tuple[str, ...], fmt: str) -> None:
    """List every service whose computed placement or specialfunktion qualification would change
    if FILES replaced the loaded knowledge files of the same name under shapes/.

    Nothing is written: the store's reports stay as they are. Exit code 0: done; 2: error.
    """
    import json
    from pathlib import Path

    from catalogue.compliance import CheckError, CriteriaError
    from catalogue.criteria_impact import ImpactError, impact
    from catalogue.store import StoreError

    catalogue = Catalogue.open()
    try:
        with _progress_bar(100, "%") as bar:
            found = impact(
                catalogue.store,
                [Path(f) for f in files],
                progress=lambda share: bar.update(100 * share),
            )
        if fmt == "json":
            click.echo(json.dumps(found.as_json(), ensure_ascii=False, indent=2))
        else:
            click.echo(found.as_text())
    except (ImpactError, CheckError, CriteriaError, StoreError) as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from exc
    finally:
        catalogue.close()


@main.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the files and report; write nothing.")
def import_(files: tuple[str, ...], dry_run: bool) -> None:
    """Import providers from CSV (the import template) or RDF files.

    Every problem of every file is reported (file, line, field, rule; Danish / English). Nothing
    is written unless all files are free of errors; each provider's graph is replaced atomically.
    """
    from pathlib import Path

    from catalogue.importing import import_paths

    catalogue = Catalogue.open()
    max_bytes = catalogue.settings.max_upload_mb * 2**20
    try:
        with _progress_bar(None, "providers") as bar:
            result = import_paths(
                catalogue.store,
                [Path(f) for f in files],
                max_bytes=max_bytes,
                dry_run=dry_run,
                progress=bar.update,
                uri_space=UriSpace(catalogue.settings.base_iri),
            )
    finally:
        catalogue.close()
    for problem in result.problems:
        click.echo(str(problem), err=True)
    providers = sum(len(f.providers) for f in result.files)
    if not result.ok:
        errors = sum(p.severity == "error" for p in result.problems)
        click.echo(f"{errors} error(s): nothing imported / intet er indlæst", err=True)
        raise SystemExit(1)
    if dry_run:
        click.echo(f"{providers} provider(s) checked, no errors; nothing written (--dry-run)")
    else:
        click.echo(f"{providers} provider(s) imported, {result.written} changed")


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["nq", "trig", "ttl", "jsonld"]),
    default="nq",
    show_default=True,
    help="N-Quads, TriG, Turtle or JSON-LD.",
)
@click.option(
    "--graph",
    help="'all', 'public' (all but the private audit trail), 'providers', or one named graph (IRI, "
    "or relative such as graph/provider/123456). Default: all; providers for Turtle.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to this file instead of standard output.",
)
def export(fmt: str, graph: str | None, output: str | None) -> None:
    """Export the catalogue (streamed), to hand on or to load into another store."""
    from catalogue.export import ExportError
    from catalogue.export import export as export_data

    if output and not os.path.isdir(os.path.dirname(os.path.abspath(output))):
        raise click.BadParameter(f"no folder for {output}", param_hint="'-o' / '--output'")
    catalogue = Catalogue.open()
    try:
        with (
            _progress_bar(None, "quads") as bar,
            _written_whole(output) if output else click.open_file("-", "wb") as handle,
        ):
            export_data(catalogue.store, handle, fmt, graph, progress=bar.update)
    except ExportError as exc:
        raise click.UsageError(str(exc)) from exc
    finally:
        catalogue.close()


@contextmanager
def _written_whole(path: str) -> Iterator[IO[bytes]]:
    """A file written beside its name and renamed when whole: a failed export leaves none
    (click's ``atomic=True`` renames the part written even when the export fails)."""
    partial = f"{path}.partial"
    try:
        with open(partial, "wb") as handle:
            yield handle
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, writable=True))
def backup(directory: str) -> None:
    """Back up the store into DIRECTORY (new): a store snapshot, or an N-Quads dump if remote.

    While `specialekatalog serve` holds the store, the running catalogue makes the snapshot."""
    from pathlib import Path

    from catalogue.backup import snapshot

    target = Path(directory)
    try:
        try:
            catalogue = Catalogue.open()
        except OSError:  # the RocksDB lock: a running catalogue holds the store
            manifest = live_backup.ask_server(Path(Settings.from_env().store), target)
        else:
            try:
                manifest = snapshot(catalogue.store, target)
            finally:
                catalogue.close()
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{manifest.quads} quads backed up to {directory} (sha256 {manifest.sha256})")


@main.command()
@click.argument("source", type=click.Path(exists=True))
@click.option("--replace", is_flag=True, help="Clear a store that is not empty first.")
def restore(source: str, replace: bool) -> None:
    """Restore a backup directory or a dataset dump (.nq, .trig, .jsonld) into the store."""
    from pathlib import Path

    from catalogue.backup import restore as restore_data
    from catalogue.store import StoreError

    catalogue = Catalogue.open()
    try:
        digest = restore_data(catalogue.store, Path(source), replace=replace)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        catalogue.close()
    click.echo(f"restored {source} (sha256 {digest})")


@main.group()
def editor() -> None:
    """Editors who may sign in to the editing area (the file named by EDITORS_FILE)."""


@editor.command("add")
@click.argument("name")
@click.option(
    "--authority",
    required=True,
    help="The authority the editor works for: a socialtilsyn's code (vocab/supervisory-authority, "
    "e.g. oest) or, for a municipality supervising providers under SEL § 148 a, its 3-digit "
    "municipality code (vocab/municipality, e.g. 265).",
)
@click.password_option(help="The editor's password (asked for when not given).")
def editor_add(name: str, authority: str, password: str) -> None:
    """Add an editor, or set a known editor's authority and password (stored as a hash)."""
    from pathlib import Path

    from catalogue import queries
    from catalogue.editors import EditorsError, add_editor
    from catalogue.namespaces import VOCAB, code
    from catalogue.store import scratch_store

    settings = Settings.from_env()
    if not settings.editors_file:
        raise click.UsageError("set SPECIALEKATALOG_EDITORS_FILE to the editors file first")
    knowledge = scratch_store()
    load_knowledge(knowledge)
    codes = {
        scheme: sorted(
            code(row["concept"].value)
            for row in queries.run(knowledge, "browse_scheme", scheme=f"{VOCAB}{scheme}", lang="da")
        )
        for scheme in ("supervisory-authority", "municipality")
    }
    if authority not in codes["supervisory-authority"] + codes["municipality"]:
        raise click.BadParameter(
            f"choose one of {', '.join(codes['supervisory-authority'])} or a municipality code",
            param_hint="--authority",
        )
    try:
        add_editor(Path(settings.editors_file), name, authority, password)
    except EditorsError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from exc
    click.echo(f"editor {name!r} ({authority}) saved in {settings.editors_file}")


from catalogue.decisions_cli import placement  # noqa: E402  (placement decisions)

main.add_command(placement)

from catalogue.assessments_cli import competence  # noqa: E402  (competence assessments)

main.add_command(competence)

from catalogue.need_cli import need_group  # noqa: E402  (need figures per planning year)

main.add_command(need_group)
