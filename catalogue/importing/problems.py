"""Problems in an import file: where (file, line, field or node), which rule, in Danish, English."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Characters no text of the catalogue holds: control characters (tab and line breaks are text) and
# two noncharacters, none of which XML 1.0 can carry (RDF/XML and SPARQL XML stay well-formed).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@dataclass(frozen=True)
class Problem:
    file: str
    rule: str
    message_da: str
    message_en: str
    line: int | None = None
    field: str | None = None
    node: str | None = None
    severity: str = "error"  # "error" refuses the file; "warning" is reported only

    @property
    def where(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(f"linje/line {self.line}")
        if self.field:
            parts.append(self.field)
        if self.node:
            parts.append(f"<{self.node}>")
        return ": ".join(parts)

    def __str__(self) -> str:
        return f"{self.where}: [{self.rule}] {self.message_da} / {self.message_en}"


PER_RULE = 50  # a file with the same mistake on every line: show this many, then a count


@dataclass
class Problems:
    """Collects every problem of one file, so a user sees all of them at once."""

    file: str
    items: list[Problem] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    def add(
        self,
        rule: str,
        da: str,
        en: str,
        *,
        line: int | None = None,
        field: str | None = None,
        node: str | None = None,
        severity: str = "error",
    ) -> None:
        problem = Problem(self.file, rule, da, en, line, field, node, severity)
        if problem in self.items:
            return
        if sum(1 for p in self.items if p.rule == rule) >= PER_RULE:
            self.skipped[rule] = self.skipped.get(rule, 0) + 1
            return
        self.items.append(problem)

    def summarise(self) -> None:
        """Add one line per rule that had more problems than were shown."""
        for rule, count in sorted(self.skipped.items()):
            self.items.append(
                Problem(
                    self.file,
                    rule,
                    f"... og {count} flere af samme slags",
                    f"... and {count} more of the same kind",
                )
            )
        self.skipped.clear()

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]


class FileRefused(Exception):
    """The file cannot be read at all (size, encoding, hostile content): nothing more to check."""


WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")  # UTF-16 LE/BE, UTF-32 (LE too)


def refuse_wide_encoding(data: bytes, problems: Problems) -> None:
    """A file saved as UTF-16 or UTF-32 (its byte order mark says so) is refused by name."""
    if data.startswith(WIDE_BOMS):
        problems.add(
            "tegnsaet",
            "Filen er gemt som UTF-16 eller UTF-32; gem den som UTF-8",
            "The file is saved as UTF-16 or UTF-32; save it as UTF-8",
        )
        raise FileRefused
