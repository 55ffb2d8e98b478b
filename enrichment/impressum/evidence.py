"""Why the extractor chose a value and what it rejected: the record behind `extract --explain`.

Recording is off by default (a crawl extracts thousands of pages and needs no reasons); the
log then drops every entry without formatting it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Evidence:
    field: str
    """The contract key (`company_name`, `emails`, …)."""
    value: str
    chosen: bool
    why: str
    line: int | None = None
    """Line number in the page text the extractor read (0-based), when the value has one."""
    text: str | None = None
    """That line, shortened."""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class EvidenceLog:
    enabled: bool = False
    entries: list[Evidence] = field(default_factory=list)

    def add(self, field_name: str, value: object, chosen: bool, why: str,
            line: int | None = None, text: str | None = None) -> None:
        if self.enabled and value not in (None, "", []):
            shown = text if text is None or len(text) <= 120 else text[:117] + "…"
            self.entries.append(Evidence(field_name, str(value), chosen, why, line, shown))
