"""Which versions of the criteria documents a check used, and their status (draft or adopted).

A criteria document is an ``owl:Ontology`` in the shapes with ``owl:versionInfo`` (the target-group
guides; see ontology/criteria-governance.ttl for the status scheme). Reports name each version as a
PROV entity the check used (``prov:used``, ``prov:specializationOf`` the guide), so a report says
which version of each guide its verdicts came from.
"""

from __future__ import annotations

from dataclasses import dataclass

import rdflib
from rdflib.namespace import OWL, RDF

from catalogue.compliance.criteria import Criteria
from catalogue.namespaces import ADMS, SK, guide_version_iri


@dataclass(frozen=True)
class DocumentVersion:
    document: str  # the guide's IRI
    version: str
    status: str | None  # the adms:status concept's IRI
    draft: bool  # the status is a draft one (sk:draft true)

    @property
    def iri(self) -> str:
        return guide_version_iri(self.document, self.version)


def document_versions(criteria: Criteria) -> tuple[DocumentVersion, ...]:
    """The versioned criteria documents among the shapes, ordered by IRI."""
    shapes, knowledge = criteria.shapes, criteria.knowledge
    found = []
    for doc in set(shapes.subjects(RDF.type, OWL.Ontology)):
        version = shapes.value(doc, OWL.versionInfo)
        if version is None:
            continue
        status = shapes.value(doc, ADMS.status)
        draft = status is not None and (status, SK.draft, rdflib.Literal(True)) in knowledge
        found.append(
            DocumentVersion(str(doc), str(version), None if status is None else str(status), draft)
        )
    return tuple(sorted(found, key=lambda d: d.document))
