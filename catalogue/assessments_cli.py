"""``specialekatalog competence``: record and import competence assessments (see assessments.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import click
import pyoxigraph as ox

from catalogue import assessments, planning, queries
from catalogue import authority_records_cli as cli
from catalogue.browse.concepts import specialty_plan
from catalogue.browse.rows import Concept
from catalogue.formats import rdf_for_file
from catalogue.importing.csvfile import decode_file
from catalogue.service import Catalogue
from catalogue.store import Store


@click.group()
def competence() -> None:
    """Competence assessments of the supervising authorities (kompetencevurderinger)."""


def _function(store: Store, given: str) -> Concept:
    for f in (f for s in specialty_plan(store, "da") for f in s.functions):
        if given in (f.iri, f.code):
            return f
    raise click.BadParameter(f"{given!r} is not a specialty function", param_hint="FUNCTION")


def _record(store: Store, new: assessments.NewAssessment, editor_name: str | None) -> ox.NamedNode:
    found = cli.basis_of(store, new.service)
    new = replace(new, by=cli.authority(found, new.by))
    profile = planning.profile(store, Concept(new.function, ""), "da")
    known = {s.iri for s in assessments.steps(store, "da")}
    problems = assessments.check(new, found, profile, known, dt.date.today())
    cli.refuse(problems)
    return assessments.record(store, new, found, cli.editor(editor_name, new.by))


@competence.command("assess")
@click.argument("service", metavar="SERVICE_IRI")
@click.argument("function", metavar="FUNCTION")
@cli.by_option
@cli.on_option("assessment")
@click.option("--conclusion", required=True, metavar="TEXT", help="The overall conclusion.")
@click.option("--follow-up", "follow_up", metavar="YYYY-MM-DD", help="Follow-up date.")
@click.option(
    "--rating",
    "ratings",
    multiple=True,
    required=True,
    metavar="REQUIREMENT=STEP[:EVIDENCE]",
    help="One rating per requirement of the profile (its name, e.g. FurtherEducation, or IRI) on "
    "the scale (til-stede, delvist-til-stede, ikke-til-stede); repeat for each requirement.",
)
@cli.editor_option
def assess(
    service: str,
    function: str,
    by: str,
    on: str,
    conclusion: str,
    follow_up: str | None,
    ratings: tuple[str, ...],
    editor_name: str | None,
) -> None:
    """Record the authority's competence assessment of SERVICE_IRI for FUNCTION (slug or IRI).

    An assessment in force for the service and function is replaced and kept in the history.
    Exit code 0: recorded; 1: refused (the reasons are printed); 2: usage error.
    """
    catalogue = Catalogue.open()
    try:
        store = catalogue.store
        chosen = _function(store, function)
        profile = planning.profile(store, chosen, "da")
        if profile is None:
            raise click.BadParameter(
                f"{chosen.code} has no competence profile", param_hint="FUNCTION"
            )
        given = []
        for rating in ratings:
            requirement, sep, rest = rating.partition("=")
            step, _, evidence = rest.partition(":")
            try:
                if not sep:
                    raise ValueError(f"{rating!r}: write REQUIREMENT=STEP[:EVIDENCE]")
                iri = assessments.resolve_requirement(profile, requirement)
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--rating") from exc
            given.append(assessments.Rating(iri, assessments.resolve_step(step), evidence))
        new = assessments.NewAssessment(
            service=service,
            function=chosen.iri,
            by=by,
            on=cli.day(on, "--on"),
            conclusion=conclusion,
            follow_up=cli.day(follow_up, "--follow-up") if follow_up else None,
            ratings=tuple(given),
        )
        click.echo(_record(store, new, editor_name).value)
    finally:
        catalogue.close()


@competence.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--editor", "editor_name", metavar="NAME", help="Who records them (default: you).")
def import_assessments(path: Path, editor_name: str | None) -> None:
    """Record the competence assessments in a CSV file (one row per rating: service, function,
    by, on, conclusion, follow_up, requirement, rating, evidence) or an RDF file (.ttl, .nt, .rdf).

    Each assessment is checked and recorded like `competence assess`; the first refused one stops
    the import (those before it stay recorded). Exit code 0: all recorded; 1: refused.
    """
    catalogue = Catalogue.open()
    try:
        store = catalogue.store
        try:
            if path.suffix.lower() == ".csv":
                functions = [f for s in specialty_plan(store, "da") for f in s.functions]
                profiles = {f.iri: planning.profile(store, f, "da") for f in functions}
                text = decode_file(path.name, path.read_bytes())
                found = assessments.read_csv(text, profiles, {})
            elif (fmt := rdf_for_file(path.name)) is not None:
                found = assessments.read_rdf(path.read_bytes(), fmt)
            else:
                raise click.BadParameter(
                    "give a .csv or an RDF file (.ttl, .nt, .rdf ...)", param_hint="PATH"
                )
        except (ValueError, SyntaxError) as exc:
            click.echo(f"error: {path.name}: {exc}", err=True)
            raise SystemExit(1) from exc
        for new in found:
            click.echo(_record(store, new, editor_name).value)
        click.echo(f"{len(found)} assessments recorded", err=True)
    finally:
        catalogue.close()


@competence.command("demo")
@click.option("--per-function", default=3, show_default=True, help="Assessments per function.")
@click.option("--seed", default=1, show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing when any assessment is recorded.")
def demo(per_function: int, seed: int, if_empty: bool) -> None:
    """Record illustrative demo assessments (after `demo --load` and `check --all`): for each
    specialfunktion a few services that meet it or nearly do, rated from their computed gaps and
    labelled as demo content."""
    from catalogue.demo.assessments import record_demo

    catalogue = Catalogue.open()
    try:
        if if_empty and queries.ask(catalogue.store, "has_assessments"):
            click.echo("assessments already recorded; nothing done", err=True)
            return
        count = record_demo(catalogue.store, per_function, seed, dt.date.today())
    finally:
        catalogue.close()
    click.echo(f"{count} demo assessments recorded", err=True)
