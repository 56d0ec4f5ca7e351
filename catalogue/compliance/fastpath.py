"""The fast path: the compiled shapes run as a few UNION queries over all focus nodes at once.

On a store the queries see the union of all graphs, so one run validates every provider (the
catalogue's queries never look into another provider's record). For one provider, the same queries
run on a scratch in-memory store that holds the reference knowledge and that provider's record,
exactly the data graph pyshacl gets.

Results are assembled the way pyshacl reports them: SHACL-SPARQL results deduplicated per focus
node, path and value, with sh:value the focus node on node shapes; ``sh:node`` gives one
sh:NodeConstraintComponent result per value node that does not conform to the referenced shape;
``sh:property`` reports the property shape's own results.

Shapes the compiler refused (``Plan.refused``) are validated by the reference engine, pyshacl, on
the same data: ``run`` and ``run_record`` return the complete report either way. The check passes
``reference=False`` to ``run`` and validates the refused shapes per record instead.
"""

from __future__ import annotations

import os
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, cached_property

import pyoxigraph as ox
import rdflib

from catalogue import queries
from catalogue.compliance import oracle
from catalogue.compliance.compiler import (
    ANCHORED,
    INDEX,
    JOINED,
    TEMPLATE,
    Constraint,
    Plan,
    Shape,
    ShapeId,
    branch,
    compile_shapes,
    declarations,
    targets_removed,
)
from catalogue.compliance.criteria import Criteria
from catalogue.compliance.paths import FOCUS, Path
from catalogue.compliance.results import Result, Term, rdflib_graph, to_rdflib
from catalogue.store import EmbeddedStore, Row, Store, scratch_store

BATCH = 20  # Oxigraph's cost per UNION grows faster than its branches; 20 measured best
KEPT_PLANS = 8  # plans kept, one per class hierarchy met (records rarely add classes)
KEPT_TEXTS = 512  # query texts kept in a plan (a record's queries depend on its target groups)
WORKERS = min(4, os.cpu_count() or 1)  # queries at a time: 2 threads ran 2.2x faster on 2 cores
_RESERVED = {INDEX, "this", "path", "value"}
_PROBE = ox.NamedNode("urn:x-probe")
QUALIFIED_MIN = ox.NamedNode("http://www.w3.org/ns/shacl#QualifiedMinCountConstraintComponent")
QUALIFIED_MAX = ox.NamedNode("http://www.w3.org/ns/shacl#QualifiedMaxCountConstraintComponent")
_KEPT = {  # literals of these datatypes are stored as they are written
    "http://www.w3.org/2001/XMLSchema#string",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
}

Progress = Callable[[float], None]
Hierarchy = dict[ox.NamedNode, list[ox.NamedNode]]  # a target class -> it and its subclasses
SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
Validated = tuple[Term, Result]  # a result and the focus node whose validation gave it


@cache
def _template(text: str) -> tuple[str, ...]:
    """A message template split once: text, sigil, name, text, sigil, name, ..., text."""
    return tuple(TEMPLATE.split(text))


def render(
    messages: Sequence[ox.Literal],
    parameters: Iterable[tuple[str, Term]],
    figures: Iterable[tuple[str, Term]],
    focus: Term,
    path: ox.NamedNode | ox.BlankNode | None,
    value: Term | None,
) -> tuple[ox.Literal, ...]:
    """Fill ``{$param}`` and ``{?var}`` in message templates (SHACL 1.0, section 5.3.2); a
    name without a value stays as written."""
    names: dict[str, Term] = {"this": focus, **dict(parameters), **dict(figures)}
    if path is not None:
        names["path"] = path
    if value is not None:
        names["value"] = value
    filled = []
    for message in messages:
        parts = _template(message.value)
        if len(parts) == 1:  # nothing to fill
            filled.append(message)
            continue
        pieces = [parts[0]]
        for i in range(1, len(parts), 3):
            term = names.get(parts[i + 1])
            pieces.append(f"{{{parts[i]}{parts[i + 1]}}}" if term is None else term.value)
            pieces.append(parts[i + 2])
        text = "".join(pieces)
        language = message.language
        filled.append(ox.Literal(text, language=language) if language else ox.Literal(text))
    return tuple(filled)


@dataclass(frozen=True)
class Task:
    shape: Shape
    constraint: Constraint
    focus: str
    narrow: bool = True  # see Constraint.focused

    @cached_property
    def inserted(self) -> str:
        """What goes at the start of the validator's WHERE group."""
        return self.constraint.focused(self.focus, self.narrow)


@dataclass
class Planned:
    """The tasks for one class hierarchy of the data, and the query texts made for them (kept:
    on one record, making them again was a sixth of the check)."""

    tasks: list[Task]
    roots: list[tuple[Shape, str]]  # each targeted shape with its focus pattern
    texts: dict[tuple[tuple[int, ...], ...], str] = field(default_factory=dict)
    live_query: str | None = None

    @cached_property
    def keys(self) -> list[str]:
        """The distinct focus patterns with restrictions (see ``FastPath.live``)."""
        return list(dict.fromkeys(t.inserted or t.focus for t in self.tasks))


class FastPath:
    def __init__(self, criteria: Criteria) -> None:
        self.criteria = criteria
        plan, prefixes = compile_shapes(criteria.shapes)
        self.plan: Plan = plan
        self.prefix_text = declarations(prefixes.items())
        self.classes = plan.classes
        self._scratch: EmbeddedStore | None = None
        self._planned: dict[object, Planned] = {}
        self._reference_hierarchy: Hierarchy | None = None  # of the scratch store's knowledge
        self._scratch_lock = threading.Lock()  # the engine is shared by a server's threads

    @cached_property
    def reference_shapes(self) -> rdflib.Graph | None:
        """The shapes graph for the reference engine: the refused shapes keep their targets, the
        compiled ones lose theirs. ``None`` when nothing with targets was refused."""
        if not self.plan.refused_roots:
            return None
        compiled = [to_rdflib(s.iri) for s in self.plan.targeted]
        return targets_removed(self.criteria.shapes, compiled)

    def reference(self, data: rdflib.Graph) -> list[Result]:
        """The refused shapes' results on ``data`` (the reference engine), or [] if none."""
        if self.reference_shapes is None:
            return []
        return oracle.validate(data, self.reference_shapes)

    def hierarchy(self, store: Store) -> Hierarchy:
        """Each class a shape targets with its rdfs:subClassOf* descendants in ``store``."""
        return {c: _subclasses(store, c) for c in self.classes}

    def planned(
        self, store: Store, narrow: bool = True, subclasses: Hierarchy | None = None
    ) -> Planned:
        """Every constraint to evaluate with its focus nodes, and the targeted shapes' focus
        (``narrow``: see ``Constraint.focused``), for the class hierarchy in ``store`` (or the
        one given)."""
        subclasses = self.hierarchy(store) if subclasses is None else subclasses
        key = (narrow, tuple((c, tuple(s)) for c, s in subclasses.items()))
        planned = self._planned.get(key)
        if planned is None:  # (another thread may clear the dict meanwhile: keep our own)
            if len(self._planned) >= KEPT_PLANS:
                self._planned.clear()
            planned = self._planned[key] = self._plan(subclasses, narrow)
        return planned

    def _plan(self, subclasses: Hierarchy, narrow: bool) -> Planned:
        tasks: list[Task] = []
        needed: set[tuple[ShapeId, str]] = set()

        def need(shape: Shape, focus: str) -> None:
            if (shape.iri, focus) in needed:
                return
            needed.add((shape.iri, focus))
            tasks.extend(Task(shape, c, focus, narrow) for c in shape.constraints)
            for ref in shape.references:
                need(self.plan.shapes[ref], shape.value_focus(focus))

        roots = [(shape, shape.focus(subclasses)) for shape in self.plan.targeted]
        for shape, focus in roots:
            need(shape, focus)
        return Planned(tasks, roots)

    @staticmethod
    def batches(
        tasks: Sequence[Task], indices: Iterable[int], size: int = BATCH, joined: bool = False
    ) -> list[list[list[int]]]:
        """The tasks (by index) as the branches of UNION queries, ``size`` branches a query.

        ``joined`` (one record): the tasks whose constraints differ only in joined parameter
        values share one branch (``compiler.branch``), and the branches are spread over the
        query threads. On one record that took a third off the queries' time (planning is
        most of it there); over the whole store, where evaluation is the cost, joining gained
        nothing measurable, so each task keeps its own branch."""
        groups: dict[object, list[int]] = {}
        for i in indices:
            task = tasks[i]
            template = task.constraint.template
            # the focus pattern is in the text only when inserted or where a path needs it
            focus = task.focus if FOCUS in template else None
            names = tuple(n for n, _ in task.constraint.joined)  # the VALUES block's columns
            key = (template, names, task.inserted, focus)
            groups.setdefault(key if joined and task.constraint.joined else i, []).append(i)
        branches = list(groups.values())
        if joined:  # one record: the few branches spread over the query threads
            return _balanced(branches, [_weight(tasks, m) for m in branches], size)
        return [branches[i : i + size] for i in range(0, len(branches), size)]

    def live(self, store: Store, planned: Planned) -> tuple[list[int], dict[str, set[Term]]]:
        """The tasks whose focus pattern (with the constraint's focus restriction) matches a node
        in ``store``, and the nodes each pattern matches: a constraint with no focus node has no
        result (SHACL 2.1), so on one record the constraints of the target groups it does not
        serve are not evaluated. Their query texts were most of a record's check (Oxigraph
        parses and plans every text anew)."""
        keys = planned.keys
        if planned.live_query is None:
            branches = " UNION ".join(  # repeated rows are merged below: no DISTINCT
                f"{{ {key} BIND ({i} AS ?{INDEX}) }}" for i, key in enumerate(keys)
            )
            planned.live_query = f"{self.prefix_text}SELECT * WHERE {{ {branches} }}"
        found: dict[str, set[Term]] = defaultdict(set)
        for row in store.select(planned.live_query):
            found[keys[int(row[INDEX].value)]].add(row["this"])
        indices = [i for i, t in enumerate(planned.tasks) if (t.inserted or t.focus) in found]
        return indices, found

    def query(self, planned: Planned, batch: Sequence[Sequence[int]]) -> str:
        """The UNION query of a batch of branches (made once for each batch of the plan)."""
        key = tuple(map(tuple, batch))
        text = planned.texts.get(key)
        if text is not None:
            return text
        texts = []
        for members in batch:
            first = planned.tasks[members[0]]
            pairs = [(i, planned.tasks[i].constraint) for i in members]
            texts.append("  { " + branch(pairs, first.inserted, first.focus) + " }")
        branches = "\n  UNION\n".join(texts)
        text = f"{self.prefix_text}SELECT * WHERE {{\n{branches}\n}}"
        if len(planned.texts) < KEPT_TEXTS:
            planned.texts[key] = text
        return text

    @staticmethod
    def focus_query(focus: str) -> str:
        """The focus nodes of a focus pattern (compiled from the shapes' targets)."""
        return f"SELECT ?this WHERE {{ {focus} }}"

    def run(
        self,
        store: Store,
        progress: Progress | None = None,
        batch_size: int = BATCH,
        *,
        reference: bool = True,
    ) -> list[Result]:
        """Validate everything in the store; results as pyshacl would report them.

        ``progress`` receives the share of the queries done after each batch (adding up to 1).
        ``reference``: also validate the refused shapes, with pyshacl on a copy of the whole
        store (False: the caller does that, per record)."""
        found = self.compiled(store, progress, batch_size)
        if reference and self.reference_shapes is not None:
            found += self.reference(rdflib_graph(store.quads()))
        return found

    def compiled(
        self,
        store: Store,
        progress: Progress | None = None,
        batch_size: int = BATCH,
        *,
        record: bool = False,
        subclasses: Hierarchy | None = None,
    ) -> list[Result]:
        """The compiled shapes' results on everything in the store (``record``: a store holding
        one record with the reference knowledge; only the constraints with focus nodes run;
        ``subclasses``: the store's class hierarchy, if known)."""
        planned = self.planned(store, not record, subclasses)
        tasks, roots = planned.tasks, planned.roots
        if not tasks:
            if progress is not None:
                progress(1.0)
            return []
        focus_sets: dict[str, set[Term]] = {}
        indices: Sequence[int] = range(len(tasks))
        if record:
            indices, focus_sets = self.live(store, planned)
        batches = self.batches(tasks, indices, batch_size, joined=record)
        answers = _pool().map(lambda b: store.select(self.query(planned, b)), batches)
        rows: dict[int, list[Row]] = defaultdict(list)
        for batch, answer in zip(batches, answers, strict=True):
            for row in answer:
                rows[int(row[INDEX].value)].append(row)
            if progress is not None:
                progress(sum(map(len, batch)) / len(indices))
        # the results are made once every query has answered: made while the threads were still
        # evaluating, the Python work holds the GIL they take back for each solution (tried once,
        # with the collector at its default settings: no faster at 10,000 providers)
        for focus in {tasks[i].focus for i in indices if tasks[i].constraint.mode != JOINED}:
            if focus not in focus_sets:
                focus_sets[focus] = {r["this"] for r in store.select(self.focus_query(focus))}
        raw: dict[int, list[Result]] = {}
        for index, found in rows.items():
            task = tasks[index]
            if task.constraint.mode == ANCHORED:
                found = [r for r in found if r["this"] in focus_sets[task.focus]]
            results = [self._result(task.constraint, r) for r in found]
            raw[index] = [r for r in results if r is not None]
        return self._assemble(tasks, raw, roots, store)

    def run_record(self, record: Iterable[ox.Quad]) -> list[Result]:
        """Validate one provider record together with the reference knowledge.

        A record holding literals the store would change (``lossy``) is validated by the
        reference engine alone: the store would answer about other terms."""
        quads = list(record)
        if lossy(quads):
            return oracle.validate_record(self.criteria, quads)
        with self._scratch_lock:  # one record at a time on the scratch store
            scratch = self._scratch_store()
            known = self._reference_hierarchy
            scratch.oxigraph.extend(quads)
            try:
                # a record without rdfs:subClassOf leaves the knowledge's class hierarchy
                hierarchy = None if any(q.predicate == SUBCLASS_OF for q in quads) else known
                found = self.compiled(scratch, record=True, subclasses=hierarchy)
            finally:
                for graph in {q.graph_name for q in quads}:
                    if isinstance(graph, ox.NamedNode):
                        scratch.oxigraph.remove_graph(graph)
        if self.reference_shapes is not None:
            found += oracle.validate_record(self.criteria, quads, self.reference_shapes)
        return found

    def _scratch_store(self) -> EmbeddedStore:
        if self._scratch is None:
            self._scratch = scratch_store(self.criteria.reference)
            self._reference_hierarchy = self.hierarchy(self._scratch)
        return self._scratch

    @staticmethod
    def _result(constraint: Constraint, row: Row) -> Result | None:
        focus = row["this"]
        value = row.get("value")
        if constraint.pattern is not None and value is not None:
            if not isinstance(value, ox.BlankNode) and re.search(constraint.pattern, value.value):
                return None
        sparql = constraint.sparql_component or constraint.source is not None
        if value is None and constraint.node_shape and sparql:
            value = focus
        bound_path = row.get("path")
        path: ox.NamedNode | ox.BlankNode | None = (
            bound_path if isinstance(bound_path, ox.NamedNode) else None
        )
        if constraint.path is not None and (constraint.source is None or path is None):
            path = constraint.path.node  # a SPARQL-based constraint's ?path comes first
        figures = (  # a solution's own variables (SHACL-SPARQL), beside the reserved ones
            ()
            if row.keys() <= _RESERVED
            else tuple(kv for kv in row.items() if kv[0] not in _RESERVED)
        )
        own = constraint.path if constraint.path and path == constraint.path.node else None
        message = row.get("message")
        return Result(
            focus=focus,
            shape=constraint.shape,
            component=constraint.component,
            severity=constraint.severity,
            path=path,
            value=value,
            messages=(message,)  # the solution's own message (SHACL 5.3.2, 6.3)
            if constraint.message_variable and isinstance(message, ox.Literal)
            else render(constraint.messages, constraint.parameters, figures, focus, path, value)
            if constraint.templated
            else constraint.messages,
            figures=figures,
            path_triples=_triples(own),
            path_text=_text(own),
            constraint=constraint.source,
        )

    def _assemble(
        self,
        tasks: Sequence[Task],
        raw: dict[int, list[Result]],
        roots: list[tuple[Shape, str]],
        store: Store,
    ) -> list[Result]:
        own: dict[tuple[ShapeId, str], list[Result]] = defaultdict(list)
        for index, task in enumerate(tasks):
            found = raw.get(index, [])
            if task.constraint.sparql_component:
                found = list({(r.focus, r.path, r.value): r for r in reversed(found)}.values())
            else:  # a triple in two graphs is repeated by the union default graph
                found = list({(r.focus, r.path, r.value, r.figures): r for r in found}.values())
            own[(task.shape.iri, task.focus)].extend(found)
        memo: dict[tuple[ShapeId, str], list[Validated]] = {}

        def results(shape: Shape, focus: str) -> list[Validated]:
            """The results of validating each focus node against the shape, each with the focus
            node whose validation gave it (a nested property shape's results have a value node
            as sh:focusNode: SHACL 4.8.2 reports them once for each focus node with that value)."""
            key = (shape.iri, focus)
            if key not in memo:
                found = [(r.focus, r) for r in own.get(key, [])]
                if shape.properties:
                    inner = shape.value_focus(focus)
                    nested = [
                        item
                        for ref in shape.properties
                        for item in results(self.plan.shapes[ref], inner)
                    ]
                    if shape.path is None:  # the value node is the focus node
                        found += nested
                    else:
                        by_value: dict[Term, list[Result]] = defaultdict(list)
                        for v, r in nested:
                            by_value[v].append(r)
                        for f, v in _pairs(store, shape, focus):
                            found += [(f, r) for r in by_value.get(v, [])]
                if shape.logic or shape.qualified:
                    found += [(r.focus, r) for r in self._logic(shape, focus, results, store)]
                memo[key] = found
            return memo[key]

        return [r for shape, focus in roots for _, r in results(shape, focus)]

    def _logic(
        self,
        shape: Shape,
        focus: str,
        results: Callable[[Shape, str], list[Validated]],
        store: Store,
    ) -> list[Result]:
        """The results of the shape-based constraints: each value node validated against the
        referenced shapes (their results on the shape's value nodes, evaluated as a set)."""
        inner = shape.value_focus(focus)
        failing = {
            ref: {f for f, _ in results(self.plan.shapes[ref], inner)} for ref in shape.references
        }
        path = None if shape.path is None else shape.path.node

        def result(component: ox.NamedNode, f: Term, v: Term | None) -> Result:
            return Result(
                focus=f,
                shape=shape.iri,
                component=component,
                severity=shape.severity,
                path=path,
                value=v,
                messages=render(shape.messages, (), (), f, path, v),
                path_triples=_triples(shape.path),
                path_text=_text(shape.path),
            )

        found = []
        pairs = _pairs(store, shape, focus)
        for f, v in pairs:
            for rule in shape.logic:
                if rule.fails([v not in failing[ref] for ref in rule.shapes]):
                    found.append(result(rule.component, f, v))
        qualified = shape.qualified
        if qualified is not None:
            counted = Counter(
                f
                for f, v in pairs
                if qualified.counts({ref: v not in fails for ref, fails in failing.items()})
            )
            for f in sorted({r["this"] for r in store.select(self.focus_query(focus))}, key=str):
                if qualified.minimum is not None and counted[f] < qualified.minimum:
                    found.append(result(QUALIFIED_MIN, f, None))
                if qualified.maximum is not None and counted[f] > qualified.maximum:
                    found.append(result(QUALIFIED_MAX, f, None))
        return found


def _weight(tasks: Sequence[Task], members: Sequence[int]) -> int:
    """About the length of a branch's text: one constraint's query, or the template of several
    with a row of values for each (``compiler.branch``)."""
    first = tasks[members[0]].constraint
    if len(members) == 1:
        return len(first.query)
    return len(first.template) + len(members) * sum(len(str(v)) + 1 for _, v in first.joined)


def _balanced(branches: list[list[int]], weights: list[int], size: int) -> list[list[list[int]]]:
    """The branches in as many batches as there are query threads (more if a batch would have
    over ``size``), the heaviest first into the lightest batch that has room. On one record the
    texts' parsing and planning is most of a query's time, so the weight is a branch's text
    length: split by count, one record's two batches were 33 and 13 KB, 4.0 and 1.6 ms."""
    count = max(min(WORKERS, len(branches)), -(-len(branches) // size))
    batches: list[list[list[int]]] = [[] for _ in range(count)]
    load = [0] * count
    for weight, members in sorted(zip(weights, branches, strict=True), key=lambda p: -p[0]):
        lightest = min((k for k in range(count) if len(batches[k]) < size), key=load.__getitem__)
        batches[lightest].append(members)
        load[lightest] += weight
    return [b for b in batches if b]


@cache
def _pool() -> ThreadPoolExecutor:
    """The threads the compiled queries run on (Oxigraph evaluates without holding the GIL);
    kept, as starting them took about 4 ms of a one-record check in a profile. A forked child
    makes its own (the parent's threads do not exist there)."""
    return ThreadPoolExecutor(WORKERS, thread_name_prefix="compiled-queries")


os.register_at_fork(after_in_child=_pool.cache_clear)


def _pairs(store: Store, shape: Shape, focus: str) -> list[tuple[Term, Term]]:
    """Each focus node of the shape with each of its value nodes."""
    if shape.path is None:
        rows = store.select(FastPath.focus_query(focus))
        return sorted({(r["this"], r["this"]) for r in rows}, key=str)
    values = shape.path.values().replace(FOCUS, focus)
    rows = store.select(f"SELECT ?this ?value WHERE {{ {focus} {values} }}")
    return sorted({(r["this"], r["value"]) for r in rows}, key=str)


def _triples(path: Path | None) -> tuple[ox.Triple, ...]:
    """A complex sh:resultPath's structure (written into the report)."""
    return () if path is None else path.triples


def _text(path: Path | None) -> str | None:
    """A complex sh:resultPath as SPARQL (how results are compared)."""
    return None if path is None or path.predicate else path.text


def _subclasses(store: Store, top: ox.NamedNode) -> list[ox.NamedNode]:
    """The class and its rdfs:subClassOf* descendants in the store."""
    rows = queries.run(store, "compliance_subclasses", top=top.value)
    return sorted(
        {top} | {r["class"] for r in rows if isinstance(r["class"], ox.NamedNode)}, key=str
    )


def lossy(quads: Iterable[ox.Quad | ox.Triple]) -> bool:
    """Whether the store would change any literal (Oxigraph writes "01"^^xsd:integer as "1", and
    "1"^^xsd:byte as "1"^^xsd:integer: the datatype the data gave is lost)."""
    literals = {
        q.object
        for q in quads
        if isinstance(q.object, ox.Literal) and q.object.datatype.value not in _KEPT
    }
    if not literals:
        return False
    store = ox.Store()
    store.extend(ox.Quad(_PROBE, _PROBE, literal) for literal in literals)
    return {q.object for q in store} != literals
