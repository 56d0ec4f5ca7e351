"""Namespaces and the one prefix map used for Graph.bind, initNs and checking .rq files."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

BASE = "https://specialekatalog.example/"

SK = Namespace(BASE + "ontology#")
VOCAB = Namespace(BASE + "vocab/")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
SHAPES = Namespace(BASE + "shapes/")

ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
VOID = Namespace("http://rdfs.org/ns/void#")
CPSV = Namespace("http://purl.org/vocab/cpsv#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")

PREFIXES: dict[str, str] = {
    "sk": str(SK),
    "vocab": str(VOCAB),
    "id": str(ID),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "sh": str(SH),
    "dct": str(DCTERMS),
    "dcat": str(DCAT),
    "prov": str(PROV),
    "org": str(ORG),
    "schema": str(SCHEMA),
    "void": str(VOID),
    "cpsv": str(CPSV),
    "foaf": str(FOAF),
    "vcard": str(VCARD),
    "adms": str(ADMS),
}

META_GRAPH = GRAPH["meta"]
# graph/decisions/{tpid}: a provider's placement decisions, written only by its supervising
# authority (catalogue/decisions.py); a provider's upload never replaces it.
DECISIONS_GRAPH = str(GRAPH["decisions/"])

# Never published (public SPARQL, dumps, resource URIs): the audit trail names the editors.
PRIVATE_GRAPHS: frozenset[str] = frozenset({str(GRAPH["audit"])})
PRIVATE_RESOURCES: tuple[str, ...] = (str(ID["audit/"]), str(ID["editor/"]))


def is_private(iri: str) -> bool:
    """A graph or resource that only editors may see."""
    return iri in PRIVATE_GRAPHS or iri.startswith(PRIVATE_RESOURCES)


def guide_version_iri(guide: str, version: str) -> str:
    """One version of a target-group guide (or other criteria document), as a PROV entity:
    ``{guide}/version/{version}`` (the version is ``owl:versionInfo``, made IRI-safe)."""
    safe = "".join(c if c.isalnum() or c in "-._" else "-" for c in version)
    return f"{guide}/version/{safe}"
