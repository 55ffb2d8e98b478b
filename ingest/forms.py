"""Read web-form tool exports (NDJSON, JSON, CSV) into submissions with consent events.

Each submission keeps its original object (for the raw layer), a canonical record (contact
fields as in `ingest.fields`, plus form id, page URL, submission time in UTC, IP, user
agent, normalised request type and message) and the consent facts as events in the
vocabulary of section 10 of the eligibility rules. A submission that cannot be read or
dated (malformed JSON line, unparseable timestamp, unknown consent channel, no contact data)
goes to quarantine with its line/row, the field and the reason; the rest of the file loads.

Row numbers: NDJSON uses the line number (first line = 1), a JSON array the position of the
submission (first = 1), CSV the spreadsheet row (header = 1, first submission = 2).
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, field_validator

from foundation.config import LoadedConfig, load_config
from foundation.vocabulary import CHANNELS
from ingest.columns import ColumnsConfig, check_headers, load_columns_config, normalise_header
from ingest.errors import InputFileError
from ingest.fields import FORM_FIELDS, LIST_FIELDS, REQUEST_TYPES
from ingest.sniff import (
    check_not_binary,
    choose_encoding,
    detect_delimiter,
    sample_text,
    scan_bytes,
)

RAW_LIMIT = 2000
"""Quarantined raw text is cut to this many characters."""

CONTACT_FIELDS = ("email", "phone", "mobile", "company", "last_name", "full_name")
"""A submission with none of these filled cannot become a lead and is quarantined."""

_TRUE = frozenset({"true", "1", "yes", "y", "ja", "j", "on", "x", "checked", "wahr"})
_FALSE = frozenset({"false", "0", "no", "n", "nein", "off", "unchecked", "falsch", ""})
_CONSENT_SCALARS = ("text", "text_version", "given_at", "pre_ticked", "doi_confirmed_at",
                    "doi_requested_at", "doi_ip", "doi_user_agent", "names_controller",
                    "phone_verified",
                    "privacy_notice_version")
_GERMAN_TIME = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y")
MAX_DEPTH = 32
"""Deepest nesting of objects/lists a submission may have; form tools export 3 or 4."""
MAX_DIGITS = 30
"""Longest integer a submission may hold (phone numbers and millisecond times have < 20)."""
_SURROGATE = re.compile(r"[\ud800-\udfff]")
DEFAULT_SOURCE = "forms"
"""The source of an export whose file name starts with a digit (no tool named)."""


class PresumedConsent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str
    channels: list[str]


class ConsentKeys(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channels: list[str]
    channel_flags: dict[str, list[str]]
    text: list[str]
    text_version: list[str]
    given_at: list[str]
    pre_ticked: list[str]
    doi_confirmed_at: list[str]
    doi_requested_at: list[str]
    doi_ip: list[str]
    doi_user_agent: list[str]
    names_controller: list[str]
    phone_verified: list[str]
    privacy_notice_version: list[str]

    @field_validator("channel_flags")
    @classmethod
    def _channels(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = set(value) - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown channels {sorted(unknown)}; known: {', '.join(CHANNELS)}")
        return value


class FormsConfig(BaseModel):
    """`ingest/defaults/forms.yaml`: key aliases, channel words, request types."""

    model_config = ConfigDict(extra="forbid")
    version: int
    containers: list[str]
    meta: dict[str, list[str]]
    consent: ConsentKeys
    channel_names: dict[str, list[str]]
    request_types: dict[str, list[str]]
    inquiry_request_types: list[str]
    presumed_consent: dict[str, PresumedConsent]
    naive_timezone: str
    controller_names: list[str] = []
    """Our own company name(s): a consent text that names one of them names the controller
    (the export rarely says so itself); a text that names none of them does not."""

    @field_validator("meta")
    @classmethod
    def _meta_fields(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = set(value) - set(FORM_FIELDS) - {"submission_id"}
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}")
        return value

    @field_validator("channel_names")
    @classmethod
    def _channel_names(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = set(value) - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown channels {sorted(unknown)}")
        return value

    @field_validator("request_types")
    @classmethod
    def _request_types(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = set(value) - set(REQUEST_TYPES)
        if unknown:
            raise ValueError(f"unknown request types {sorted(unknown)}")
        return value

    @field_validator("naive_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


def load_forms_config(config_dir: Path | None = None) -> LoadedConfig[FormsConfig]:
    return load_config("ingest", "forms", FormsConfig, config_dir=config_dir)


@dataclass(frozen=True)
class QuarantineEntry:
    """One submission that could not be read: where, which field, why, and the raw text."""

    row: int | None
    field: str | None
    reason: str
    raw: str | None


@dataclass(frozen=True)
class FormSubmission:
    submission_id: str
    row_number: int
    original: dict[str, Any]
    record: dict[str, str | None]
    """Every field of LIST_FIELDS and FORM_FIELDS; submitted_at is ISO 8601 in UTC."""
    consent_events: list[dict[str, Any]]


@dataclass(frozen=True)
class FormExport:
    file_name: str
    file_sha256: str
    format: str
    """'ndjson', 'json' or 'csv'."""
    submissions: list[FormSubmission]
    quarantine: list[QuarantineEntry]
    unmapped_keys: tuple[str, ...] = ()
    """Keys found in the export that map to nothing (kept in `original`)."""
    config_version: str = ""
    encoding: str | None = None
    source: str = DEFAULT_SOURCE
    """The form tool, from the file name (`export_source`): submission ids are unique only
    within one source and form."""


class _RowProblem(Exception):
    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


# --- values a line may hold -------------------------------------------------------------------


@dataclass(frozen=True)
class _Invalid:
    """Stands in for a number JSON allows but no form field can hold (NaN, 1e400, 10**100)."""

    reason: str

    def __str__(self) -> str:
        return self.reason


def _number(text: str) -> float | _Invalid:
    value = float(text)
    if math.isfinite(value):
        return value
    return _Invalid(f"the number {text[:40]} is too large; export it as text")


def _integer(text: str) -> int | _Invalid:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        return _Invalid(f"a number with {digits} digits (at most {MAX_DIGITS}); no form field "
                        "holds such a number, export it as text if it is one")
    return int(text)


def _constant(name: str) -> _Invalid:
    return _Invalid(f"{name} is not a value; export an empty field instead")


def parse_json(text: str) -> Any:
    """One JSON value; numbers no field can hold become `_Invalid` for `check_value` to name.

    Raises `_RowProblem` for text that is not JSON or is nested deeper than Python can read."""
    try:
        return json.loads(text, parse_float=_number, parse_int=_integer,
                          parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise _RowProblem(None, f"invalid JSON at column {exc.colno}: {exc.msg}") from exc
    except RecursionError as exc:
        raise _RowProblem(None, f"nested more than {MAX_DEPTH} levels deep") from exc


def check_value(obj: Any) -> None:
    """Refuse what cannot be stored or read as a submission, naming the key: nesting deeper
    than MAX_DEPTH, numbers no field can hold, and lone UTF-16 surrogates (not text)."""
    stack: list[tuple[Any, str, int]] = [(obj, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        field = path or None
        if depth > MAX_DEPTH:
            raise _RowProblem(field, f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, _Invalid):
            raise _RowProblem(field, value.reason)
        if isinstance(value, float) and not math.isfinite(value):
            raise _RowProblem(field, "not a finite number")
        if isinstance(value, str) and _SURROGATE.search(value):
            raise _RowProblem(field, "contains a lone UTF-16 surrogate (\\ud800-\\udfff), "
                              "which is not text; fix the export's encoding")
        if isinstance(value, dict):
            for key, item in value.items():
                if _SURROGATE.search(key):
                    raise _RowProblem(None, f"a key contains a lone UTF-16 surrogate: "
                                      f"{storable(key)!r}")
                stack.append((item, f"{path}.{key}" if path else key, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, path, depth + 1) for item in value)


def storable(text: str) -> str:
    """Text the warehouse can store: lone surrogates spelled as `\\udXXX` escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


# --- key matching ---------------------------------------------------------------------------


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
    for name in _CONSENT_SCALARS:
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


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if v is not None)
    text = str(value).strip()
    return text or None


def _flag(name: str, value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _RowProblem(name, f"{name} is {value!r}, not a yes/no value")


class _Reader:
    """Maps one submission object onto record, consent facts and events."""

    def __init__(self, forms: FormsConfig, columns: ColumnsConfig) -> None:
        self.forms = forms
        self.columns = columns
        self.keys = _key_map(forms, columns)
        self.zone = ZoneInfo(forms.naive_timezone)
        self.channel_words = {normalise_header(w): ch for ch, words in forms.channel_names.items()
                              for w in words}
        self.request_words = [(normalise_header(w), kind)
                              for kind, words in forms.request_types.items() for w in words]
        self.unmapped: dict[str, None] = {}

    def _classify(self, obj: dict[str, Any]) -> dict[tuple[str, str], tuple[str, Any]]:
        """(group, name) → (original key, value); full-path matches beat last-part matches."""
        found: dict[tuple[str, str], tuple[str, Any]] = {}
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

    def timestamp(self, name: str, value: Any) -> str | None:
        """ISO 8601 in UTC; naive times are read in the configured zone."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return self._timestamp(name, value)
        except (OverflowError, OSError, ValueError) as exc:
            raise _RowProblem(name, f"{name} {storable(str(value))[:40]!r} is not a date/time "
                              "between the years 1 and 9999") from exc

    def _timestamp(self, name: str, value: Any) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            seconds = value / 1000 if value > 10**11 else value
            return datetime.fromtimestamp(seconds, UTC).isoformat()
        text = str(value).strip()
        parsed: datetime | None = None
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            for pattern in _GERMAN_TIME:
                try:
                    parsed = datetime.strptime(text, pattern)
                    break
                except ValueError:
                    continue
        if parsed is None:
            raise _RowProblem(name, f"{name} {text!r} is not a date/time (ISO 8601 expected)")
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self.zone)
        return parsed.astimezone(UTC).isoformat()

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

    def channels(self, found: dict[tuple[str, str], tuple[str, Any]]) -> list[str]:
        named: set[str] = set()
        hit = found.get(("consent", "channels"))
        if hit is not None and hit[1] is not None:
            key, value = hit
            words = value if isinstance(value, list) else re.split(r"[,;|/]", str(value))
            for word in words:
                norm = normalise_header(str(word))
                if not norm:
                    continue
                channel = self.channel_words.get(norm)
                if channel is None:
                    raise _RowProblem(key, f"unknown consent channel {word!r}; known: "
                                      f"{', '.join(CHANNELS)}")
                named.add(channel)
        for channel in CHANNELS:
            flag = found.get(("flag", channel))
            if flag is not None and _flag(flag[0], flag[1]):
                named.add(channel)
        return [c for c in CHANNELS if c in named]

    def read(self, obj: dict[str, Any]) -> tuple[dict[str, str | None], list[dict[str, Any]],
                                                 str | None]:
        found = self._classify(obj)
        record: dict[str, str | None] = dict.fromkeys((*LIST_FIELDS, *FORM_FIELDS))
        for (group, name), (_, value) in found.items():
            if group == "contact":
                record[name] = _text(value)
        for (group, name), (_, value) in found.items():
            if group == "context":
                rule = self.columns.contextual[int(name)]
                target = rule.field if record.get(rule.if_mapped) else rule.otherwise
                if record.get(target) is None:
                    record[target] = _text(value)
        for name in FORM_FIELDS:
            hit = found.get(("meta", name))
            record[name] = _text(hit[1]) if hit else None
        submitted = found.get(("meta", "submitted_at"))
        record["submitted_at"] = self.timestamp(submitted[0] if submitted else "submitted_at",
                                                submitted[1] if submitted else None)
        if record["submitted_at"] is None:
            raise _RowProblem(submitted[0] if submitted else "submitted_at",
                              "no submission time: the submission and its consent cannot be "
                              "dated")
        record["request_type"] = self.request_type(record["request_type"])
        if not any(record.get(f) for f in CONTACT_FIELDS):
            raise _RowProblem(None, "no contact data (e-mail, phone, name or company)")
        sid = found.get(("meta", "submission_id"))
        return record, self.events(record, found), _text(sid[1]) if sid else None

    def names_controller(self, stated: bool | None, text: str | None) -> bool | None:
        """What the export states, else whether the consent text names us (when we know
        our names), else unknown — which the rules treat as not naming us."""
        if stated is not None or not text or not self.forms.controller_names:
            return stated
        folded = text.casefold()
        return any(name.casefold() in folded for name in self.forms.controller_names)

    def events(self, record: dict[str, str | None],
               found: dict[tuple[str, str], tuple[str, Any]]) -> list[dict[str, Any]]:
        def consent(name: str) -> tuple[str, Any]:
            return found.get(("consent", name), (name, None))

        def evidence(extra: dict[str, Any]) -> dict[str, Any]:
            base = {"ip": record["ip"], "user_agent": record["user_agent"],
                    "form_id": record["form_id"], "page_url": record["page_url"], **extra}
            return {k: v for k, v in base.items() if v is not None}

        submitted = record["submitted_at"]
        events: list[dict[str, Any]] = []
        channels = self.channels(found)
        if channels:
            text = _text(consent("text")[1])
            version = _text(consent("text_version")[1])
            at = self.timestamp(*consent("given_at")) or submitted
            confirmed = self.timestamp(*consent("doi_confirmed_at"))
            complete = bool((text or version) and at and (record["ip"] or record["user_agent"]))
            common = {
                "at": at,
                "kind": "consent_given",
                "pre_ticked": _flag(*consent("pre_ticked")),
                "names_controller": self.names_controller(_flag(*consent("names_controller")),
                                                          text),
                "evidence_complete": complete,
                "phone_verified": bool(_flag(*consent("phone_verified"))),
                **evidence({
                    "consent_text": text,
                    "consent_text_version": version,
                    "consent_text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()
                    if text else None,
                    "privacy_notice_version": _text(consent("privacy_notice_version")[1]),
                    "doi_requested_at": self.timestamp(*consent("doi_requested_at")),
                    "doi_ip": _text(consent("doi_ip")[1]),
                    "doi_user_agent": _text(consent("doi_user_agent")[1]),
                }),
            }
            # A DOI click confirms the e-mail address only; it proves nothing about a phone
            # number or fax entered in the same form, so those get their own single opt-in.
            doi = ["email"] if confirmed and "email" in channels else []
            single = [c for c in channels if c not in doi]
            if doi:
                events.append({**common, "channels": doi, "method": "double_opt_in",
                               "confirmed_at": confirmed})
            if single:
                events.append({**common, "channels": single,
                               "method": "checkbox_single_opt_in", "confirmed_at": None})
        kind = record["request_type"]
        if kind in self.forms.inquiry_request_types:
            events.append({"at": submitted, "kind": "inquiry_received", "channels": ["all"],
                           "request_type": kind, **evidence({})})
        presumed = self.forms.presumed_consent.get(kind or "")
        if presumed is not None:
            events.append({"at": submitted, "kind": "presumed_consent_reason",
                           "channels": list(presumed.channels), "category": presumed.category,
                           "request_type": kind, **evidence({})})
        return events


# --- file formats ---------------------------------------------------------------------------


def _cut(text: str) -> str:
    return text if len(text) <= RAW_LIMIT else text[:RAW_LIMIT] + "…"


def _ndjson_objects(data: bytes) -> Iterator[tuple[int, Any, str | None]]:
    """(line number, parsed object or the problem, raw line) per non-blank line."""
    for number, raw in enumerate(data.splitlines(), start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        text = raw.decode("utf-8", errors="replace")
        nul = raw.find(b"\0")
        if nul >= 0:
            yield number, _RowProblem(None, f"binary data: NUL byte at column {nul + 1}"), \
                text.replace("\0", "\\0")
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, _RowProblem(None, f"not valid UTF-8 at column {exc.start + 1}"), text
            continue
        try:
            yield number, parse_json(line), line
        except _RowProblem as problem:
            yield number, problem, line


def _json_objects(path: Path, data: bytes, containers: list[str]
                  ) -> Iterator[tuple[int, Any, str | None]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(path, None, None, f"not valid UTF-8 at byte {exc.start}; JSON "
                             "exports must be UTF-8") from exc
    try:
        doc = json.loads(text, parse_float=_number, parse_int=_integer,
                         parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InputFileError(path, exc.lineno, None, f"invalid JSON at line {exc.lineno}, "
                             f"column {exc.colno}: {exc.msg}") from exc
    except RecursionError as exc:
        raise InputFileError(path, None, None, "JSON nested too deeply to read (a submission "
                             f"has at most {MAX_DEPTH} levels); export it as NDJSON, one "
                             "submission per line, to quarantine only the bad ones") from exc
    items: Any = doc
    if isinstance(doc, dict):
        items = next((doc[k] for k in containers if isinstance(doc.get(k), list)), None)
        if items is None:
            items = [doc]
    if not isinstance(items, list):
        raise InputFileError(path, None, None, "a JSON export must be an array of submissions "
                             f"or an object with one of: {', '.join(containers)}")
    for number, item in enumerate(items, start=1):
        yield number, item, None


def _csv_objects(path: Path) -> tuple[Iterator[tuple[int, Any, str | None]], str]:
    scan = scan_bytes(path)
    sample = sample_text(scan)
    delimiter = detect_delimiter(sample, scan.size > len(scan.head))
    check_not_binary(path, scan, delimiter)
    encoding = choose_encoding(path, scan, delimiter, None)

    def rows() -> Iterator[tuple[int, Any, str | None]]:
        with open(path, encoding=encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            headers = next(reader, None)
            if headers is None:
                raise InputFileError(path, None, None, "the file is empty")
            check_headers(path, headers)
            for number, row in enumerate(reader, start=2):
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(headers):
                    yield number, _RowProblem(None, f"expected {len(headers)} fields, found "
                                              f"{len(row)}"), delimiter.join(row)
                    continue
                yield number, dict(zip(headers, row, strict=True)), None

    return rows(), encoding


def _format(path: Path, data: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix in {".ndjson", ".jsonl"}:
        return "ndjson"
    if suffix == ".csv":
        return "csv"
    try:
        parse_json(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, _RowProblem):
        # NDJSON saved as .json: the first line alone is a complete object
        first = data.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
        try:
            return "ndjson" if isinstance(parse_json(first.decode("utf-8")), dict) else "json"
        except (UnicodeDecodeError, _RowProblem):
            return "json"
    return "json"


def export_source(file_name: str) -> str:
    """The tool an export comes from: its file name up to the first digit, lower case
    (`typeform-2026-11-20.ndjson` → `typeform`). Form tools number their submissions from 1,
    so an id means something only together with its tool and form; the operator names the
    tool in the file name. Mirrored in SQL by migration 0009 for rows loaded before it."""
    tool = re.sub(r"[0-9].*", "", Path(file_name).stem, flags=re.DOTALL)
    return tool.strip(" -_.").lower() or DEFAULT_SOURCE


def read_form_export(path: Path, *, config_dir: Path | None = None) -> FormExport:
    """Read one export file; `InputFileError` only if the file as a whole is unreadable."""
    path = Path(path)
    forms = load_forms_config(config_dir)
    columns = load_columns_config(config_dir)
    if not path.is_file():
        raise InputFileError(path, None, None, "file not found")
    data = path.read_bytes()
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise InputFileError(path, None, None, "the file is empty")
    kind = _format(path, data)
    if kind == "json" and b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        raise InputFileError(path, line, None, "binary data: NUL byte; this is not a JSON export")
    encoding: str | None = "utf-8"
    if kind == "ndjson":
        items = _ndjson_objects(data)
    elif kind == "json":
        items = _json_objects(path, data, forms.value.containers)
    else:
        items, encoding = _csv_objects(path)

    reader = _Reader(forms.value, columns.value)
    submissions: list[FormSubmission] = []
    quarantine: list[QuarantineEntry] = []
    for number, obj, raw in items:
        text = storable(raw or json.dumps(obj, ensure_ascii=False, default=str))
        if isinstance(obj, _RowProblem):
            quarantine.append(QuarantineEntry(number, obj.field, obj.reason, _cut(text)))
            continue
        if not isinstance(obj, dict):
            quarantine.append(QuarantineEntry(number, None, "a submission must be a JSON object, "
                                              f"got {type(obj).__name__}", _cut(text)))
            continue
        try:
            check_value(obj)
            record, events, given_id = reader.read(obj)
        except _RowProblem as problem:
            field_name = storable(problem.field)[:200] if problem.field else None
            quarantine.append(QuarantineEntry(number, field_name, problem.reason, _cut(text)))
            continue
        canonical = json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str)
        submission_id = given_id or "h" + hashlib.sha256(canonical.encode()).hexdigest()[:20]
        submissions.append(FormSubmission(submission_id, number, obj, record, events))
    if kind == "ndjson" and not submissions and b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        raise InputFileError(path, line, None, "binary data: NUL byte and not one readable "
                             "submission; this is not a form export")
    return FormExport(
        file_name=path.name,
        file_sha256=hashlib.sha256(data).hexdigest(),
        format=kind,
        submissions=submissions,
        quarantine=quarantine,
        unmapped_keys=tuple(reader.unmapped),
        config_version=f"{forms.version}+{columns.version}",
        encoding=encoding,
        source=export_source(path.name),
    )
