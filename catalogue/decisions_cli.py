"""``specialekatalog placement``: record and withdraw placement decisions (see decisions.py)."""

from __future__ import annotations

import datetime as dt
import getpass

import click

from catalogue import decisions
from catalogue.browse.rows import code
from catalogue.editors import Editor
from catalogue.importing.problems import Problem
from catalogue.namespaces import VOCAB
from catalogue.service import Catalogue
from catalogue.store import Store


@click.group()
def placement() -> None:
    """Placement decisions (indplaceringsafgørelser) of the supervising authorities."""


def _basis(store: Store, service: str) -> decisions.Basis:
    found = decisions.basis(store, service, "da")
    if found is None:
        raise click.BadParameter(f"no provider serves {service}", param_hint="SERVICE_IRI")
    return found


def _authority(found: decisions.Basis, by: str) -> str:
    """--by as an IRI: the authority's IRI or its code (``oest``, a municipality's code)."""
    if found.authority is not None and by in (found.authority.iri, code(found.authority.iri)):
        return found.authority.iri
    return by if by.startswith(("http://", "https://")) else f"{VOCAB}supervisory-authority/{by}"


def _editor(name: str | None, authority: str) -> Editor:
    """Who records the change in the audit trail: a person acting for the authority."""
    return Editor(name or getpass.getuser(), code(authority), password_hash="")


def _refuse(problems: list[Problem]) -> None:
    for p in problems:
        click.echo(f"error: [{p.rule}] {p.message_da} / {p.message_en}", err=True)
    raise SystemExit(1)


@placement.command("decide")
@click.argument("service", metavar="SERVICE_IRI")
@click.argument("level", metavar="LEVEL")
@click.option(
    "--by", required=True, metavar="AUTHORITY", help="The provider's authority (code or IRI)."
)
@click.option("--on", "on", required=True, metavar="YYYY-MM-DD", help="Date of the decision.")
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
@click.option("--editor", "editor_name", metavar="NAME", help="Who records it (default: you).")
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
    try:
        decided_on = dt.date.fromisoformat(on)
    except ValueError as exc:
        raise click.BadParameter(f"{on!r} is not a date (YYYY-MM-DD)", param_hint="--on") from exc
    catalogue = Catalogue.open()
    try:
        store = catalogue.store
        found = _basis(store, service)
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
        authority = _authority(found, by)
        new = decisions.NewDecision(
            service=service,
            level=level_iri,
            by=authority,
            on=decided_on,
            reason=reason,
            guide_version=guide_version or found.guide_version,
            departures=tuple(reasons),
        )
        known = decisions.specialised_levels(store, "da")
        problems = decisions.check(new, found, known, dt.date.today())
        if problems:
            _refuse(problems)
        iri = decisions.record(store, new, found, _editor(editor_name, authority))
    finally:
        catalogue.close()
    click.echo(f"recorded {iri.value}")


@placement.command("withdraw")
@click.argument("service", metavar="SERVICE_IRI")
@click.option(
    "--by", required=True, metavar="AUTHORITY", help="The provider's authority (code or IRI)."
)
@click.option("--reason", required=True, metavar="TEXT", help="Why the decision is withdrawn.")
@click.option("--editor", "editor_name", metavar="NAME", help="Who records it (default: you).")
def withdraw(service: str, by: str, reason: str, editor_name: str | None) -> None:
    """Withdraw the decision in force for SERVICE_IRI; it stays in the history ("ikke afgjort")."""
    catalogue = Catalogue.open()
    try:
        found = _basis(catalogue.store, service)
        authority = _authority(found, by)
        try:
            iri, problems = decisions.withdraw(
                catalogue.store, found, authority, reason, _editor(editor_name, authority)
            )
        except decisions.NothingToWithdraw as exc:
            raise click.ClickException(f"{service} has no decision in force") from exc
        if iri is None:
            _refuse(problems)
    finally:
        catalogue.close()
    click.echo(f"withdrew {iri.value if iri else ''}")
