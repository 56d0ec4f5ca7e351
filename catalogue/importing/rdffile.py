"""Reading RDF in the ontology's terms (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML).

Parsed with the store's own parser (pyoxigraph), so a file that passes cannot fail while it is
stored. Before it sees a file: a UTF-8 byte order mark is dropped (Windows editors write one), a
UTF-16 or UTF-32 file is refused (the formats are UTF-8), and JSON-LD or RDF/XML nested deeper
than ``MAX_NESTING`` is refused (the parser recurses: a 40 KB JSON-LD file of nested objects
overflowed its stack and killed the process, and deep RDF/XML took time quadratic in the depth),
as is a JSON-LD context of more than ``MAX_CONTEXT_TERMS`` terms (chains of terms recurse too)
and triple terms nested deeper than ``MAX_NESTING`` (in the text formats).
IRIs under the deployment's public base (``uri_space``) are read as the stored ones they stand for,
so the catalogue's own published RDF imports back. Statements are grouped into provider records
by their subject's IRI (``id/provider/{tpid}`` and its parts); a named graph, if given, must be
that provider's graph.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from xml.etree.ElementTree import ParseError

import pyoxigraph as ox
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from catalogue.importing.problems import CONTROL, FileRefused, Problems, refuse_wide_encoding
from catalogue.importing.records import ProviderRecord
from catalogue.loading import KNOWLEDGE_DIRS, is_knowledge_graph
from catalogue.namespaces import BASE, PROVIDER_GRAPHS, PROVIDER_KEY, provider_graph
from catalogue.publish import UriSpace

MAX_NESTING = 100  # levels of JSON objects and arrays, or of XML elements
MAX_CONTEXT_TERMS = 1_000  # term definitions in a JSON-LD file's contexts
UTF8_BOM = b"\xef\xbb\xbf"

_KEY = PROVIDER_KEY.pattern.removeprefix("^").removesuffix("$")  # see namespaces
_SUBJECT = re.compile(re.escape(BASE) + f"id/provider/({_KEY})(?:/.*)?")
_GRAPH = re.compile(re.escape(PROVIDER_GRAPHS) + f"({_KEY})")
_DTD = re.compile(rb"<!\s*(doctype|entity)", re.IGNORECASE)
_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_TRIPLE_TERM = re.compile(rb"<<|>>")


def _refuse_xml_dtd(data: bytes, problems: Problems) -> int:
    """DTDs and entities are refused before any RDF parser sees the file (entity bombs); the
    depth of the elements, 0 when the XML is malformed (the RDF parser below says where)."""
    hostile = bool(_DTD.search(data))
    root = None
    if not hostile:
        try:
            root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except DefusedXmlException:
            hostile = True
        except ParseError:
            return 0
    if hostile:
        problems.add(
            "dtd",
            "RDF/XML med DTD eller entiteter modtages ikke",
            "RDF/XML with a DTD or entities is not accepted",
        )
        raise FileRefused
    if root is None:
        return 0
    deepest, level = 0, [(root, 1)]
    while level:
        element, depth = level.pop()
        deepest = max(deepest, depth)
        level.extend((child, depth + 1) for child in element)
    return deepest


def _json_depth(data: bytes) -> int:
    """The deepest nesting of objects and arrays, outside strings."""
    brackets = _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKET)
    deepest = depth = 0
    for byte in brackets:
        depth += 1 if byte in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _context_terms(data: bytes) -> int:
    """How many term definitions the file's JSON-LD contexts hold (nested ones too)."""
    if b'"@context"' not in data:
        return 0
    try:
        document = json.loads(data)  # nested at most MAX_NESTING deep: checked before
    except ValueError:
        return 0  # the RDF parser says what is wrong
    count, pending = 0, [document]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            context = node.get("@context")
            for found in context if isinstance(context, list) else [context]:
                count += len(found) if isinstance(found, dict) else 0
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return count


def _refuse_context(data: bytes, problems: Problems) -> None:
    """The JSON-LD processor recurses along terms defined by other terms (``"a": "b:x"``,
    ``"b": "c:x"``, ...): a chain of 5,000 in a 90 KB file overflowed its stack."""
    if _context_terms(data) > MAX_CONTEXT_TERMS:
        problems.add(
            "jsonld-context",
            f"JSON-LD-konteksten definerer mere end {MAX_CONTEXT_TERMS} termer",
            f"The JSON-LD context defines more than {MAX_CONTEXT_TERMS} terms",
        )
        raise FileRefused


def _triple_term_depth(data: bytes) -> int:
    """The deepest nesting of triple terms (``<<( ... )>>``, ``<< ... >>``) in Turtle, TriG,
    N-Triples or N-Quads: 20,000 levels overflowed the parser's stack. Never below 0, so a
    ``>>`` in a string can only count too many levels, never hide real ones."""
    deepest = depth = 0
    for mark in _TRIPLE_TERM.finditer(data):
        depth = depth + 1 if mark.group() == b"<<" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def _refuse_nesting(data: bytes, fmt: ox.RdfFormat, problems: Problems) -> None:
    if fmt == ox.RdfFormat.RDF_XML:
        depth = _refuse_xml_dtd(data, problems)
    elif fmt == ox.RdfFormat.JSON_LD:
        depth = _json_depth(data)
    else:
        depth = _triple_term_depth(data)
    if depth > MAX_NESTING:
        problems.add(
            "dybde",
            f"Filen er indlejret for dybt (mere end {MAX_NESTING} niveauer)",
            f"The file is nested too deeply (more than {MAX_NESTING} levels)",
        )
        raise FileRefused


def screen(data: bytes, fmt: ox.RdfFormat, problems: Problems) -> bytes:
    """What an uploaded RDF file goes through before a parser sees it: the file without a UTF-8
    BOM, or ``FileRefused`` (a problem added) for UTF-16/32, DTDs and entities, deep nesting."""
    refuse_wide_encoding(data, problems)
    data = data.removeprefix(UTF8_BOM)
    _refuse_nesting(data, fmt, problems)
    if fmt == ox.RdfFormat.JSON_LD:
        _refuse_context(data, problems)
    return data


def read_rdf(
    data: bytes, fmt: ox.RdfFormat, problems: Problems, uri_space: UriSpace | None = None
) -> list[ProviderRecord]:
    data = screen(data, fmt, problems)
    if uri_space is not None:
        data = uri_space.stored_bytes(data)
    try:
        quads = list(ox.parse(data, fmt, base_iri=BASE))
    except SyntaxError as exc:
        message = str(exc)
        if "LoadDocumentCallback" in message:
            problems.add(
                "jsonld-context",
                "JSON-LD med en @context, der skal hentes udefra, modtages ikke; "
                "skriv konteksten ind i filen",
                "JSON-LD with a @context that must be fetched is not accepted; "
                "put the context inside the file",
            )
        else:
            problems.add(
                "syntaks",
                f"Filen kan ikke læses: {message}",
                f"The file cannot be parsed: {message}",
                line=exc.lineno,
            )
        return []
    if not quads:
        problems.add("tom", "Filen indeholder ingen udsagn", "The file contains no statements")
    if _whole_dataset(quads):
        problems.add(
            "datasaet",
            "Filen er et helt datasæt (med ontologi og regler), ikke leverandørdata: "
            "et datasæt fra 'specialekatalog export' gendannes med 'specialekatalog restore'",
            "The file is a whole dataset (with the ontology and rules), not provider data: "
            "a dataset from 'specialekatalog export' is restored with 'specialekatalog restore'",
        )
        return []
    return _partition(quads, problems)


def _whole_dataset(quads: list[ox.Quad]) -> bool:
    """A whole-dataset export: it carries both the ontology and the rules (graph/ontology/...,
    graph/shapes/...). A file that only strays into one knowledge graph is refused statement by
    statement instead."""
    graphs = {q.graph_name for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    knowledge = [g.value for g in graphs if is_knowledge_graph(g)]
    return all(any(f"/graph/{name}/" in iri for iri in knowledge) for name in KNOWLEDGE_DIRS)


def _partition(quads: list[ox.Quad], problems: Problems) -> list[ProviderRecord]:
    grouped: dict[str, list[ox.Triple]] = defaultdict(list)
    for quad in quads:
        subject, graph = quad.subject, quad.graph_name
        if isinstance(subject, ox.BlankNode):
            problems.add(
                "blank-knude",
                "Blanke knuder bruges ikke: giv hver del af en leverandør en IRI",
                "Blank nodes are not used: give every part of a provider an IRI",
            )
            continue
        match = _SUBJECT.fullmatch(subject.value) if isinstance(subject, ox.NamedNode) else None
        if match is None:
            problems.add(
                "uden-for-leverandoer",
                "Udsagnet hører ikke til en leverandør (id/provider/…)",
                "The statement is not part of a provider record (id/provider/…)",
                node=subject.value if isinstance(subject, ox.NamedNode) else str(subject),
            )
            continue
        tpid = match.group(1)
        if isinstance(quad.object, ox.Literal) and CONTROL.search(quad.object.value):
            problems.add(
                "styretegn",
                "Teksten indeholder styretegn",
                "The text contains control characters",
                node=match.group(0),
            )
            continue
        if isinstance(graph, ox.NamedNode):
            named = _GRAPH.fullmatch(graph.value)
            if named is None or named.group(1) != tpid:
                problems.add(
                    "graf",
                    "Udsagnet står i en anden graf end leverandørens egen",
                    "The statement is in a graph other than the provider's own",
                    node=graph.value,
                )
                continue
        grouped[tpid].append(quad.triple)
    return [
        ProviderRecord(tpid, provider_graph(tpid), triples) for tpid, triples in grouped.items()
    ]
