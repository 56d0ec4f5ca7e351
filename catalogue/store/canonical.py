"""The canonical hash of a dataset (RDFC-1.0), to prove two stores hold the same data."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pyoxigraph as ox

from catalogue.store.common import serialized


def canonical_hash(quads: Iterable[ox.Quad]) -> str:
    """SHA-256 of the RDFC-1.0 canonical form of a dataset, as sorted N-Quads.

    Two stores hold the same data exactly when their hashes agree (blank node labels aside).
    """
    plain: list[ox.Quad] = []
    blank: list[ox.Quad] = []
    for quad in quads:
        mentions = (quad.subject, quad.object, quad.graph_name)
        (blank if any(isinstance(t, ox.BlankNode) for t in mentions) else plain).append(quad)
    # RDFC-1.0 labels blank nodes from the quads that mention them; the rest stay as they are.
    dataset = ox.Dataset(blank)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    lines = set(serialized(plain, ox.RdfFormat.N_QUADS).splitlines())
    lines.update(serialized(dataset, ox.RdfFormat.N_QUADS).splitlines())
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line + b"\n")
    return digest.hexdigest()
