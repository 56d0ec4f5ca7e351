"""Problems in an import file: where (file, line, field or node), which rule, in Danish, English."""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass
class Problems:
    """Collects every problem of one file, so a user sees all of them at once."""

    file: str
    items: list[Problem] = field(default_factory=list)

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
        self.items.append(Problem(self.file, rule, da, en, line, field, node, severity))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]


class FileRefused(Exception):
    """The file cannot be read at all (size, encoding, hostile content): nothing more to check."""
