"""Compliance: providers checked against the SHACL criteria, with placements and reports.

The criteria live in shapes/ (see shapes/components.ttl); pyshacl is the reference engine
(``oracle``), the fast path (``compiler`` + ``fastpath``) compiles the same shapes to set-based
SPARQL on the store and is tested equal to it. ``check`` decides what to validate, derives
placements, verdicts and qualifications (``placement``) and writes each provider's report graph
(``report``).

Severity: integrity and the prerequisite (fornøden kvalitet) are sh:Violation; level and
specialfunktion criteria are sh:Info, because they describe where a provider stands. A provider
*conforms* when its report has no sh:Violation; only then are its services placed.
"""

from catalogue.compliance.check import CheckError, ProviderCheck, check
from catalogue.compliance.criteria import Criteria, CriteriaError
from catalogue.compliance.results import Result

__all__ = ["CheckError", "Criteria", "CriteriaError", "ProviderCheck", "Result", "check"]
