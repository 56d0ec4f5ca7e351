"""What the command lines of the authority records share (placement and competence commands):
finding the basis, naming the authority and the editor, the common options, and refusing."""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Callable
from typing import TypeVar

import click

from catalogue.authority_records import Basis, basis
from catalogue.browse.rows import code
from catalogue.editors import Editor
from catalogue.importing.problems import Problem
from catalogue.namespaces import VOCAB
from catalogue.store import Store

F = TypeVar("F", bound=Callable[..., object])


def by_option(command: F) -> F:
    return click.option(
        "--by", required=True, metavar="AUTHORITY", help="The provider's authority (code or IRI)."
    )(command)


def editor_option(command: F) -> F:
    return click.option(
        "--editor", "editor_name", metavar="NAME", help="Who records it (default: you)."
    )(command)


def on_option(what: str) -> Callable[[F], F]:
    return click.option(
        "--on", "on", required=True, metavar="YYYY-MM-DD", help=f"Date of the {what}."
    )


def day(value: str, hint: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=hint) from exc


def basis_of(store: Store, service: str) -> Basis:
    found = basis(store, service, "da")
    if found is None:
        raise click.BadParameter(f"no provider serves {service}", param_hint="SERVICE_IRI")
    return found


def authority(found: Basis, by: str) -> str:
    """--by as an IRI: the authority's IRI or its code (``oest``, a municipality's code)."""
    if found.authority is not None and by in (found.authority.iri, code(found.authority.iri)):
        return found.authority.iri
    return by if by.startswith(("http://", "https://")) else f"{VOCAB}supervisory-authority/{by}"


def editor(name: str | None, authority: str) -> Editor:
    """Who records the change in the audit trail: a person acting for the authority."""
    return Editor(name or getpass.getuser(), code(authority), password_hash="")


def refuse(problems: list[Problem]) -> None:
    """Print the problems (Danish / English) and exit with code 1; nothing when there are none."""
    if not problems:
        return
    for p in problems:
        click.echo(f"error: [{p.rule}] {p.message_da} / {p.message_en}", err=True)
    raise SystemExit(1)
