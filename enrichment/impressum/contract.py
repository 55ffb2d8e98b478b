"""The `leadpipe extract` contract: the 14 keys and the object that carries them."""

from __future__ import annotations

from dataclasses import dataclass, field

from enrichment.impressum.evidence import Evidence

CONTRACT_KEYS = ("company_name", "legal_form", "street", "postcode", "city", "country", "phones",
                 "fax", "emails", "managing_directors", "register_court", "register_number",
                 "vat_id", "responsible_persons")


@dataclass
class ImpressumData:
    """What one page says about the company behind it (the `leadpipe extract` contract)."""

    company_name: str | None = None
    legal_form: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None
    phones: list[str] = field(default_factory=list)
    fax: str | None = None
    emails: list[str] = field(default_factory=list)
    managing_directors: list[str] = field(default_factory=list)
    register_court: str | None = None
    register_number: str | None = None
    vat_id: str | None = None
    responsible_persons: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    """Why each value was chosen and what was rejected; filled with `explain=True` only."""

    def to_contract(self) -> dict[str, object]:
        """Exactly the contract keys; null where absent, lists as (copied) lists. The fields are
        strings and lists of strings, so a shallow copy is a deep one (asdict's generic deep
        walk cost 5 % of an extraction)."""
        return {key: _copy(getattr(self, key)) for key in CONTRACT_KEYS}


def _copy(value: object) -> object:
    return list(value) if isinstance(value, list) else value
