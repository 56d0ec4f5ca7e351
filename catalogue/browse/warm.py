"""Which national aggregates are worth building before anyone asks (``catalogue.browse.cache``):
the search index, the national counts, the capacity view and, per specialfunktion, its qualified
providers and criteria, in both languages; the costliest ones (near misses and the development
ranking per specialfunktion) for Danish, the default language, while English ones are built on
first use; the planning overviews."""

from __future__ import annotations

from catalogue import planning
from catalogue.browse import capacity, concepts, criteria, search, statistics
from catalogue.browse.functions import qualified_providers
from catalogue.namespaces import VOCAB
from catalogue.store import Store


def build_aggregates(store: Store) -> None:
    search.index(store)
    for lang in ("da", "en"):
        statistics.national(store, lang)
        functions = [f for s in concepts.specialty_plan(store, lang) for f in s.functions]
        regions = concepts.scheme(store, str(VOCAB["region"]), lang)
        capacity.capacity(store, functions, regions)
        for function in functions:
            qualified_providers(store, function.iri, lang)
            criteria.function_criteria(store, function, lang)
            if lang == "da":
                planning.development(store, function, regions, lang)  # and its near misses
                capacity.function_decisions(store, function, lang)
    planning.need_supply(store)
    planning.courses(store, "da")
