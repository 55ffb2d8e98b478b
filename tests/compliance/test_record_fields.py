"""The decide stage reads only the fields of a lead's records that the case and the Robinson
identifiers declare (`stages.decide.RECORD_FIELDS`). A field the code reads but nobody
declared would reach it as missing, silently: a Robinson hit lost, a source unseen. These
tests hand records with every column of the warehouse to the code through a mapping that
notes each key asked for, on every source and channel, and with each field missing in turn
(a fallback reads the next field only when the first is empty)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import pytest

from compliance.facts import SOURCE_KIND, build_case
from compliance.robinson import CHANNEL_KINDS, record_identifiers
from foundation.settings import Settings
from stages.decide import RECORD_FIELDS
from warehouse.db import open_warehouse


class _Reading(Mapping[str, Any]):
    """A record that notes which keys the code reads; reading all of them fails."""

    def __init__(self, values: dict[str, Any], seen: set[str]) -> None:
        self._values, self._seen = values, seen

    def __getitem__(self, key: str) -> Any:
        self._seen.add(key)
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("the code walks every field of a record: declare none, read all")

    def __len__(self) -> int:
        return len(self._values)


def _columns(settings: Settings) -> set[str]:
    """Every column a lead's record could be read with: enriched values, origin, listing."""
    with open_warehouse(settings, write=True, create=True) as wh:
        names = {name for (name,) in wh.fetchall(
            "SELECT column_name FROM information_schema.columns WHERE "
            "(table_schema, table_name) IN (('core', 'enriched_records'), "
            "('staging', 'stg_record_origins'))")}
    return names | {"customer_listed_at"}


def _value(column: str, source_kind: str) -> Any:
    if column == "source_kind":
        return source_kind
    if column.endswith(("_on", "_at")):
        return date(2026, 11, 2)
    if column.endswith(("_valid", "_documented")) or column in ("sole_trader",):
        return True
    return {"email_status": "valid", "email_normalized": "Max.Muster@example.de",
            "phone_e164": "+49891234567", "mobile_e164": "+491701234567",
            "fax_e164": "+49891234568", "audience": "b2c", "country": "DE",
            "postcode": "80331", "house_number": "12a"}.get(column, f"{column} value")


def test_the_case_and_the_robinson_checks_read_only_declared_fields(
        settings: Settings) -> None:
    columns = _columns(settings)
    seen: set[str] = set()
    for source_kind in SOURCE_KIND:
        full = {c: _value(c, source_kind) for c in columns}
        for missing in [None, *sorted(columns - {"source_kind", "record_id"})]:
            values = {**full, **({missing: None} if missing else {})}
            try:
                build_case("lead-1", [_Reading(values, seen)], [], [], date(2026, 12, 7))
            except ValueError:  # a list without its purchase date: the schema forbids it
                assert (source_kind, missing) == ("purchased_list", "acquired_on")
            for channel in CHANNEL_KINDS:
                record_identifiers(channel, _Reading(values, seen))
    undeclared = (seen & columns) - RECORD_FIELDS - {"record_id", "source_kind"}
    assert not undeclared, f"read but not in RECORD_FIELDS: {sorted(undeclared)}"
    assert columns >= RECORD_FIELDS, "a declared field that no table has"


@pytest.mark.parametrize(("channel", "record", "expected"), [
    ("email", {"email_normalized": "Max.Muster@Example.de"}, ("max.muster@example.de",)),
    ("phone", {"phone_e164": "+49891234567", "mobile_e164": "+491701234567"},
     ("+49891234567", "+491701234567")),
    ("phone", {"phone_e164": None, "mobile_e164": "+491701234567"}, ("+491701234567",)),
    ("sms", {"phone_e164": "+49891234567", "mobile_e164": "+491701234567"},
     ("+491701234567",)),
    ("fax", {"phone_e164": "+49891234567", "fax_e164": None}, ()),
    ("email", {"email_normalized": None}, ()),
])
def test_a_record_is_checked_under_its_normalised_identifiers(
        channel: str, record: dict[str, Any], expected: tuple[str, ...]) -> None:
    assert record_identifiers(channel, record) == expected
