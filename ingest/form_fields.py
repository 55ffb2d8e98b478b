"""Field mapping: the keys of one submission object onto the canonical record.

Keys are matched by the aliases of `ingest/defaults/forms.yaml` (form metadata, consent
facts) and of the list columns (`ingest/defaults/columns.yaml`, contact fields); nested
objects and name/value answer lists are flattened to dotted paths first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from ingest.columns import ColumnsConfig, normalise_header
from ingest.fields import FORM_FIELDS, LIST_FIELDS
from ingest.form_config import CONSENT_SCALARS, FormsConfig
from ingest.form_values import RowProblem, text_value, timestamp_value

CONTACT_FIELDS = ("email", "phone", "mobile", "company", "last_name", "full_name")
"""A submission with none of these filled cannot become a lead and is quarantined."""

Found = dict[tuple[str, str], tuple[str, Any]]
"""(group, name) → (original key, value) of one submission's mapped keys."""


@dataclass
class _KeyMap:
    """Normalised key → (group, name), built once per export from both configs."""

    exact: dict[str, tuple[str, str]] = field(default_factory=dict)

    def add(self, group: str, name: str, aliases: list[str]) -> None:
        for alias in aliases:
            self.exact.setdefault(normalise_header(alias), (group, name))


def _key_map(forms: FormsConfig, columns: ColumnsConfig) -> _KeyMap:
    """Consent keys win over form metadata, which wins over contact aliases ("url" is the
    page, not the company website)."""
    keys = _KeyMap()
    for channel, aliases in forms.consent.channel_flags.items():
        keys.add("flag", channel, aliases)
    keys.add("consent", "channels", forms.consent.channels)
    for name in CONSENT_SCALARS:
        keys.add("consent", name, getattr(forms.consent, name))
    for name, aliases in forms.meta.items():
        keys.add("meta", name, aliases)
    for name, aliases in columns.aliases.items():
        keys.add("contact", name, aliases)
    for index, rule in enumerate(columns.contextual):
        keys.add("context", str(index), rule.headers)
    return keys


_PAIR_NAMES = ("name", "key", "field", "label", "id")


def _pair_name(item: Any) -> str | None:
    """The name of a {"name": ..., "value": ...} answer, as many form tools export fields."""
    if not isinstance(item, dict) or "value" not in item:
        return None
    return next((str(item[k]) for k in _PAIR_NAMES if item.get(k) not in (None, "")), None)


def _flatten(obj: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) for every leaf; name/value answer lists count as objects."""
    for key, value in obj.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            yield from _flatten(value, path)
        elif isinstance(value, list) and value and all(_pair_name(v) for v in value):
            for item in value:
                yield f"{path}.{_pair_name(item)}", item["value"]
        else:
            yield path, value


class FieldReader:
    """Maps one submission object onto the canonical record; remembers unmapped keys."""

    def __init__(self, forms: FormsConfig, columns: ColumnsConfig) -> None:
        self.columns = columns
        self.keys = _key_map(forms, columns)
        self.zone = ZoneInfo(forms.naive_timezone)
        self.request_words = [(normalise_header(w), kind)
                              for kind, words in forms.request_types.items() for w in words]
        self.unmapped: dict[str, None] = {}

    def _classify(self, obj: dict[str, Any]) -> Found:
        """(group, name) → (original key, value); full-path matches beat last-part matches."""
        found: Found = {}
        fallback: list[tuple[tuple[str, str], tuple[str, Any]]] = []
        for path, value in _flatten(obj):
            target = self.keys.exact.get(normalise_header(path))
            if target is not None:
                found.setdefault(target, (path, value))
                continue
            last = self.keys.exact.get(normalise_header(path.rsplit(".", 1)[-1]))
            if last is not None:
                fallback.append((last, (path, value)))
            else:
                self.unmapped.setdefault(path)
        for target, hit in fallback:
            found.setdefault(target, hit)
        return found

    def request_type(self, value: str | None) -> str | None:
        if value is None:
            return None
        key = normalise_header(value)
        for word, kind in self.request_words:
            if key == word:
                return kind
        for word, kind in self.request_words:
            if word and word in key:
                return kind
        return "other"

    def read(self, obj: dict[str, Any]) -> tuple[dict[str, str | None], Found, str | None]:
        """(record, the mapped keys for the consent facts, the submission id if given)."""
        found = self._classify(obj)
        record: dict[str, str | None] = dict.fromkeys((*LIST_FIELDS, *FORM_FIELDS))
        for (group, name), (_, value) in found.items():
            if group == "contact":
                record[name] = text_value(value)
        for (group, name), (_, value) in found.items():
            if group == "context":
                rule = self.columns.contextual[int(name)]
                target = rule.field if record.get(rule.if_mapped) else rule.otherwise
                if record.get(target) is None:
                    record[target] = text_value(value)
        for name in FORM_FIELDS:
            hit = found.get(("meta", name))
            record[name] = text_value(hit[1]) if hit else None
        submitted = found.get(("meta", "submitted_at"))
        record["submitted_at"] = timestamp_value(
            submitted[0] if submitted else "submitted_at", submitted[1] if submitted else None,
            self.zone)
        if record["submitted_at"] is None:
            raise RowProblem(submitted[0] if submitted else "submitted_at",
                             "no submission time: the submission and its consent cannot be "
                             "dated")
        record["request_type"] = self.request_type(record["request_type"])
        if not any(record.get(f) for f in CONTACT_FIELDS):
            raise RowProblem(None, "no contact data (e-mail, phone, name or company)")
        sid = found.get(("meta", "submission_id"))
        return record, found, text_value(sid[1]) if sid else None
