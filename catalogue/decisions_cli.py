"""``specialekatalog placement``: record and withdraw placement decisions (see decisions.py)."""

from __future__ import annotations

import datetime as dt

import click

from catalogue import authority_records_cli as cli
from catalogue import decisions
from catalogue.authority_records import NothingToWithdraw
from catalogue.service import Catalogue


@click.group()
def placement() -> None:
    """Placement decisions (indplaceringsafgørelser) of the supervising authorities."""


@placement.command("decide")
@click.argument("service", metavar="SERVICE_IRI")
@click.argument("level", metavar="LEVEL")
@cli.by_option
@cli.on_option("decision")
@click.option("--reason", required=True, metavar="TEXT", help="The overall assessment.")
@click.option(
    "--guide-version",
    metavar="VERSION",
    help="Version of the target-group guide used (default: the loaded guide's version).",
)
@click.option(
    "--departure",
    "departures",
    multiple=True,
    metavar="PARAMETER=TEXT",
    help="Reason for departing from the computed verdict on one parameter (code or number 1-8); "
    "repeat for each parameter.",
)
@cli.editor_option
def decide(
    service: str,
    level: str,
    by: str,
    on: str,
    reason: str,
    guide_version: str | None,
    departures: tuple[str, ...],
    editor_name: str | None,
) -> None:
    """Record the authority's placement of SERVICE_IRI at LEVEL (let, moderat, hoej or none).

    A decision in force for the service is replaced and kept in the history. Exit code 0:
    recorded; 1: refused (the reasons are printed); 2: usage error.
    """
    decided_on = cli.day(on, "--on")
    catalogue = Catalogue.open()
    try:
        store = catalogue.store
        found = cli.basis_of(store, service)
        try:
            level_iri = decisions.level_iri(store, level)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="LEVEL") from exc
        reasons = []
        for given in departures:
            parameter, sep, text = given.partition("=")
            try:
                if not sep:
                    raise ValueError(f"{given!r}: write PARAMETER=TEXT")
                reasons.append(decisions.Departure(decisions.parameter_iri(found, parameter), text))
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--departure") from exc
        by_iri = cli.authority(found, by)
        new = decisions.NewDecision(
            service=service,
            level=level_iri,
            by=by_iri,
            on=decided_on,
            reason=reason,
            guide_version=guide_version or found.guide_version,
            departures=tuple(reasons),
        )
        known = decisions.specialised_levels(store, "da")
        problems = decisions.check(new, found, known, dt.date.today())
        cli.refuse(problems)
        iri = decisions.record(store, new, found, cli.editor(editor_name, by_iri))
    finally:
        catalogue.close()
    click.echo(f"recorded {iri.value}")


@placement.command("withdraw")
@click.argument("service", metavar="SERVICE_IRI")
@cli.by_option
@click.option("--reason", required=True, metavar="TEXT", help="Why the decision is withdrawn.")
@cli.editor_option
def withdraw(service: str, by: str, reason: str, editor_name: str | None) -> None:
    """Withdraw the decision in force for SERVICE_IRI; it stays in the history ("ikke afgjort")."""
    catalogue = Catalogue.open()
    try:
        found = cli.basis_of(catalogue.store, service)
        by_iri = cli.authority(found, by)
        try:
            iri, problems = decisions.withdraw(
                catalogue.store, found, by_iri, reason, cli.editor(editor_name, by_iri)
            )
        except NothingToWithdraw as exc:
            raise click.ClickException(f"{service} has no decision in force") from exc
        cli.refuse(problems)
    finally:
        catalogue.close()
    click.echo(f"withdrew {iri.value if iri else ''}")
