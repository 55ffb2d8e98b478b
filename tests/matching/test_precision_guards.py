"""The guards that keep precision from falling with list size (issue #18).

A strong key decides only when the rest of the record does not contradict it; colleagues
with similar first names are kept apart by their last names; umlaut spellings are one name.
Parameters are set by hand so every case is small and its arithmetic visible.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from matching import fellegi_sunter as fs
from matching.compare import prepare_value
from matching.engine import dedupe
from matching.explain import explain_pair
from matching.settings import MatchSettings, load_match_settings


def _params(settings: MatchSettings) -> dict[str, Any]:
    """Agreement is evidence for (+6 bits on the first level), `else` against (-4.2 bits)."""
    comparisons = {}
    for c in settings.comparisons:
        k = len(c.levels)
        m = fs.default_m(k)
        u = [0.01] * (k - 1) + [1 - 0.01 * (k - 1)]
        comparisons[c.name] = {"labels": [lv.label for lv in c.levels], "m": m, "u": u}
    return {"lambda": 1e-5, "comparisons": comparisons}


@pytest.fixture(scope="module")
def consumer() -> MatchSettings:
    return load_match_settings("consumer").value


@pytest.fixture(scope="module")
def contact() -> MatchSettings:
    return load_match_settings("contact").value


def _consumer(rid: str, street: str, number: str, postcode: str, phone: str,
              email: str = "thomas.mueller@gmx.de") -> dict[str, Any]:
    return {"record_id": rid, "first_name": "Thomas", "last_name": "Müller",
            "match_street": street, "house_number": number, "postcode": postcode,
            "phone_e164": phone, "email_normalized": email, "email_kind": "personal_free"}


def _pair(result: Any, a: str, b: str) -> dict[str, Any]:
    return next(p for p in result.pairs(("non_match", "review", "match"))
                if {p["left_id"], p["right_id"]} == {a, b})


def test_shared_freemail_of_namesakes_elsewhere_goes_to_review_not_match(consumer):
    records = [_consumer("a", "hauptstrasse", "5", "10115", "+49301111111"),
               _consumer("b", "gartenstrasse", "80", "80331", "+49892222222")]
    params = _params(consumer)
    result = dedupe(records, consumer, trained_params=params)
    pair = _pair(result, "a", "b")
    assert pair["strong_key"] == "personal_email"
    assert pair["band"] == "review"
    assert result.clusters["a"] != result.clusters["b"]
    explained = explain_pair(*records, consumer, params)
    check = next(f["strong_key_check"] for f in explained["fields"] if "strong_key_check" in f)
    assert explained["band"] == "review"
    assert check["decides"] is False
    assert check["other_evidence"] < check["min_other_evidence"] == 0


def test_shared_freemail_at_the_same_address_still_decides(consumer):
    # street spelled differently, no phone: the model alone is unsure, the mailbox decides
    records = [_consumer("a", "hauptstrasse", "5", "10115", "+49301111111"),
               _consumer("b", "hauptstr", "5", "10115", "")]
    params = _params(consumer)
    result = dedupe(records, consumer, trained_params=params)
    assert _pair(result, "a", "b")["band"] == "match"
    assert result.clusters["a"] == result.clusters["b"]
    explained = explain_pair(*records, consumer, params)
    assert explained["band"] == "match"
    assert explained["strong_key"] == "personal_email"


def _colleague(rid: str, first: str, last: str, email: str | None = None) -> dict[str, Any]:
    return {"record_id": rid, "first_name": first, "last_name": last,
            "company_match_name": "verpackung brilon", "postcode": "35853",
            "phone_e164": "+4967331489200",
            "email_normalized": email or f"{first}.{last}@verpackung-brilon.de".lower(),
            "email_kind": "personal_business"}


def test_colleagues_with_similar_first_names_are_kept_apart(contact):
    records = [_colleague("a", "Anneke", "Bolander"), _colleague("b", "Annemie", "Rust"),
               _colleague("c", "Cathrin", "Reinhardt"), _colleague("d", "Cathrin", "Hoelzel")]
    result = dedupe(records, contact, trained_params=_params(contact))
    for a, b in (("a", "b"), ("c", "d")):
        pair = _pair(result, a, b)
        assert (pair["band"], pair["guarded"]) == ("non_match", True)
        assert result.clusters[a] != result.clusters[b]


def test_swapped_names_or_the_own_mailbox_lift_the_last_name_guard(contact):
    domain = "verpackung-brilon.de"
    records = [_colleague("a", "Anneke", "Bolander"),
               _colleague("b", "Bolander", "Anneke", email=f"anneke.bolander@{domain}"),
               _colleague("c", "Cathrin", "Reinhardt"),
               _colleague("d", "Cathrin", "Hoelzel", email=f"cathrin.reinhardt@{domain}")]
    params = _params(contact)
    result = dedupe(records, contact, trained_params=params)
    assert not _pair(result, "a", "b")["guarded"]
    married = _pair(result, "c", "d")  # same own mailbox after a change of name
    assert (married["guarded"], married["band"]) == (False, "match")
    assert explain_pair(records[2], records[3], contact, params)["guard"] is None
    assert explain_pair(records[0], _colleague("x", "Annemie", "Rust"), contact,
                        params)["guard"] == "last_name"


def test_a_contact_with_names_swapped_and_one_misspelt_is_found_and_merged(contact):
    records = [_colleague("a", "Gretl", "Jessel", email="gretl.jessel@verpackung-brilon.de"),
               _colleague("b", "Jessl", "Gretl", email="g.jessel@verpackung-brilon.de"),
               _colleague("c", "Greta", "Jansen")]
    result = dedupe(records, contact, trained_params=_params(contact))
    swapped = _pair(result, "a", "b")  # blocked by company and the exchanged first name
    assert (swapped["band"], swapped["guarded"]) == ("match", False)
    assert result.clusters["a"] == result.clusters["b"] != result.clusters["c"]


def test_umlaut_spellings_are_one_name_for_the_fold_processor(contact):
    assert prepare_value("Jähn", "fold") == prepare_value("JAEHN ", "fold") == "jaehn"
    assert prepare_value("Jähn", "lower") == "jähn"
    records = [_colleague("a", "Dana", "Jähn", "dana.jaehn@x.de"),
               _colleague("b", "Dana", "Jaehn", "djaehn@x.de")]
    explained = explain_pair(*records, contact, _params(contact))
    last = next(f for f in explained["fields"] if f["comparison"] == "last_name")
    assert last["level"] == "exact"
    assert explained["guard"] is None


def test_guard_exceptions_must_name_known_comparisons_levels_and_keys(contact):
    raw = contact.model_dump()
    raw["guards"] = [{"comparison": "last_name", "levels": ["different"],
                      "unless": {"first_nam": ["exact"]}}]
    with pytest.raises(ValidationError, match="first_nam"):
        MatchSettings.model_validate(raw)
    raw["guards"] = [{"comparison": "last_name", "levels": ["different"],
                      "unless_strong_keys": ["vat_id"]}]
    with pytest.raises(ValidationError, match="vat_id"):
        MatchSettings.model_validate(raw)
