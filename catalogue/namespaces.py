"""The one home of the catalogue's IRIs and vocabulary terms.

- Namespaces (``SK``, ``VOCAB``, ``GRAPH``, ``RDF`` ...) are IRI prefixes. They are rdflib
  ``Namespace`` objects, which are strings: write ``f"{SK}Provider"`` anywhere, and ``SK.Provider``
  only in the rdflib code that pyshacl needs (``catalogue/compliance``).
- Everything else works with pyoxigraph terms: ``term(SK, "Provider")``, ``sk("Provider")``,
  ``RDF_TYPE``, and the IRIs of the catalogue's own resources and graphs (``provider_iri``,
  ``provider_graph``, ``report_iri``) made by the functions below, never by hand elsewhere.
- ``PREFIXES`` is the one prefix map (Graph.bind, initNs, checking .rq files, Turtle output).

These IRIs are the *stored* ones (under ``BASE``); what a visitor sees is rewritten to the public
base on the way out (``catalogue/publish.py``).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import pyoxigraph as ox
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

# graph/decisions/{tpid}: a provider's placement decisions, written only by its supervising
# authority (catalogue/decisions.py); a provider's upload never replaces it.
DECISIONS_GRAPH = str(GRAPH["decisions/"])

# Never published (public SPARQL, dumps, resource URIs): the audit trail names the editors.
PRIVATE_GRAPHS: frozenset[str] = frozenset({str(GRAPH["audit"])})
PRIVATE_RESOURCES: tuple[str, ...] = (str(ID["audit/"]), str(ID["editor/"]))


def is_private(iri: str) -> bool:
    """A graph or resource that only editors may see."""
    return iri in PRIVATE_GRAPHS or iri.startswith(PRIVATE_RESOURCES)


@cache
def term(namespace: str, name: str) -> ox.NamedNode:
    """A vocabulary term as a pyoxigraph node: ``term(PROV, "Activity")``."""
    return ox.NamedNode(f"{namespace}{name}")


def sk(name: str) -> ox.NamedNode:
    """A term of the catalogue's ontology: ``sk("Provider")``."""
    return term(SK, name)


RDF_TYPE = term(RDF, "type")

# Named graphs per provider: graph/provider/{tpid} holds what the provider (or its authority)
# uploaded, graph/report/{tpid} the compliance report about it.
PROVIDER_GRAPHS = f"{GRAPH}provider/"
REPORT_GRAPHS = f"{GRAPH}report/"
# A provider's check history (its latest checks, each a prov:Activity) in two graphs that take
# turns, graph/check-history/{tpid}/0 and /1: a check adds its activity to the current one, the
# first check of a turn replaces it, so no check reads the history to write it.
CHECK_HISTORY_GRAPHS = f"{GRAPH}check-history/"
# The criteria documents' versions any check used (what never changes about a version: its guide
# and version number); each report says which it used and their status at the time.
CRITERIA_VERSIONS_GRAPH = ox.NamedNode(f"{GRAPH}criteria-versions")
# The set of criteria versions a check used, with each one's status then: a graph of its own,
# named by a digest of its content; each report's check names it (prov:used).
CRITERIA_SETS = f"{GRAPH}criteria-set/"


def criteria_set_graph(digest: str) -> ox.NamedNode:
    return ox.NamedNode(f"{CRITERIA_SETS}{digest}")


def provider_iri(tpid: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}provider/{tpid}")


def service_provider(service: str) -> str | None:
    """The provider IRI of a service IRI (``id/provider/{tpid}/target-group/{code}``)."""
    provider, sep, _ = service.rpartition("/target-group/")
    return provider if sep and provider.startswith(f"{ID}provider/") else None


def provider_graph(tpid: str) -> ox.NamedNode:
    return ox.NamedNode(PROVIDER_GRAPHS + tpid)


def report_iri(tpid: str) -> ox.NamedNode:
    """The named graph (and the report resource) of a provider's compliance report."""
    return ox.NamedNode(REPORT_GRAPHS + tpid)


def check_history_graph(tpid: str, turn: int) -> ox.NamedNode:
    """One of the two graphs (``turn`` 0 or 1) of a provider's check history."""
    return ox.NamedNode(f"{CHECK_HISTORY_GRAPHS}{tpid}/{turn}")


@lru_cache(maxsize=1 << 16)  # a national check asks for the same few codes 600,000 times
def code(iri: str) -> str:
    """The last segment of an IRI (after the last ``/`` or ``#``): a concept's code, a resource's
    key, a property's local name."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def guide_version_iri(guide: str, version: str) -> str:
    """One version of a target-group guide (or other criteria document), as a PROV entity:
    ``{guide}/version/{version}`` (the version is ``owl:versionInfo``, made IRI-safe)."""
    safe = "".join(c if c.isalnum() or c in "-._" else "-" for c in version)
    return f"{guide}/version/{safe}"


# A provider's key in its IRIs and graph names (id/provider/{key}, graph/provider/{key}): its
# Tilbudsportalen id (digits), or, for a provider that has none (one supervised by its municipality
# under SEL § 148 a, say), "cvr{CVR number}-{the provider's own reference}". The two forms cannot
# collide (a Tilbudsportalen id is digits only), and the same CVR and reference give the same IRI.
OWN_REFERENCE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
PROVIDER_KEY = re.compile(r"^(?:\d{1,10}|cvr\d{8}-[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)$")


def provider_key(tpid: str | None, cvr: str | None = None, own_reference: str | None = None) -> str:
    """The key of a provider (see PROVIDER_KEY); ValueError when the parts make none."""
    if tpid:
        if not re.fullmatch(r"\d{1,10}", tpid):
            raise ValueError(f"a Tilbudsportalen id is 1-10 digits, not {tpid!r}")
        return tpid
    reference = (own_reference or "").strip().lower()
    if not (cvr and re.fullmatch(r"\d{8}", cvr) and OWN_REFERENCE.fullmatch(reference)):
        raise ValueError(
            "without a Tilbudsportalen id a provider needs its CVR number (8 digits) and its own "
            "reference (1-40 lower-case letters, digits and inner hyphens)"
        )
    return f"cvr{cvr}-{reference}"
