"""Compile SHACL shapes into set-based SPARQL: the fast path's plan.

Every constraint of a shape becomes one SELECT that finds, for all focus nodes at once, the same
results pyshacl finds one focus node at a time:

- SHACL-SPARQL constraint components (shapes/components.ttl; an ASK validator becomes the SELECT
  of the value nodes for which it answers false) and SPARQL-based constraints
  (``sh:sparql``): the validator or query, with the shape's parameter values, ``$PATH`` and
  ``$currentShape`` pre-bound (substituted, as SHACL's pre-binding defines it: ``BOUND($p)``
  becomes true) and the focus nodes joined in at the start of the outermost group. That join gives
  the answers of pre-binding only for queries of a certain form, which ``safety`` checks (see the
  rules in components.ttl); any other query is refused;
- the SHACL core constraint components in ``core.ttl`` (the engine's own SPARQL definitions), with
  any property path (``paths``) or on node shapes; ``sh:closed`` is written here;
- ``sh:property`` and the shape-based constraints (``sh:node``, ``sh:not``, ``sh:and``, ``sh:or``,
  ``sh:xone``, ``sh:qualifiedValueShape``) are resolved from the referenced shapes' results on the
  value nodes (see ``fastpath``).

Never silently wrong: a shape that uses anything else (SHACL-AF, ``$shapesGraph``, a datatype
the store rewrites, recursion ...) is *refused*, with the shape and the feature named, and so is
every shape that refers to a refused one. ``Plan.refused`` lists them; the
check validates the refused shapes that have targets with the reference engine (pyshacl), so the
report is complete either way.

Parameter values come only from the trusted, vendored shapes graph and are written with
pyoxigraph's N-Triples serialiser; no user input reaches query text.
"""

from __future__ import annotations

import pathlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from catalogue.compliance import kinds, paths
from catalogue.compliance.kinds import (
    DESCRIPTIVE,
    LOGICAL,
    QUALIFIED,
    STRUCTURAL,
    TARGETS,
)
from catalogue.compliance.paths import FOCUS, VALUES, Path, Unsupported
from catalogue.compliance.results import Term, to_ox, to_rdflib
from catalogue.compliance.safety import ask_group, group_by, joinable, unsafe

CORE = pathlib.Path(__file__).with_name("core.ttl")
PATTERN = SH.PatternConstraintComponent
DEFAULT_PREFIXES = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}
CORE_PREFIXES = {
    "sh": str(SH),
    "rdf": str(RDF),
    "xsd": str(XSD),
    "sk": "https://specialekatalog.example/ontology#",
}

SPARQL_CONSTRAINT = SH.SPARQLConstraintComponent
_SELECT = re.compile(r"^\s*SELECT\s+(DISTINCT\s+)?", re.IGNORECASE)
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_SHAPES_GRAPH = re.compile(r"[$?]shapesGraph\b")
_VARIABLE = re.compile(r"[$?](\w+)")
TEMPLATE = re.compile(r"\{([$?])([A-Za-z_][\w]*)\}")  # a name to fill in a message (SHACL 5.3.2)


JOINED, ANCHORED = "joined", "anchored"
FOCUS_END = " } }"  # how every focus pattern (Shape.focus, Shape.value_focus) ends
INDEX = "_constraint"  # the variable naming a constraint's branch in a batch (reserved)
JOINED_PREFIX = "_p_"  # how a joined parameter's variable is named (see Constraint.template)
# names no parameter may have: the pre-bound variables (SHACL 6.2.1, 6.2.3.2) and the engine's
RESERVED_NAMES = {"this", "value", "PATH", "currentShape", "shapesGraph", INDEX}
ENGINE = rdflib.Namespace("https://specialekatalog.example/compliance/engine#")


ShapeId = ox.NamedNode | ox.BlankNode


@dataclass(frozen=True)
class Constraint:
    """One constraint of one shape: a SELECT over ``?this`` with the focus pattern inserted."""

    shape: ShapeId
    component: ox.NamedNode
    severity: ox.NamedNode
    query: str  # a SELECT whose outermost WHERE group starts with {FOCUS}
    path: Path | None  # the path of a property shape; else the query's ?path gives sh:resultPath
    node_shape: bool  # SHACL-SPARQL on a node shape: sh:value is the focus node
    sparql_component: bool  # results deduplicated per (focus, path, value), as pyshacl does
    pattern: str | None = None  # sh:pattern, matched in Python
    parameters: tuple[tuple[str, Term], ...] = ()
    messages: tuple[ox.Literal, ...] = ()
    mode: str = JOINED  # JOINED or ANCHORED (see core.ttl)
    restriction: str = ""  # pattern added to the focus pattern (engine:focusRestriction)
    source: ShapeId | None = None  # sh:sourceConstraint: the node of a SPARQL-based constraint
    message_variable: bool = False  # a solution's ?message is the result's message (SHACL 5.3.2)
    # ``query`` with the joinable parameters as variables (``?_p_<name>``), and their values:
    # constraints with the same template run as one pattern (see ``branch``)
    template: str = ""
    joined: tuple[tuple[str, Term], ...] = ()

    @cached_property
    def templated(self) -> bool:
        """Whether a message has a ``{$param}`` or ``{?var}`` to fill (most have none: their
        results share the messages as they are)."""
        return any(TEMPLATE.search(m.value) for m in self.messages)

    @cached_property
    def narrows(self) -> bool:
        """Whether the restriction is a pattern on ``?this`` alone (see ``focused``)."""
        return bool(self.restriction) and set(_VARIABLE.findall(self.restriction)) == {"this"}

    def focused(self, focus: str, narrow: bool = True) -> str:
        """What goes at the start of the query's WHERE group (JOINED mode): the focus pattern and
        the restriction. ``narrow``: a restriction on ``?this`` alone goes inside the focus
        selection, so Oxigraph narrows the focus nodes before the validator runs, not after
        selecting every one (half the time of the SPARQL-based components at national scale;
        on one record, where the focus nodes are few, the larger plan costs more than it saves).
        A restriction with other variables (they may be several matches) is joined beside it."""
        if self.mode != JOINED:
            return ""
        if narrow and self.narrows and focus.endswith(FOCUS_END):
            return f"{focus.removesuffix(FOCUS_END)}\n{self.restriction}\n{FOCUS_END}"
        return f"{focus}\n{self.restriction}\n"


def branch(members: Sequence[tuple[int, Constraint]], inserted: str, focus: str) -> str:
    """The subquery of constraints with the same template, ``inserted`` text (at the start of
    the outermost group) and ``focus`` (the focus pattern, where a nullable path needs it): one
    constraint, or several that differ only in joined parameter values. Each solution names its
    constraint (its index) in ``?_constraint``. Several become one pattern with a VALUES block
    of each constraint's index and values at the start of the outermost group (Oxigraph plans
    every pattern of a query text anew; on one record that planning was most of the check)."""
    ((index, first), *others) = members
    query = (first.template if others else first.query).replace(FOCUS, focus)
    head = _SELECT.match(query)
    where = _WHERE.search(query)
    assert head is not None and where is not None
    distinct = head.group(1) or ""
    if not others:
        projected, values = f"({index} AS ?{INDEX})", ""
    else:
        names = " ".join(f"?{JOINED_PREFIX}{name}" for name, _ in first.joined)
        rows = " ".join(f"({i} {' '.join(str(v) for _, v in c.joined)})" for i, c in members)
        projected, values = f"?{INDEX}", f"VALUES (?{INDEX} {names}) {{ {rows} }}"
    body = query[head.end() : where.end()] + f"\n{values}\n{inserted}\n" + query[where.end() :]
    return f"SELECT {distinct}{projected} {body}"


@dataclass(frozen=True)
class Logic:
    """A shape-based constraint (sh:node, sh:not, sh:and, sh:or, sh:xone): each value node is
    validated against the referenced shapes and fails by the component's rule."""

    component: ox.NamedNode
    shapes: tuple[ShapeId, ...]

    def fails(self, conforming: list[bool]) -> bool:
        name = self.component.value.removeprefix(str(SH))
        if name == "NotConstraintComponent":
            return conforming[0]
        if name == "OrConstraintComponent":
            return not any(conforming)
        if name == "XoneConstraintComponent":
            return sum(conforming) != 1
        return not all(conforming)  # sh:node, sh:and


@dataclass(frozen=True)
class Qualified:
    """sh:qualifiedValueShape: how many value nodes conform to ``shape`` (and, when the shapes
    are disjoint, to none of the ``siblings``), between ``minimum`` and ``maximum``."""

    shape: ShapeId
    siblings: tuple[ShapeId, ...]
    minimum: int | None
    maximum: int | None

    def counts(self, conforms: Mapping[ShapeId, bool]) -> bool:
        return conforms[self.shape] and not any(conforms[s] for s in self.siblings)


@dataclass
class Shape:
    iri: ShapeId  # an IRI or a blank node of the shapes graph
    severity: ox.NamedNode
    messages: tuple[ox.Literal, ...]
    targets: tuple[tuple[rdflib.URIRef, ox.NamedNode | ox.Literal], ...] = ()
    constraints: list[Constraint] = field(default_factory=list)
    path: Path | None = None
    properties: list[ShapeId] = field(default_factory=list)
    logic: list[Logic] = field(default_factory=list)
    qualified: Qualified | None = None

    @property
    def references(self) -> list[ShapeId]:
        found = self.properties + [s for rule in self.logic for s in rule.shapes]
        if self.qualified is not None:
            found += [self.qualified.shape, *self.qualified.siblings]
        return found

    def value_focus(self, focus: str) -> str:
        """The focus pattern of the shape's value nodes, given the shape's focus pattern."""
        if self.path is None:
            return focus
        values = self.path.values().replace(FOCUS, focus)
        return (
            "{ SELECT DISTINCT ?this WHERE { { SELECT DISTINCT ?value WHERE { "
            f"{focus} {values} }} }} BIND (?value AS ?this) }} }}"
        )

    def focus(self, subclasses: dict[ox.NamedNode, list[ox.NamedNode]]) -> str:
        """The focus nodes of a targeted shape, as a group pattern binding ``?this``.

        ``subclasses`` maps each target class (explicit or implicit) to itself and its
        rdfs:subClassOf* descendants in the data (one query per class and run instead of a
        property path in every query).
        """
        parts = []
        for kind, node in self.targets:
            if kind == SH.targetClass and isinstance(node, ox.NamedNode):
                parts += [f"{{ ?this <{RDF.type}> {c} }}" for c in subclasses[node]]
            elif kind == SH.targetNode:
                parts.append(f"{{ BIND({node} AS ?this) }}")
            elif kind == SH.targetSubjectsOf:
                parts.append(f"{{ ?this {node} ?targetObject }}")
            else:
                parts.append(f"{{ ?targetSubject {node} ?this }}")
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + FOCUS_END


@dataclass(frozen=True)
class Validator:
    select: str
    prefixes: tuple[tuple[str, str], ...]
    parameters: tuple[tuple[rdflib.URIRef, bool], ...]  # predicate, optional
    node: bool  # a node validator (else a property validator)
    mode: str = JOINED
    ask: bool = False  # an ASK validator (sh:validator), for node and property shapes alike
    messages: tuple[ox.Literal, ...] = ()  # the validator's sh:message, else its component's


@dataclass(frozen=True)
class Component:
    """A constraint component's validators, or why the fast path cannot use it."""

    parameters: tuple[tuple[rdflib.URIRef, bool], ...]
    validators: tuple[Validator, ...] = ()
    problem: str | None = None
    accepted: frozenset[rdflib.term.Node] | None = None  # the only parameter values supported
    listed: bool = False  # the parameter's value is an RDF list (engine:listParameter)
    property_only: bool = False  # engine:propertyShapesOnly
    # engine:validatorForValue: a cheaper validator for one parameter value (predicate paths)
    special: tuple[tuple[rdflib.term.Node, Validator], ...] = ()

    def validator(self, value: rdflib.term.Node, path: Path | None) -> Validator:
        """The validator for a parameter value on a shape with ``path``."""
        if path is not None and path.predicate:
            for given, validator in self.special:
                if given == value:
                    return validator
        (validator,) = self.validators
        return validator


@dataclass
class Plan:
    shapes: dict[ShapeId, Shape]
    # every shape the compiler refused (its IRI or blank node label) -> the reason, naming the
    # shape and the feature; and those of them that have targets (validated by the reference)
    refused: dict[str, str] = field(default_factory=dict)
    refused_roots: tuple[rdflib.term.Node, ...] = ()

    @property
    def targeted(self) -> list[Shape]:
        return [s for s in self.shapes.values() if s.targets]

    @property
    def classes(self) -> list[ox.NamedNode]:
        """Every class a compiled shape targets, explicitly or implicitly."""
        found = {
            n
            for s in self.targeted
            for k, n in s.targets
            if k == SH.targetClass and isinstance(n, ox.NamedNode)
        }
        return sorted(found, key=str)


def _iri(node: rdflib.term.Node, what: str) -> ox.NamedNode:
    if not isinstance(node, rdflib.URIRef):
        raise Unsupported(f"{what} must be an IRI, found {node.n3()}")
    return ox.NamedNode(str(node))


def _shape_id(node: rdflib.term.Node, what: str) -> ShapeId:
    if isinstance(node, rdflib.BNode):
        return ox.BlankNode(str(node))
    return _iri(node, what)


def _single(
    graph: rdflib.Graph, subject: rdflib.term.Node, predicate: rdflib.URIRef
) -> rdflib.term.Node | None:
    values = list(graph.objects(subject, predicate))
    if len(values) > 1:
        raise Unsupported(f"several values of {predicate.n3(graph.namespace_manager)}")
    return values[0] if values else None


def _prefixes(graph: rdflib.Graph, validator: rdflib.term.Node) -> dict[str, str]:
    """The prefixes of a SPARQL query: ``sh:prefixes/owl:imports*/sh:declare`` (SHACL 5.2.1)."""
    found = dict(DEFAULT_PREFIXES)
    holders = set(graph.objects(validator, SH.prefixes))
    frontier = list(holders)
    while frontier:
        for imported in graph.objects(frontier.pop(), OWL.imports):
            if imported not in holders:
                holders.add(imported)
                frontier.append(imported)
    for holder in sorted(holders, key=str):
        for declaration in graph.objects(holder, SH.declare):
            prefix = str(graph.value(declaration, SH.prefix))
            namespace = str(graph.value(declaration, SH.namespace))
            if found.get(prefix, namespace) != namespace:
                raise Unsupported(f"prefix {prefix}: declared twice with different namespaces")
            found[prefix] = namespace
    return found


def _subclasses(graph: rdflib.Graph, *tops: rdflib.URIRef) -> set[rdflib.term.Node]:
    """The classes and their rdfs:subClassOf* descendants in the graph."""
    found: set[rdflib.term.Node] = set(tops)
    frontier = list(found)
    while frontier:
        for sub in graph.subjects(RDFS.subClassOf, frontier.pop()):
            if sub not in found:
                found.add(sub)
                frontier.append(sub)
    return found


def _component(graph: rdflib.Graph, component: rdflib.URIRef, core: bool) -> Component:
    found = [
        (graph.value(p, SH.path), kinds.optional(to_ox(o) for o in graph.objects(p, SH.optional)))
        for p in graph.objects(component, SH.parameter)
    ]
    parameters = tuple((p, o) for p, o in found if isinstance(p, rdflib.URIRef))
    validators = []
    try:
        if len(parameters) != len(found):
            raise Unsupported("a parameter whose sh:path is not an IRI (SHACL 6.2.1)")
        for parameter, _ in parameters:
            if _local(parameter) in RESERVED_NAMES:
                raise Unsupported(f"a parameter named {_local(parameter)} (SHACL 6.2.1)")
        own = _messages(graph, component)
        for v in graph.objects(component, SH.validator):
            validators.append(
                replace(_ask(graph, v, parameters), messages=_messages(graph, v) or own)
            )
        for kind, is_node in ((SH.nodeValidator, True), (SH.propertyValidator, False)):
            for v in graph.objects(component, kind):
                select = graph.value(v, SH.select)
                if select is None or graph.value(v, SH.ask) is not None:
                    name = _name(graph, kind)
                    raise Unsupported(f"a {name} must be a SELECT validator (SHACL 6.2.3)")
                if not core and (problem := _unsupported(str(select))):
                    raise Unsupported(f"its validator {problem}")
                prefixes = CORE_PREFIXES if core else _prefixes(graph, v)
                pairs = tuple(sorted(prefixes.items()))
                mode = ANCHORED if graph.value(component, ENGINE.anchored) else JOINED
                messages = _messages(graph, v) or own
                validators.append(
                    Validator(str(select), pairs, parameters, is_node, mode, messages=messages)
                )
    except Unsupported as exc:
        return Component(parameters, problem=f"{component.n3()}: {exc}")
    holder = graph.value(component, ENGINE.acceptedValues)
    accepted = None if holder is None else frozenset(Collection(graph, holder))
    listed = bool(graph.value(component, ENGINE.listParameter))
    only = bool(graph.value(component, ENGINE.propertyShapesOnly))
    special = tuple(
        (value, replace(validators[0], select=str(graph.value(v, SH.select))))
        for v in (graph.objects(component, ENGINE.validatorForValue) if core else ())
        if (value := graph.value(v, ENGINE.parameterValue)) is not None
    )
    return Component(parameters, tuple(validators), None, accepted, listed, only, special)


def _messages(graph: rdflib.Graph, node: rdflib.term.Node) -> tuple[ox.Literal, ...]:
    """The node's sh:message values (literals, SHACL 2.1.5)."""
    terms = [to_ox(m) for m in graph.objects(node, SH.message)]
    messages = tuple(m for m in terms if isinstance(m, ox.Literal))
    if len(messages) != len(terms):
        raise Unsupported("sh:message must be literals")
    return messages


def _unsupported(query: str) -> str | None:
    """Why the compiled engine cannot run a SPARQL query exactly, or None."""
    if _SHAPES_GRAPH.search(query):
        return "uses $shapesGraph"
    return unsafe(query)


def _local(parameter: rdflib.term.Node) -> str:
    """A parameter's variable name: the local name of its predicate (SHACL 6.2.1)."""
    return str(parameter).split("#")[-1].split("/")[-1]


def _ask(
    graph: rdflib.Graph, node: rdflib.term.Node, parameters: tuple[tuple[rdflib.URIRef, bool], ...]
) -> Validator:
    """An ASK validator (SHACL 6.2.3.2) as the SELECT of the value nodes for which the ASK query,
    with $this and $value pre-bound, answers false: its group in FILTER NOT EXISTS, after the
    value nodes. It must be of the joinable form for $this and for $value (see ``safety``)."""
    ask = _single(graph, node, SH.ask)
    if graph.value(node, SH.select) is not None or not isinstance(ask, rdflib.Literal):
        raise Unsupported("a sh:validator must be an ASK validator with one sh:ask (SHACL 6.2.3)")
    try:
        group = ask_group(str(ask))
    except ValueError as exc:
        raise Unsupported(f"its ASK validator {exc}") from exc
    select = f"SELECT $this ?value WHERE {{\n    {VALUES}\n    FILTER NOT EXISTS {group}\n}}"
    for text, name in ((select, "$this"), (re.sub(r"[$?]value\b", "$this", select), "$value")):
        if problem := _unsupported(text):
            raise Unsupported(f"its ASK validator {problem.replace('$this', name)}")
    pairs = tuple(sorted(_prefixes(graph, node).items()))
    return Validator(select, pairs, parameters, False, JOINED, ask=True)


def _components(
    graph: rdflib.Graph, nodes: Iterable[rdflib.term.Node], core: bool
) -> dict[rdflib.URIRef, Component]:
    return {c: _component(graph, c, core) for c in nodes if isinstance(c, rdflib.URIRef)}


@cache
def _core_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(CORE, format="turtle")


def core_components() -> dict[rdflib.URIRef, Component]:
    graph = _core_graph()
    return _components(graph, set(graph.subjects(SH.parameter, None)), core=True)


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


@dataclass(frozen=True)
class _Text:
    """SPARQL text substituted as it is (a complex path)."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Members:
    """The members of a list-valued parameter, written one after the other (a VALUES block)."""

    terms: tuple[Term, ...]

    def __str__(self) -> str:
        return " ".join(str(t) for t in self.terms)


Substituted = Term | Members | _Text


def _list(graph: rdflib.Graph, head: rdflib.term.Node) -> list[rdflib.term.Node]:
    if head != RDF.nil and graph.value(head, RDF.first) is None:
        raise Unsupported(f"{head.n3()} is not an RDF list")
    return list(Collection(graph, head))


_PROBE = ox.NamedNode("urn:x-probe")
_EMPTY = ox.Store()  # compiled queries are parsed (and run on nothing) once, at compile time
_SOME_FOCUS = "{ SELECT DISTINCT ?this WHERE { { ?this ?p ?o } } }"  # as Shape.focus makes it


@cache
def canonical(literal: ox.Literal) -> bool:
    """Whether the store keeps the literal as it is written (Oxigraph stores "01"^^xsd:integer as
    "1", "1"^^xsd:byte as "1"^^xsd:integer ...)."""
    store = ox.Store()
    store.add(ox.Quad(_PROBE, _PROBE, literal))
    return next(iter(store)).object == literal


_STRING = re.compile(  # SPARQL's string literals (a short one ends on its line)
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
)


def _substitute(text: str, values: Mapping[str, Substituted]) -> str:
    """SHACL pre-binding: each parameter variable replaced by its value; BOUND() of it is true.
    The replacement is textual, so a variable's name inside a string of the query is refused
    (pre-binding leaves a string as it is)."""
    if _SHAPES_GRAPH.search(text):
        raise Unsupported("$shapesGraph is not supported")
    names = "|".join(re.escape(name) for name in sorted(values, key=len, reverse=True)) or "(?!)"
    inside = re.compile(rf"[$?](?:{names})\b|\$this\b")
    for string in _STRING.finditer(text):
        if found := inside.search(string.group()):
            raise Unsupported(f"{found.group()} inside a string of the query")
    pattern = re.compile(
        rf"(?P<bound>(?i:BOUND)\s*\(\s*[$?](?:{names})\s*\))|[$?](?P<name>{names})\b|\$this\b"
    )

    def value(match: re.Match[str]) -> str:  # one pass: a value's own text is never read again
        if match["bound"]:
            return "true"
        if match["name"]:
            return str(values[match["name"]])
        return "?this"

    return pattern.sub(value, text)


def _query(validator: Validator, values: Mapping[str, Substituted]) -> str:
    text = _substitute(validator.select, values)
    if re.search(rf"[$?]{INDEX}\b", text):
        raise Unsupported(f"the variable ?{INDEX} is reserved by the fast path")
    if re.search(r"\$PATH\b", text):
        raise Unsupported("$PATH in a validator of a node shape")
    if (
        not _SELECT.match(text)
        or not _WHERE.search(text)
        or re.match(r"\s*SELECT\s+\*", text, re.I)
    ):
        raise Unsupported("a validator must be a SELECT with explicit variables and a WHERE clause")
    return text


def _joined(select: str, values: Mapping[str, Substituted]) -> tuple[tuple[str, Term], ...]:
    """The parameters (by variable name) that may be joined in rather than substituted: a term
    whose variable the validator uses only where ``safety.joinable`` allows."""
    if re.search(rf"[$?]{JOINED_PREFIX}", select):
        return ()
    return tuple(
        (name, value)
        for name, value in sorted(values.items())
        if isinstance(value, ox.NamedNode | ox.Literal)
        and re.search(rf"[$?]{re.escape(name)}\b", select)
        and joinable(select, name)
    )


def _name(graph: rdflib.Graph, predicate: rdflib.URIRef) -> str:
    return predicate.n3(graph.namespace_manager)


def _label(node: rdflib.term.Node) -> str:
    return str(node) if isinstance(node, rdflib.URIRef) else node.n3()


class Compiler:
    def __init__(self, shapes: rdflib.Graph) -> None:
        self.graph = shapes
        classes = _subclasses(shapes, SH.ConstraintComponent)  # SHACL 6.1: instances of these
        components = {c for k in classes for c in shapes.subjects(RDF.type, k)}
        self.custom = _components(shapes, components, core=False)
        self.core = core_components()
        self.restrictions = focus_restrictions()
        self.prefixes: dict[str, str] = {}
        self.parameters = {
            p for c in (*self.custom.values(), *self.core.values()) for p, _ in c.parameters
        }
        self.metaclasses = self.metaclasses_of(shapes)

    @staticmethod
    def metaclasses_of(graph: rdflib.Graph) -> set[rdflib.term.Node]:
        """rdfs:Class and its subclasses in the shapes graph (owl:Class is one, as pyshacl takes
        it): a shape that is an instance of one targets itself (SHACL 2.1.3.3)."""
        return _subclasses(graph, RDFS.Class, OWL.Class)

    def implicit_class(self, node: rdflib.term.Node) -> bool:
        return any(t in self.metaclasses for t in self.graph.objects(node, RDF.type))

    def shape_nodes(self) -> set[rdflib.term.Node]:
        g = self.graph
        kinds: set[rdflib.term.Node] = {SH.NodeShape, SH.PropertyShape}
        for kind in (SH.NodeShape, SH.PropertyShape):
            kinds |= {k for k in g.transitive_subjects(RDFS.subClassOf, kind) if k is not None}
        nodes: set[rdflib.term.Node] = {s for k in kinds for s in g.subjects(RDF.type, k)}
        for reference in (SH.node, SH.property, SH.qualifiedValueShape, SH["not"]):
            nodes |= set(g.objects(None, reference))
        for logical in (SH["and"], SH["or"], SH.xone):
            for holder in g.objects(None, logical):
                nodes |= set(Collection(g, holder))
        for target in TARGETS:
            nodes |= set(g.subjects(target, None))
        return nodes

    def targeted(self, node: rdflib.term.Node) -> bool:
        g = self.graph
        return self.implicit_class(node) or any(any(g.objects(node, t)) for t in TARGETS)

    def compile(self) -> Plan:
        shapes: dict[ShapeId, Shape] = {}
        refused: dict[rdflib.term.Node, str] = {}
        nodes = self.shape_nodes()
        for node in sorted(nodes, key=str):
            try:
                shape = self.shape(node)
            except Unsupported as exc:
                refused[node] = f"{_label(node)}: {exc}"
            else:
                shapes[shape.iri] = shape
        for iri in _recursive(shapes):
            node = to_rdflib(iri)
            refused[node] = f"{_label(node)}: refers to itself (SHACL leaves recursion undefined)"
            del shapes[iri]
        changed = True
        while changed:  # a shape that refers to a refused shape is refused too
            changed = False
            for iri, shape in list(shapes.items()):
                missing = [r for r in shape.references if r not in shapes]
                if missing:
                    node = to_rdflib(iri)
                    reason = f"{_label(node)}: refers to the refused shape "
                    refused[node] = reason + _label(to_rdflib(missing[0]))
                    del shapes[iri]
                    changed = True
        roots = tuple(sorted((n for n in refused if self.targeted(n)), key=str))
        return Plan(shapes, {_label(n): r for n, r in refused.items()}, roots)

    def shape(self, node: rdflib.term.Node) -> Shape:
        g = self.graph
        iri = _shape_id(node, "a shape")
        for p in sorted(set(g.predicates(node)), key=str):
            if str(p).startswith(str(SH)) and p not in DESCRIPTIVE | STRUCTURAL | self.parameters:
                raise Unsupported(f"{p.n3(g.namespace_manager)} is not supported by the fast path")
        severity = _iri(_single(g, node, SH.severity) or SH.Violation, "sh:severity")
        messages = tuple(to_ox(m) for m in g.objects(node, SH.message))
        if not all(isinstance(m, ox.Literal) for m in messages):
            raise Unsupported("sh:message must be literals")
        shape = Shape(iri, severity, messages)  # type: ignore[arg-type]
        deactivated = _single(g, node, SH.deactivated)
        if deactivated is not None:
            if not isinstance(deactivated, rdflib.Literal) or deactivated.datatype != XSD.boolean:
                raise Unsupported("sh:deactivated must be a boolean literal")
            if deactivated.ill_typed:
                raise Unsupported("sh:deactivated is an ill-formed boolean")
            if deactivated.toPython() is True:
                return shape
        targets: list[tuple[rdflib.URIRef, ox.NamedNode | ox.Literal]] = [
            (t, self._target(t, o)) for t in TARGETS for o in g.objects(node, t)
        ]
        if self.implicit_class(node):
            targets.append((SH.targetClass, _iri(node, "a class")))
        shape.targets = tuple(dict.fromkeys(targets))
        path = _single(g, node, SH.path)
        if (path is None and (node, RDF.type, SH.PropertyShape) in g) or (
            path is not None and (node, RDF.type, SH.NodeShape) in g
        ):
            raise Unsupported("a sh:NodeShape with sh:path, or a sh:PropertyShape without")
        shape.path = None if path is None else paths.read(g, path)
        shape.properties = [_shape_id(p, "sh:property") for p in g.objects(node, SH.property)]
        for predicate, component in LOGICAL.items():
            for value in g.objects(node, predicate):
                name = _name(g, predicate)
                members = [value] if predicate in (SH.node, SH["not"]) else _list(g, value)
                refs = tuple(_shape_id(m, name) for m in members)
                shape.logic.append(Logic(ox.NamedNode(str(component)), refs))
        shape.qualified = self._qualified(node, shape.path)
        self._closed(shape, node)
        self._core(shape, node, shape.path)
        self._custom(shape, node, shape.path)
        self._sparql(shape, node, shape.path)
        return shape

    def _sparql(self, shape: Shape, node: rdflib.term.Node, path: Path | None) -> None:
        """SPARQL-based constraints (SHACL 5): a SELECT with $this, $PATH and $currentShape
        pre-bound, in the joinable form ``safety`` checks; results name the constraint."""
        g = self.graph
        for holder in g.objects(node, SH.sparql):
            deactivated = _single(g, holder, SH.deactivated)
            if deactivated is not None:
                if not (
                    isinstance(deactivated, rdflib.Literal) and deactivated.datatype == XSD.boolean
                ):
                    raise Unsupported("sh:deactivated of a SPARQL constraint is not a boolean")
                if deactivated.toPython() is True:
                    continue
            select = _single(g, holder, SH.select)
            if not isinstance(select, rdflib.Literal):
                raise Unsupported("a SPARQL constraint without one sh:select literal")
            if problem := _unsupported(str(select)):
                raise Unsupported(f"its SPARQL constraint {problem}")
            prefixes = tuple(sorted(_prefixes(g, holder).items()))
            validator = Validator(str(select), prefixes, (), path is None)
            values: dict[str, Substituted] = {}
            if path is not None and path.nullable:
                raise Unsupported("a SPARQL constraint on a path that can be of length zero")
            if path is not None:
                values["PATH"] = path.node if path.predicate else _Text(path.text)
            found = self._constraint(shape, SPARQL_CONSTRAINT, validator, values, path, False, None)
            messages = _messages(g, holder) or shape.messages
            source = _shape_id(holder, "sh:sparql")
            shape.constraints.append(
                replace(found, messages=messages, source=source, message_variable=True)
            )  # type: ignore[arg-type]

    def _pattern(self, node: rdflib.term.Node, pattern: rdflib.term.Node) -> str:
        """sh:pattern for Python's re.search, as pyshacl matches it; sh:flags "i" and "m" as
        inline flags (the XPath flags "s", "x" and "q" differ from Python's: refused)."""
        flags = _single(self.graph, node, SH.flags)
        if flags is None:
            return str(pattern)
        if not isinstance(flags, rdflib.Literal) or not set(str(flags)) <= {"i", "m"}:
            raise Unsupported(f"sh:flags {flags.n3()} (only i and m are supported)")
        return f"(?{flags})" + str(pattern) if str(flags) else str(pattern)

    def _closed(self, shape: Shape, node: rdflib.term.Node) -> None:
        """sh:closed true: every triple of the focus node whose predicate is neither a predicate
        path of one of the shape's property shapes nor in sh:ignoredProperties."""
        g = self.graph
        closed = _single(g, node, SH.closed)
        if closed is None or (isinstance(closed, rdflib.Literal) and closed.toPython() is False):
            return
        if not (isinstance(closed, rdflib.Literal) and closed.datatype == XSD.boolean):
            raise Unsupported("sh:closed is not a boolean")
        if shape.path is not None:
            raise Unsupported("sh:closed on a property shape")
        allowed = {p for s in g.objects(node, SH.property) for p in g.objects(s, SH.path)}
        ignored = _single(g, node, SH.ignoredProperties)
        if ignored is not None:
            allowed |= set(_list(g, ignored))
        names = sorted(
            _iri(p, "sh:ignoredProperties") for p in allowed if not isinstance(p, rdflib.BNode)
        )
        # Oxigraph 0.5 answers `?x NOT IN ()` false: no filter when nothing is allowed
        allow = f"FILTER (?path NOT IN ({', '.join(map(str, names))}))" if names else ""
        query = f"SELECT ?this ?path ?value WHERE {{\n    ?this ?path ?value .\n    {allow}\n}}"
        shape.constraints.append(
            Constraint(
                shape=shape.iri,
                component=ox.NamedNode(str(SH.ClosedConstraintComponent)),
                severity=shape.severity,
                query=query,
                path=None,
                node_shape=True,
                sparql_component=False,
                messages=shape.messages,
            )
        )

    def _qualified(self, node: rdflib.term.Node, path: Path | None) -> Qualified | None:
        g = self.graph
        qualified = _single(g, node, SH.qualifiedValueShape)
        bounds = [_single(g, node, p) for p in (SH.qualifiedMinCount, SH.qualifiedMaxCount)]
        if qualified is None or bounds == [None, None]:
            if any(p in QUALIFIED for p in g.predicates(node)):
                raise Unsupported("sh:qualifiedValueShape without its counts, or counts alone")
            return None
        if path is None:
            raise Unsupported("sh:qualifiedValueShape on a node shape")
        for b in bounds:
            if b is not None and not (
                isinstance(b, rdflib.Literal) and b.datatype == XSD.integer and not b.ill_typed
            ):
                raise Unsupported(f"sh:qualifiedMinCount/MaxCount {b.n3()} is not an integer")
        disjoint = _single(g, node, SH.qualifiedValueShapesDisjoint)
        if disjoint is not None and not (
            isinstance(disjoint, rdflib.Literal) and disjoint.datatype == XSD.boolean
        ):
            raise Unsupported("sh:qualifiedValueShapesDisjoint is not a boolean")
        siblings: set[rdflib.term.Node] = set()
        if disjoint is not None and disjoint.toPython() is True:
            for parent in g.subjects(SH.property, node):
                for sibling in g.objects(parent, SH.property):
                    siblings |= set(g.objects(sibling, SH.qualifiedValueShape))
            siblings.discard(qualified)
        minimum, maximum = (None if b is None else int(b) for b in bounds)  # type: ignore[call-overload]
        return Qualified(
            _shape_id(qualified, "sh:qualifiedValueShape"),
            tuple(_shape_id(s, "sh:qualifiedValueShape") for s in sorted(siblings, key=str)),
            minimum,
            maximum,
        )

    def _core(self, shape: Shape, node: rdflib.term.Node, path: Path | None) -> None:
        for component, core in self.core.items():
            ((parameter, _),) = core.parameters
            value = _single(self.graph, node, parameter)
            if value is None:
                continue
            name = parameter.n3(self.graph.namespace_manager)
            if core.accepted is not None and value not in core.accepted:
                raise Unsupported(f"{name} {value.n3(self.graph.namespace_manager)}")
            given: Substituted
            if core.listed:
                given = Members(tuple(self._member(name, m) for m in _list(self.graph, value)))
            else:
                given = self._member(name, value)
            validator = core.validator(value, path)
            values: dict[str, Substituted] = {parameter.split("#")[-1]: given}
            if path is not None and path.predicate:
                values["PATH"] = path.node
            elif path is not None:  # every use of the path is VALUES (see core.ttl)
                select = validator.select.replace(VALUES, path.values())
                if "$PATH" in select:
                    raise Unsupported(f"{name} on a complex path")
                validator = replace(validator, select=select, mode=JOINED)
            elif core.property_only or VALUES not in validator.select:
                raise Unsupported(f"{name} on a node shape")
            else:  # the value node is the focus node (joined in already in the outermost group)
                at = validator.select.index(VALUES)
                outermost = validator.select.count("{", 0, at) - validator.select.count("}", 0, at)
                focus = "" if outermost == 1 else FOCUS
                select = validator.select.replace(VALUES, f"{focus} BIND (?this AS ?value)")
                validator = replace(validator, select=select, mode=JOINED)
            pattern = self._pattern(node, value) if component == PATTERN else None
            shape.constraints.append(
                self._constraint(shape, component, validator, values, path, False, pattern)
            )

    def _target(self, kind: rdflib.URIRef, value: rdflib.term.Node) -> ox.NamedNode | ox.Literal:
        """A target's node: an IRI, or (sh:targetNode) a literal in the store's canonical form."""
        name = _name(self.graph, kind)
        if kind == SH.targetNode and isinstance(value, rdflib.Literal):
            term = self._member(name, value)
            assert isinstance(term, ox.Literal)
            return term
        return _iri(value, name)

    @staticmethod
    def _member(name: str, value: rdflib.term.Node) -> Term:
        """A parameter value written into a core validator: an IRI, or a well-formed literal in
        the store's canonical form (sh:in and sh:hasValue compare terms, and the store holds
        every literal in that form)."""
        if isinstance(value, rdflib.BNode):
            raise Unsupported(f"{name} with a blank node value")
        if isinstance(value, rdflib.Literal) and value.ill_typed:
            raise Unsupported(f"{name} has an ill-formed value {value.n3()}")
        term = to_ox(value)
        if isinstance(term, ox.Literal) and not canonical(term):
            raise Unsupported(f"{name} {value.n3()} is not in the store's canonical form")
        return term

    def _custom(self, shape: Shape, node: rdflib.term.Node, path: Path | None) -> None:
        for component, custom in self.custom.items():
            values: dict[str, Substituted] = {}
            given = set()
            for parameter, _optional in custom.parameters:
                value = _single(self.graph, node, parameter)
                if value is not None:
                    if isinstance(value, rdflib.BNode):  # SPARQL reads _:b as a variable
                        raise Unsupported(f"{_name(self.graph, parameter)} with a blank node value")
                    given.add(str(parameter))
                    values[_local(parameter)] = to_ox(value)
            mandatory = {str(p) for p, optional in custom.parameters if not optional}
            if not custom.parameters or not kinds.activates(mandatory, given):
                continue
            if custom.problem is not None:
                raise Unsupported(custom.problem)
            # SHACL 6.2.3: the node or property validator for this kind of shape, else the
            # ASK validator (sh:validator)
            chosen = [v for v in custom.validators if not v.ask and v.node == (path is None)]
            chosen = chosen or [v for v in custom.validators if v.ask]
            if len(chosen) != 1:
                found = "no" if not chosen else "several"
                raise Unsupported(f"{component.n3()} has {found} validators for this kind of shape")
            (validator,) = chosen
            if path is not None:
                values["PATH"] = path.node if path.predicate else _Text(path.text)
            if validator.ask and path is None:  # the value node is the focus node
                select = validator.select.replace(VALUES, "BIND (?this AS ?value)", 1)
                validator = replace(validator, select=select)
            elif validator.ask and not path.predicate:  # type: ignore[union-attr]
                select = validator.select.replace(VALUES, path.values(), 1)  # type: ignore[union-attr]
                validator = replace(validator, select=select)
            elif path is not None and path.nullable:
                raise Unsupported(f"{component.n3()} on a path that can be of length zero")
            shape.constraints.append(
                self._constraint(shape, component, validator, values, path, True, None)
            )

    def _constraint(
        self,
        shape: Shape,
        component: rdflib.URIRef,
        validator: Validator,
        values: Mapping[str, Substituted],
        path: Path | None,
        sparql_component: bool,
        pattern: str | None,
    ) -> Constraint:
        for prefix, namespace in validator.prefixes:
            if self.prefixes.get(prefix, namespace) != namespace:
                raise Unsupported(f"prefix {prefix}: declared with different namespaces")
        self.prefixes.update(validator.prefixes)
        values = dict(values)  # type: ignore[assignment]
        if isinstance(shape.iri, ox.BlankNode) and re.search(
            r"[$?]currentShape\b", validator.select
        ):
            raise Unsupported("$currentShape in a blank-node shape")
        values.setdefault("currentShape", shape.iri)  # type: ignore[attr-defined]
        parameters = tuple(
            (k, v)
            for k, v in values.items()
            if k not in ("PATH", "currentShape") and not isinstance(v, Members | _Text)
        )
        applied = [(t, c) for name, (t, c) in self.restrictions.items() if name in values]
        restriction = " ".join(_substitute(text, values) for text, _ in applied)

        def final(values: Mapping[str, Substituted]) -> str:
            query = _query(validator, values)
            if sparql_component:
                for _, condition in applied:
                    if condition is not None:
                        query = query.replace(_substitute(condition, values), "true")
            return query

        query = final(values)
        joined = _joined(validator.select, values)
        variables = {n: _Text(f"?{JOINED_PREFIX}{n}") for n, _ in joined}
        template = final({**values, **variables})
        at = group_by(template) if joined else None
        if at is not None:  # one group per constraint, as in its own query
            grouping = " ".join([f"?{INDEX}", *map(str, variables.values())])
            template = f"{template[:at]} {grouping}{template[at:]}"
        constraint = Constraint(
            shape=shape.iri,
            component=ox.NamedNode(str(component)),
            severity=shape.severity,
            query=query,
            path=path,
            node_shape=path is None,
            sparql_component=sparql_component,
            pattern=pattern,
            parameters=parameters,
            messages=shape.messages or validator.messages,  # the shape's own come first
            mode=validator.mode,
            restriction=restriction,
            message_variable=sparql_component and not shape.messages,
            template=template,
            joined=joined,
        )
        prologue, inserted = declarations(validator.prefixes), constraint.focused(_SOME_FOCUS)
        try:  # a query the store cannot read is refused here, not met in the middle of a check
            _EMPTY.query(prologue + branch([(0, constraint)], inserted, _SOME_FOCUS))
        except SyntaxError as exc:
            raise Unsupported(f"a query that is not valid SPARQL ({exc})") from exc
        if joined:
            try:
                pair = [(0, constraint), (1, constraint)]
                _EMPTY.query(prologue + branch(pair, inserted, _SOME_FOCUS))
            except SyntaxError:  # a parameter where SPARQL allows no variable (in a path, as
                # a function's IRI): the constraint keeps the substituted form only
                constraint = replace(constraint, template=query, joined=())
        return constraint


def declarations(prefixes: Iterable[tuple[str, str]]) -> str:
    """The PREFIX declarations of the compiled queries (from the vendored shapes graph)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes))


def _recursive(shapes: Mapping[ShapeId, Shape]) -> list[ShapeId]:
    """The shapes that reach themselves through sh:property and the shape-based constraints."""
    found = []
    for start in shapes:
        seen: set[ShapeId] = set()
        frontier = [r for r in shapes[start].references if r in shapes]
        while frontier:
            current = frontier.pop()
            if current == start:
                found.append(start)
                break
            if current not in seen:
                seen.add(current)
                frontier += [r for r in shapes[current].references if r in shapes]
    return found


def targets_removed(shapes: rdflib.Graph, nodes: Iterable[rdflib.term.Node]) -> rdflib.Graph:
    """A copy of the shapes graph in which ``nodes`` have no targets (explicit or implicit): the
    reference engine then validates only the other shapes with targets (pyshacl's ``use_shapes``
    loses implicit class targets, measured with pyshacl 0.40)."""
    copy = rdflib.Graph()
    for prefix, namespace in shapes.namespaces():
        copy.bind(prefix, namespace)
    copy += shapes
    metaclasses = Compiler.metaclasses_of(shapes)
    for node in nodes:
        for target in TARGETS:
            copy.remove((node, target, None))
        for kind in list(copy.objects(node, RDF.type)):
            if kind in metaclasses:
                copy.remove((node, RDF.type, kind))
    return copy


def compile_shapes(shapes: rdflib.Graph) -> tuple[Plan, dict[str, str]]:
    """The plan and the PREFIX declarations its queries need."""
    compiler = Compiler(shapes)
    plan = compiler.compile()
    return plan, compiler.prefixes
