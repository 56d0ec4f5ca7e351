"""What ``check --service`` and ``check --specialty-function`` cover: which providers to check,
and which part of their outcome to show."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from catalogue import queries
from catalogue.compliance.check import CheckError
from catalogue.namespaces import ID
from catalogue.store import Store


@dataclass(frozen=True)
class Scope:
    """Providers to check; the services to show; the specialfunktion whose qualification counts."""

    tpids: list[str]
    services: frozenset[ox.NamedNode]
    function: ox.NamedNode | None = None


def for_service(store: Store, service: str) -> Scope:
    """The provider that has the target-group service."""
    rows = queries.run(store, "compliance_service_provider", service=service)
    if not rows:
        raise CheckError(f"no target-group service {service!r} in the store")
    return Scope(sorted({r["tpid"].value for r in rows}), frozenset({ox.NamedNode(service)}))


def function_iri(code_or_iri: str) -> str:
    """A specialfunktion's IRI from its code (the last segment of the IRI) or the IRI itself."""
    if "://" in code_or_iri:
        return code_or_iri
    return f"{ID}specialty-function/{code_or_iri}"


def for_function(store: Store, code_or_iri: str) -> Scope:
    """The providers with a service in the specialfunktion's target group."""
    function = function_iri(code_or_iri)
    rows = queries.run(store, "compliance_function_providers", function=function)
    if not rows:
        raise CheckError(f"no specialfunktion {code_or_iri!r} in the store")
    found = [r for r in rows if "service" in r]
    return Scope(
        sorted({r["tpid"].value for r in found}),
        frozenset(r["service"] for r in found),  # type: ignore[misc]
        ox.NamedNode(function),
    )
