"""The URI space: IRIs are stored under ``namespaces.BASE`` and published under the deployment's
``BASE_IRI`` (``Settings.base_iri``).

Decision (issue 10): the store always holds the default base, whatever the deployment, so the
knowledge files, the import template, backups and restores never depend on where the catalogue is
published. The public base is applied at the edge, in one place per direction:

- out: ``UriSpace.public_bytes``/``public_chunks`` rewrite every body the web app sends (pages,
  RDF, report downloads, /queries, /sparql answers, VoID, DCAT; ``webapp/uri_space.py`` does it for
  every response) and ``public_quads`` rewrites the public dumps as they are written;
- in: ``UriSpace.stored_bytes`` rewrites what a client sends (query strings, SPARQL queries, forms),
  so a client that only knows the public IRIs finds the stored resources.

The rewriting is of the base as text: an IRI under the stored base is a resource of the catalogue,
so every mention of it, in any format, is mapped. One pass matches the public base first, so text
that already carries the public base is never mapped twice (even when the public base extends the
stored one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox

from catalogue.namespaces import BASE


def _forms(iri: str) -> tuple[str, str, str]:
    """An IRI as text and percent-encoded: wholly (``https%3A%2F%2F``), or with its slashes kept
    (``https%3A//``, as ``url_for`` writes an IRI in a query string)."""
    return iri, quote(iri, safe=""), quote(iri, safe="/")


def _pattern(keep: str, replace: str) -> re.Pattern[bytes]:
    """Matches ``keep`` (left as it is) or ``replace``, in each of its forms."""
    forms = sorted({*_forms(keep), *_forms(replace)}, key=len)
    return re.compile(b"|".join(re.escape(f.encode()) for f in reversed(forms)))


@dataclass(frozen=True)
class UriSpace:
    public: str
    stored: str = BASE
    _out: re.Pattern[bytes] = field(init=False, repr=False, compare=False)
    _in: re.Pattern[bytes] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_out", _pattern(self.public, self.stored))
        object.__setattr__(self, "_in", _pattern(self.stored, self.public))

    @property
    def mapped(self) -> bool:
        """The deployment publishes under another base than the store holds."""
        return self.public != self.stored

    def _swap(self, pattern: re.Pattern[bytes], src: str, dst: str, data: bytes) -> bytes:
        table = {a.encode(): b.encode() for a, b in zip(_forms(src), _forms(dst), strict=True)}
        return pattern.sub(lambda m: table.get(m.group(0), m.group(0)), data)

    def public_bytes(self, data: bytes) -> bytes:
        """A body on its way out, with every stored-base IRI under the public base."""
        if not self.mapped:
            return data
        return self._swap(self._out, self.stored, self.public, data)

    def stored_bytes(self, data: bytes) -> bytes:
        """What a client sent, with every public-base IRI under the stored base."""
        if not self.mapped:
            return data
        return self._swap(self._in, self.public, self.stored, data)

    def public_iri(self, iri: str) -> str:
        return self.public_bytes(iri.encode()).decode()

    def public_chunks(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """A streamed body on its way out; a base split across two chunks is still mapped."""
        if not self.mapped:
            yield from chunks
            return
        longest = max(len(f) for f in (self.stored, self.public)) * 3  # percent-encoded
        rest = b""
        for chunk in chunks:
            text = rest + chunk
            cut = max(len(text) - longest, 0)  # a match starting before the cut ends in ``text``
            for match in self._out.finditer(text):
                if match.start() < cut < match.end():
                    cut = match.end()
            rest = text[cut:]
            yield self.public_bytes(text[:cut])
        yield self.public_bytes(rest)

    def public_quads(self, quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
        """Quads with every mention of the stored base (IRIs, literals) made public."""
        if not self.mapped:
            yield from quads
            return
        for q in quads:
            graph = q.graph_name
            yield ox.Quad(
                self._node(q.subject),  # type: ignore[arg-type]
                self._node(q.predicate),  # type: ignore[arg-type]
                self._node(q.object),  # type: ignore[arg-type]
                self._node(graph),  # type: ignore[arg-type]
            )

    def _node(self, term: object) -> object:
        if isinstance(term, ox.NamedNode) and self.stored in term.value:
            return ox.NamedNode(self.public_iri(term.value))
        if isinstance(term, ox.Literal):  # its text and its datatype, as in every other body
            text, datatype = term.value, term.datatype
            if self.stored not in text and self.stored not in datatype.value:
                return term
            if term.language:
                return ox.Literal(self.public_iri(text), language=term.language)
            return ox.Literal(self.public_iri(text), datatype=self._node(datatype))  # type: ignore[arg-type]
        return term

    def public_prefixes(self, prefixes: dict[str, str]) -> dict[str, str]:
        return {name: self.public_iri(iri) for name, iri in prefixes.items()}
