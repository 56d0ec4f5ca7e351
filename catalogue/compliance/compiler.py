"""Compile SHACL shapes into set-based SPARQL: the fast path's plan.

Every constraint of a shape becomes one SELECT that finds, for all focus nodes at once, the same
results pyshacl finds one focus node at a time:

- SHACL-SPARQL constraint components (shapes/components.ttl): the component's validator, with the
  shape's parameter values pre-bound (substituted, as SHACL's pre-binding defines it: ``BOUND($p)``
  becomes true) and the focus nodes joined in at the start of the outermost group, where the
  validators only use ``$this`` (see the rules in components.ttl);
- the SHACL core components in ``core.ttl`` (the engine's own SPARQL definitions), on property
  shapes with a predicate path;
- ``sh:node`` and ``sh:property`` are resolved from the constraint results (see ``fastpath``).

Parameter values come only from the trusted, vendored shapes graph and are written with
pyoxigraph's N-Triples serialiser; no user input reaches query text. Anything else (other core
components, complex paths, SHACL-AF, SPARQL-based constraints, ``$shapesGraph``) raises
``Unsupported``: the fast path refuses rather than silently disagreeing with pyshacl.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH

from catalogue.compliance.results import Term, to_ox

CORE = Path(__file__).with_name("core.ttl")
PATTERN = SH.PatternConstraintComponent
NODE_COMPONENT = ox.NamedNode(str(SH.NodeConstraintComponent))
DEFAULT_PREFIXES = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}
CORE_PREFIXES = {
    "sh": str(SH),
    "xsd": str(rdflib.XSD),
    "sk": "https://specialekatalog.example/ontology#",
}

# Predicates in the sh: namespace a shape may carry without changing what is validated, or that
# the compiler handles itself. Any other sh: predicate on a shape is unsupported.
DESCRIPTIVE = {
    SH.name,
    SH.description,
    SH.message,
    SH.severity,
    SH.order,
    SH.group,
    SH.defaultValue,
}
STRUCTURAL = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.path}
STRUCTURAL |= {SH.property, SH.node, SH.deactivated}
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_SELECT = re.compile(r"^\s*SELECT\s+(DISTINCT\s+)?", re.IGNORECASE)
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_SHAPES_GRAPH = re.compile(r"[$?]shapesGraph\b")


JOINED, ANCHORED = "joined", "anchored"
ENGINE = rdflib.Namespace("https://specialekatalog.example/compliance/engine#")


class Unsupported(ValueError):
    """A shape uses a construct the fast path does not implement."""


@dataclass(frozen=True)
class Constraint:
    """One constraint of one shape: a SELECT over ``?this`` with the focus pattern inserted."""

    shape: ox.NamedNode
    component: ox.NamedNode
    severity: ox.NamedNode
    query: str  # a SELECT whose outermost WHERE group starts with {FOCUS}
    path: ox.NamedNode | None  # sh:resultPath of a property shape; else the query's ?path
    node_shape: bool  # SHACL-SPARQL on a node shape: sh:value is the focus node
    sparql_component: bool  # results deduplicated per (focus, path, value), as pyshacl does
    pattern: str | None = None  # sh:pattern, matched in Python
    parameters: tuple[tuple[str, Term], ...] = ()
    messages: tuple[ox.Literal, ...] = ()
    mode: str = JOINED  # JOINED or ANCHORED (see core.ttl)
    restriction: str = ""  # pattern added to the focus pattern (engine:focusRestriction)

    def text(self, index: int, focus: str) -> str:
        """The subquery for a batch: projects ``?c`` = index, focus nodes from ``focus``."""
        head = _SELECT.match(self.query)
        where = _WHERE.search(self.query)
        assert head is not None and where is not None
        distinct = head.group(1) or ""
        body = self.query[head.end() : where.end()] + f"\n{focus}\n" + self.query[where.end() :]
        return f"SELECT {distinct}({index} AS ?c) {body}"


@dataclass
class Shape:
    iri: ox.NamedNode
    severity: ox.NamedNode
    messages: tuple[ox.Literal, ...]
    targets: tuple[tuple[rdflib.URIRef, ox.NamedNode], ...] = ()
    constraints: list[Constraint] = field(default_factory=list)
    properties: list[ox.NamedNode] = field(default_factory=list)
    nodes: list[ox.NamedNode] = field(default_factory=list)

    def focus(self, subclasses: dict[ox.NamedNode, list[ox.NamedNode]]) -> str:
        """The focus nodes of a targeted shape, as a group pattern binding ``?this``.

        ``subclasses`` maps each target class to itself and its rdfs:subClassOf* descendants in
        the data (one query per run instead of a property path in every query).
        """
        parts = []
        for kind, node in self.targets:
            if kind == SH.targetClass:
                parts += [f"{{ ?this <{RDF.type}> {c} }}" for c in subclasses[node]]
            elif kind == SH.targetNode:
                parts.append(f"{{ BIND({node} AS ?this) }}")
            elif kind == SH.targetSubjectsOf:
                parts.append(f"{{ ?this {node} ?targetObject }}")
            else:
                parts.append(f"{{ ?targetSubject {node} ?this }}")
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"


@dataclass(frozen=True)
class Validator:
    select: str
    prefixes: tuple[tuple[str, str], ...]
    parameters: tuple[tuple[rdflib.URIRef, bool], ...]  # predicate, optional
    node: bool  # a node validator (else a property validator)
    mode: str = JOINED


@dataclass
class Plan:
    shapes: dict[ox.NamedNode, Shape]

    @property
    def targeted(self) -> list[Shape]:
        return [s for s in self.shapes.values() if s.targets]


def _iri(node: rdflib.term.Node, what: str) -> ox.NamedNode:
    if not isinstance(node, rdflib.URIRef):
        raise Unsupported(f"{what} must be an IRI, found {node!r}")
    return ox.NamedNode(str(node))


def _single(
    graph: rdflib.Graph, subject: rdflib.term.Node, predicate: rdflib.URIRef
) -> rdflib.term.Node | None:
    values = list(graph.objects(subject, predicate))
    if len(values) > 1:
        raise Unsupported(f"{subject} has several values for {predicate}")
    return values[0] if values else None


def _prefixes(graph: rdflib.Graph, validator: rdflib.term.Node) -> dict[str, str]:
    found = dict(DEFAULT_PREFIXES)
    for holder in graph.objects(validator, SH.prefixes):
        for declaration in graph.objects(holder, SH.declare):
            prefix = str(graph.value(declaration, SH.prefix))
            namespace = str(graph.value(declaration, SH.namespace))
            if found.get(prefix, namespace) != namespace:
                raise Unsupported(f"prefix {prefix}: declared twice with different namespaces")
            found[prefix] = namespace
    return found


def _validators(
    graph: rdflib.Graph, components: Iterable[rdflib.term.Node], core: bool
) -> dict[rdflib.URIRef, list[Validator]]:
    found: dict[rdflib.URIRef, list[Validator]] = {}
    for component in components:
        if not isinstance(component, rdflib.URIRef):
            continue
        parameters = tuple(
            (graph.value(p, SH.path), bool(graph.value(p, SH.optional)))
            for p in graph.objects(component, SH.parameter)
        )
        validators = []
        for kind, is_node in ((SH.nodeValidator, True), (SH.propertyValidator, False)):
            for v in graph.objects(component, kind):
                select = graph.value(v, SH.select)
                if select is None:
                    raise Unsupported(f"{component}: only SELECT validators are supported")
                prefixes = CORE_PREFIXES if core else _prefixes(graph, v)
                pairs = tuple(sorted(prefixes.items()))
                mode = ANCHORED if graph.value(component, ENGINE.anchored) else JOINED
                validators.append(Validator(str(select), pairs, parameters, is_node, mode))  # type: ignore[arg-type]
        if any(graph.objects(component, SH.validator)):
            raise Unsupported(f"{component}: ASK validators (sh:validator) are not supported")
        found[component] = validators
    return found


@cache
def _core_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(CORE, format="turtle")


def core_validators() -> dict[rdflib.URIRef, list[Validator]]:
    graph = _core_graph()
    return _validators(graph, set(graph.subjects(SH.parameter, None)), core=True)


def focus_restrictions() -> dict[str, tuple[str, str | None]]:
    """Parameter local name -> (the pattern its value implies for every result's $this,
    the validator condition that pattern makes true)."""
    graph = _core_graph()
    return {
        str(p).split("#")[-1]: (str(text), _optional_str(graph.value(p, ENGINE.impliedCondition)))
        for p, text in graph.subject_objects(ENGINE.focusRestriction)
    }


def _optional_str(node: rdflib.term.Node | None) -> str | None:
    return None if node is None else str(node)


def _substitute(text: str, values: dict[str, Term]) -> str:
    """SHACL pre-binding: each parameter variable replaced by its value; BOUND() of it is true."""
    if _SHAPES_GRAPH.search(text):
        raise Unsupported("$shapesGraph is not supported")
    for name, term in values.items():
        text = re.sub(rf"BOUND\s*\(\s*[$?]{name}\s*\)", "true", text)
        text = re.sub(rf"[$?]{name}\b", str(term).replace("\\", "\\\\"), text)
    return text.replace("$this", "?this")


def _query(validator: Validator, values: dict[str, Term]) -> str:
    text = _substitute(validator.select, values)
    if (
        not _SELECT.match(text)
        or not _WHERE.search(text)
        or re.match(r"\s*SELECT\s+\*", text, re.I)
    ):
        raise Unsupported("a validator must be a SELECT with explicit variables and a WHERE clause")
    return text


class Compiler:
    def __init__(self, shapes: rdflib.Graph) -> None:
        self.graph = shapes
        components = set(shapes.subjects(RDF.type, SH.ConstraintComponent))
        self.custom = _validators(shapes, components, core=False)
        self.core = core_validators()
        self.restrictions = focus_restrictions()
        self.prefixes: dict[str, str] = {}
        known = {p for vs in self.custom.values() for v in vs for p, _ in v.parameters}
        self.parameters = known | {
            p for vs in self.core.values() for v in vs for p, _ in v.parameters
        }

    def shape_nodes(self) -> set[rdflib.term.Node]:
        g = self.graph
        nodes: set[rdflib.term.Node] = set(g.subjects(RDF.type, SH.NodeShape))
        nodes |= set(g.subjects(RDF.type, SH.PropertyShape))
        nodes |= set(g.objects(None, SH.node)) | set(g.objects(None, SH.property))
        for target in TARGETS:
            nodes |= set(g.subjects(target, None))
        return nodes

    def compile(self) -> Plan:
        shapes: dict[ox.NamedNode, Shape] = {}
        for node in self.shape_nodes():
            shape = self.shape(node)
            shapes[shape.iri] = shape
        return Plan(shapes)

    def shape(self, node: rdflib.term.Node) -> Shape:
        g = self.graph
        iri = _iri(node, "a shape")
        for p in set(g.predicates(node)):
            if str(p).startswith(str(SH)) and p not in DESCRIPTIVE | STRUCTURAL | self.parameters:
                raise Unsupported(f"{iri.value}: {p} is not supported by the fast path")
        severity = _iri(_single(g, node, SH.severity) or SH.Violation, "sh:severity")
        messages = tuple(to_ox(m) for m in g.objects(node, SH.message))  # type: ignore[misc]
        shape = Shape(iri, severity, messages)  # type: ignore[arg-type]
        deactivated = g.value(node, SH.deactivated)
        if isinstance(deactivated, rdflib.Literal) and deactivated.toPython() is True:
            return shape
        shape.targets = tuple((t, _iri(o, str(t))) for t in TARGETS for o in g.objects(node, t))
        path = _single(g, node, SH.path)
        if path is not None:
            path_iri = _iri(path, "sh:path (only predicate paths are supported)")
            if any(g.objects(node, SH.property)) or any(g.objects(node, SH.node)):
                raise Unsupported(f"{iri.value}: sh:property or sh:node on a property shape")
            self._core(shape, node, path_iri)
        else:
            shape.properties = [_iri(p, "sh:property") for p in g.objects(node, SH.property)]
            shape.nodes = [_iri(n, "sh:node") for n in g.objects(node, SH.node)]
            if any(p in self.core for p in self._core_parameters(node)):
                raise Unsupported(f"{iri.value}: core constraints on a node shape")
        self._custom(shape, node, path_iri if path is not None else None)
        return shape

    def _core_parameters(self, node: rdflib.term.Node) -> set[rdflib.term.Node]:
        present = set(self.graph.predicates(node))
        return {
            c for c, vs in self.core.items() for v in vs for p, _ in v.parameters if p in present
        }

    def _core(self, shape: Shape, node: rdflib.term.Node, path: ox.NamedNode) -> None:
        for component, validators in self.core.items():
            (validator,) = validators
            ((parameter, _),) = validator.parameters
            value = _single(self.graph, node, parameter)  # type: ignore[arg-type]
            if value is None:
                continue
            values = {parameter.split("#")[-1]: to_ox(value), "PATH": path}
            pattern = str(value) if component == PATTERN else None
            shape.constraints.append(
                self._constraint(shape, component, validator, values, path, False, pattern)
            )

    def _custom(self, shape: Shape, node: rdflib.term.Node, path: ox.NamedNode | None) -> None:
        for component, validators in self.custom.items():
            values: dict[str, Term] = {}
            active = True
            for parameter, optional in validators[0].parameters if validators else ():
                value = _single(self.graph, node, parameter)  # type: ignore[arg-type]
                if value is None:
                    active = active and optional
                else:
                    values[str(parameter).split("#")[-1].split("/")[-1]] = to_ox(value)
            if not validators or not active:
                continue
            chosen = [v for v in validators if v.node == (path is None)]
            if not chosen:
                raise Unsupported(
                    f"{shape.iri.value}: {component} has no validator for this kind of shape"
                )
            if path is not None:
                values["PATH"] = path
            shape.constraints.append(
                self._constraint(shape, component, chosen[0], values, path, True, None)
            )

    def _constraint(
        self,
        shape: Shape,
        component: rdflib.URIRef,
        validator: Validator,
        values: dict[str, Term],
        path: ox.NamedNode | None,
        sparql_component: bool,
        pattern: str | None,
    ) -> Constraint:
        for prefix, namespace in validator.prefixes:
            if self.prefixes.setdefault(prefix, namespace) != namespace:
                raise Unsupported(f"prefix {prefix}: declared with different namespaces")
        values = dict(values)
        values.setdefault("currentShape", shape.iri)
        parameters = tuple((k, v) for k, v in values.items() if k not in ("PATH", "currentShape"))
        applied = [(t, c) for name, (t, c) in self.restrictions.items() if name in values]
        restriction = " ".join(_substitute(text, values) for text, _ in applied)
        query = _query(validator, values)
        if sparql_component:
            for _, condition in applied:
                if condition is not None:
                    query = query.replace(_substitute(condition, values), "true")
        return Constraint(
            shape=shape.iri,
            component=ox.NamedNode(str(component)),
            severity=shape.severity,
            query=query,
            path=path,
            node_shape=path is None,
            sparql_component=sparql_component,
            pattern=pattern,
            parameters=parameters,
            messages=shape.messages,
            mode=validator.mode,
            restriction=restriction,
        )


def compile_shapes(shapes: rdflib.Graph) -> tuple[Plan, dict[str, str]]:
    """The plan and the PREFIX declarations its queries need."""
    compiler = Compiler(shapes)
    plan = compiler.compile()
    return plan, compiler.prefixes
