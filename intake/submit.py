"""Checking one form post: authentication, body parsing, validation, the hand-off record.

Pure functions over bytes, headers and the form's configuration; the app does the I/O.
The record produced here is exactly one line of the hand-off NDJSON (see `handoff.py`):
canonical lead field names, submission metadata, and a `consent` object in the shape
`ingest.forms` reads.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from email_validator import EmailNotValidError, validate_email

from intake.config import FormSpec, IntakeConfig, Limits
from intake.store import iso

_TRUE = frozenset({"1", "true", "on", "yes", "ja", "checked"})
_PHONE = re.compile(r"^\+?[0-9][0-9 ()/.\-]{2,39}$")
_INVISIBLE = "\x7f\x85\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff"
_CONTROL = re.compile(f"[\\x00-\\x1f{_INVISIBLE}]")
"""Control and invisible/bidi characters: in a one-line field they smuggle line breaks
(header or mail injection) or disguise text."""
_CONTROL_MULTILINE = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f{_INVISIBLE}]")
MULTILINE_FIELDS = frozenset({"message"})
MAX_KEY_CHARS = 100


class Rejected(Exception):
    """A post that is not accepted: HTTP status, a short public reason, optional details."""

    def __init__(self, status: int, reason: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.fields = fields or {}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a website's backend sends: HMAC-SHA256 over `<timestamp>.<body>`."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body,
                   hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def check_signature(form: FormSpec, body: bytes, signature: str, timestamp: str | None,
                    now: float, max_age: int) -> None:
    if not form.secret:
        raise Rejected(401, "this form accepts no signed posts")
    if not timestamp or not timestamp.isdigit():
        raise Rejected(401, "X-Leadpipe-Timestamp (Unix seconds) is required with a signature")
    if abs(now - int(timestamp)) > max_age:
        raise Rejected(401, "timestamp outside the allowed window")
    if not hmac.compare_digest(sign(form.secret, timestamp, body), signature.strip()):
        raise Rejected(401, "bad signature")


def check_origin(form: FormSpec, origin: str | None) -> None:
    if not origin:
        raise Rejected(401, "neither a signature nor an Origin header")
    if origin not in form.allowed_origins:
        raise Rejected(403, "origin not allowed for this form")


def parse_body(content_type: str | None, body: bytes) -> dict[str, Any]:
    """JSON object or urlencoded pairs; anything else is 415, unreadable content 400."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == "application/json":
        try:
            # numbers stay text: a form field is text, and a 5,000-digit number is no crash
            data = json.loads(body.decode("utf-8"), parse_int=str, parse_float=str,
                              parse_constant=_no_constant)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Rejected(400, "the body is not valid UTF-8 JSON") from exc
        except RecursionError as exc:
            raise Rejected(400, "the JSON is nested too deeply; send one value per field") \
                from exc
        if not isinstance(data, dict):
            raise Rejected(400, "the body must be a JSON object")
        return data
    if media == "application/x-www-form-urlencoded":
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError as exc:
            raise Rejected(400, "the body is not valid UTF-8") from exc
        return dict(pairs)
    raise Rejected(415, "send application/json or application/x-www-form-urlencoded")


def _no_constant(name: str) -> None:
    raise Rejected(400, f"{name} is not a JSON value")


def check_limits(form: FormSpec, data: dict[str, Any], limits: Limits) -> None:
    """413 for too many keys; 422 naming every key that is not a configured field and holds
    more than one value or a value over `max_value_chars` (fields have their max_length)."""
    if len(data) > limits.max_fields:
        raise Rejected(413, f"more than {limits.max_fields} fields in one post")
    configured = {spec.name for spec in form.fields}
    problems: dict[str, str] = {}
    for key, value in data.items():
        if key in configured:
            continue
        if len(key) > MAX_KEY_CHARS:
            problems[key[:MAX_KEY_CHARS] + "…"] = f"field name longer than {MAX_KEY_CHARS} " \
                                                   "characters"
        elif isinstance(value, dict | list):
            problems[key] = "must be a single value"
        elif len(str(value)) > limits.max_value_chars:
            problems[key] = f"longer than {limits.max_value_chars} characters"
    if problems:
        raise Rejected(422, "validation failed", problems)


def clean(text: str | None) -> str | None:
    """Evidence text without control or invisible characters (kept, not refused: a browser's
    Referer or user agent is not the visitor's input to fix)."""
    return _CONTROL.sub("", text) if text else text


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def _ticked(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().casefold() in _TRUE if value is not None else False


def validate_fields(form: FormSpec, data: dict[str, Any]) -> dict[str, str | None]:
    """Field values as text; 422 with every offending field name at once."""
    values: dict[str, str | None] = {}
    problems: dict[str, str] = {}
    for spec in form.fields:
        raw = data.get(spec.name)
        if isinstance(raw, dict | list):
            problems[spec.name] = "must be a single value"
            continue
        value = _text(raw)
        if value is None:
            if spec.required:
                problems[spec.name] = "required"
            values[spec.name] = None
            continue
        if len(value) > spec.max_length:
            problems[spec.name] = f"longer than {spec.max_length} characters"
        elif (_CONTROL_MULTILINE if spec.name in MULTILINE_FIELDS else _CONTROL).search(value):
            problems[spec.name] = "contains control characters"
        elif spec.kind == "email":
            try:
                value = validate_email(value, check_deliverability=False).normalized
            except EmailNotValidError:
                problems[spec.name] = "not an e-mail address"
        elif spec.kind == "phone" and not _PHONE.match(value):
            problems[spec.name] = "not a phone number"
        values[spec.name] = value
    if problems:
        raise Rejected(422, "validation failed", problems)
    return values


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Visitor:
    ip: str | None
    user_agent: str | None
    page_url: str | None


def visitor(signed: bool, data: dict[str, Any], peer_ip: str | None, headers_ua: str | None,
            referer: str | None) -> Visitor:
    """Who submitted: a signed post vouches for the visitor; a browser post is the visitor."""
    if signed:
        return Visitor(_valid_ip(_text(data.get("visitor_ip"))) or peer_ip,
                       clean(_text(data.get("visitor_user_agent"))),
                       clean(_text(data.get("page_url"))))
    return Visitor(peer_ip, clean(headers_ua), clean(referer or _text(data.get("page_url"))))


def build_record(form: FormSpec, data: dict[str, Any], fields: dict[str, str | None],
                 who: Visitor, submission_id: str, now: datetime) -> dict[str, Any]:
    """The hand-off line. Several ticked boxes are one consent: their texts joined, versions
    joined with '+', channels united — the reader takes one text per submission."""
    ticked = [box for box in form.consents if _ticked(data.get(box.id))]
    channels = [c for box in ticked for c in box.channels]
    record: dict[str, Any] = {
        "submission_id": submission_id,
        "form_id": form.id,
        "page_url": (who.page_url or "")[:2000] or None,
        "submitted_at": iso(now),
        "ip": who.ip,
        "user_agent": (who.user_agent or "")[:1000] or None,
        "request_type": form.request_type,
        **fields,
        "consent": {
            "channels": list(dict.fromkeys(channels)),
            "text": "\n\n".join(box.text for box in ticked) or None,
            "text_version": "+".join(box.version for box in ticked) or None,
            "boxes": [box.id for box in ticked],
            "pre_ticked": False,
            "names_controller": True,
            "controller": form.controller.name,
            "phone_verified": False,
            "privacy_notice_version": form.privacy_notice_version,
        },
    }
    return record


def needs_doi(record: dict[str, Any]) -> bool:
    return "email" in record["consent"]["channels"] and bool(record.get("email"))


def find_form(config: IntakeConfig, form_id: str) -> FormSpec:
    form = config.form(form_id)
    if form is None:
        raise Rejected(404, "unknown form")
    return form
