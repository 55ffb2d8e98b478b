"""The column mapping while it is being decided: which column has which field, how, and how
sure, with the profile of each column's sample values computed once.

`ingest.columns` fills a `Draft` from the headers, `ingest.column_values` from the values;
the thresholds both weigh live here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.evidence import ColumnProfile, OrganisationWords, profile_column
from ingest.fields import fields_filled

CONFIDENCE = {"vendor": 1.0, "alias": 0.95, "context": 0.85, "compound": 0.75,
              "values": 0.7, "guess": 0.5}
"""How sure a mapping is, by where it came from; values can raise or lower it."""
MIN_EVIDENCE = 3
"""Fewer filled sample values than this are no evidence either way."""
VALUE_SHARE = 0.8
"""Share of a column's values that must fit a kind for the values alone to map it."""
DOUBT_SHARE = 0.5
"""Below this share of fitting values a header's field is in doubt."""
ORGANISATION_SHARE = 0.3
"""Share of organisation names that makes a plain `Name` column the company."""
PERSON_SHARE = 0.6
"""Share of people's names that makes a name column a person's name."""
NUMBERED_PERSON_SHARE = 0.9
"""The same for `Name 1`: numbered name columns are the company's lines unless clearly not."""


@dataclass
class Draft:
    """The mapping while it is being decided, column by column."""

    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    organisation: OrganisationWords
    target: dict[str, str] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    note: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    declined: set[str] = field(default_factory=set)
    """Headers that say their column is about something else: values do not map them."""
    warnings: list[str] = field(default_factory=list)
    _profiles: dict[str, ColumnProfile] = field(default_factory=dict)

    def assign(self, header: str, target: str, how: str, confidence: float | None = None,
               note: str = "") -> None:
        self.target[header] = target
        self.how[header] = how
        self.confidence[header] = round(CONFIDENCE[how] if confidence is None else confidence, 2)
        if note:
            self.note[header] = note

    def open(self) -> list[str]:
        return [h for h in self.headers
                if h.strip() and h not in self.target and h not in self.ignored]

    def free(self) -> list[str]:
        """Open columns the values may map: not those whose header declines."""
        return [h for h in self.open() if h not in self.declined]

    def claimed(self) -> set[str]:
        return set(self.target.values())

    def fills(self) -> set[str]:
        """The canonical fields the columns mapped so far fill, combined ones split."""
        return fields_filled(self.target.values())

    def values(self, header: str) -> list[str]:
        index = list(self.headers).index(header)
        return [r[index] for r in self.rows if index < len(r)]

    def profile(self, header: str) -> ColumnProfile:
        if header not in self._profiles:
            self._profiles[header] = profile_column(self.values(header), self.organisation)
        return self._profiles[header]
