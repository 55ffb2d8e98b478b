"""Decisions in plain German: every reason code the engine can produce has its sentence, every
legal basis and rule its German wording, and the sentences carry the dates they rest on."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from compliance import engine
from compliance.case import EVENT_ATTRIBUTES, case_from_dict
from compliance.engine import evaluate
from compliance.rulebook import LEGAL_BASIS, RULES
from compliance.texts import (
    decision_facts,
    describe_decision,
    describe_legal_basis,
    german_date,
    load_texts,
)
from compliance.thresholds import load_eligibility_config
from foundation.config import ConfigError
from foundation.vocabulary import CHANNELS, SOURCE_KINDS

TEXTS = load_texts()
CASES_DIR = Path(__file__).parent / "cases"
DECIDERS = {"_blocked", "_allowed", "_review", "ChannelDecision"}


def _engine_outcomes() -> set[tuple[str, str]]:
    """(reason code, rule id) of every decision compliance/engine.py can construct: the
    string arguments of its `_blocked`, `_allowed`, `_review` calls."""
    found: set[tuple[str, str]] = set()
    tree = ast.parse(Path(engine.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in DECIDERS and len(node.args) >= 2):
            reason, rule = node.args[0], node.args[1]
            if isinstance(reason, ast.Constant) and isinstance(rule, ast.Constant):
                found.add((str(reason.value), str(rule.value)))
    return found


OUTCOMES = _engine_outcomes()


def test_the_walk_finds_the_engine_s_decisions() -> None:
    reasons = {reason for reason, _ in OUTCOMES}
    assert {"consent_valid_doi", "uwg7_2_1_presumed_consent_documented", "no_contact_data",
            "gdpr21_objection", "robinson_check_missing"} <= reasons
    assert len(reasons) >= 40


@pytest.mark.parametrize(("reason", "rule"), sorted(OUTCOMES))
def test_every_reason_the_engine_can_produce_has_a_german_sentence(reason: str,
                                                                   rule: str) -> None:
    assert reason in TEXTS.reasons, (
        f"reason code {reason!r} (rule {rule}) has no German text: add it under `reasons:` "
        "in compliance/defaults/texts_de.yaml")
    assert rule in TEXTS.rules, f"rule {rule!r} has no German title under `rules:`"
    for channel in CHANNELS:
        sentence = describe_decision(channel, "blocked", reason, rule, TEXTS)
        assert reason not in sentence
        assert "{" not in sentence


def test_every_rule_and_legal_basis_of_the_rulebook_is_in_german() -> None:
    assert sorted(set(RULES) - set(TEXTS.rules)) == []
    assert sorted(set(LEGAL_BASIS) - set(TEXTS.legal_bases)) == []
    for key, stored in LEGAL_BASIS.items():
        assert describe_legal_basis(stored, TEXTS) == TEXTS.legal_bases[key]
    assert describe_legal_basis(None, TEXTS) is None
    assert describe_legal_basis("an older basis", TEXTS) == "an older basis"


def test_labels_cover_the_vocabulary() -> None:
    assert set(TEXTS.channels) >= set(CHANNELS)
    assert set(TEXTS.source_kinds) >= set(SOURCE_KINDS)
    assert set(TEXTS.event_kinds) >= set(EVENT_ATTRIBUTES) | {"email_bounced"}
    assert TEXTS.decisions == {"allowed": "erlaubt", "review": "prüfen", "blocked": "gesperrt"}


def _scenarios() -> list[dict[str, Any]]:
    found = []
    for path in sorted(CASES_DIR.glob("*.json")):
        found.extend(json.loads(path.read_text(encoding="utf-8")))
    return found


def test_every_decision_of_the_scenario_table_reads_as_german() -> None:
    """The hand-written scenarios reach every rule: each decision and its basis render with
    no code and no open placeholder left."""
    config = load_eligibility_config()
    for scenario in _scenarios():
        data = {k: v for k, v in scenario.items() if k not in ("expect", "note")}
        case, _ = case_from_dict(data)
        result = evaluate(case, config.thresholds, config.parameter_aliases)
        for channel, d in result.channels.items():
            facts = decision_facts(channel, data, TEXTS)
            sentence = describe_decision(channel, d.decision, d.reason, d.rule, TEXTS, facts)
            assert d.reason not in sentence, (scenario["id"], sentence)
            assert "{" not in sentence, (scenario["id"], sentence)
            basis = describe_legal_basis(d.legal_basis, TEXTS)
            assert basis is None or "GDPR" not in basis, (scenario["id"], basis)


def _case(evidence: list[dict[str, Any]], **lead: Any) -> dict[str, Any]:
    return {"id": "t", "as_of": "2026-11-26",
            "lead": {"source": "web_form", "audience": "b2b", "has_email": True,
                     "email_kind": "business_personal", "has_phone": True,
                     "phone_kind": "business_line", **lead},
            "evidence": evidence}


def _sentence(channel: str, data: dict[str, Any],
              ledger: list[dict[str, Any]] | None = None) -> str:
    config = load_eligibility_config()
    case, _ = case_from_dict(data)
    d = evaluate(case, config.thresholds, config.parameter_aliases).channels[channel]
    return describe_decision(channel, d.decision, d.reason, d.rule, TEXTS,
                             decision_facts(channel, data, TEXTS, ledger or []))


def test_an_allowed_call_names_its_basis_and_the_inquiry_date() -> None:
    data = _case([{"at": "2026-11-10", "kind": "inquiry_received", "channels": ["all"]}])
    assert _sentence("phone", data) == (
        "Anruf erlaubt: mutmaßliche Einwilligung (§ 7 Abs. 2 Nr. 1 UWG), Anfrage vom 10.11.2026")


def test_a_category_a_reason_is_named_over_a_newer_weaker_one() -> None:
    data = _case([
        {"at": "2026-10-01", "kind": "presumed_consent_reason", "channels": ["phone"],
         "category": "existing_business_relationship"},
        {"at": "2026-11-20", "kind": "presumed_consent_reason", "channels": ["phone"],
         "category": "directory_listing"}])
    assert _sentence("phone", data).endswith("laufende Geschäftsbeziehung vom 01.10.2026")


def test_email_without_consent_is_blocked_in_plain_german() -> None:
    assert _sentence("email", _case([])) == (
        "E-Mail gesperrt: keine ausdrückliche Einwilligung (§ 7 Abs. 2 Nr. 2 UWG)")


def test_a_doi_consent_names_confirmation_and_the_form_from_the_ledger() -> None:
    consent = {"at": "2026-11-02", "kind": "consent_given", "channels": ["email"],
               "method": "double_opt_in", "confirmed_at": "2026-11-03", "pre_ticked": False,
               "names_controller": True, "evidence_complete": True}
    ledger = [{"kind": "consent_given", "channels": ["email"],
               "occurred_at": "2026-11-02T09:00:00+00:00",
               "evidence": {"form_id": "newsletter-de"}}]
    assert _sentence("email", _case([consent]), ledger) == (
        "E-Mail erlaubt: Einwilligung per Double-Opt-in (§ 7 Abs. 2 Nr. 2 UWG), "
        "bestätigt am 03.11.2026, Formular newsletter-de")
    # without the ledger row the form is left out, not printed as a gap
    assert _sentence("email", _case([consent])).endswith("bestätigt am 03.11.2026")


def test_reconsent_after_an_objection_says_so() -> None:
    sentence = describe_decision("email", "allowed", "consent_valid_doi", "G2a", TEXTS)
    assert sentence.endswith("(nach Widerspruch neu eingewilligt)")


def test_an_unknown_code_is_shown_not_hidden() -> None:
    assert describe_decision("fax", "blocked", "some_old_code", "X9", TEXTS) == (
        "Fax gesperrt: some_old_code (X9)")


def test_german_dates() -> None:
    assert german_date("2026-11-10T15:00:00+00:00") == "10.11.2026"
    assert german_date(None) is None
    assert german_date("kaputt") is None


def test_an_installation_rewords_a_sentence(tmp_path: Path) -> None:
    override = tmp_path / "compliance" / "texts_de.yaml"
    override.parent.mkdir()
    override.write_text("reasons:\n  uwg7_2_2_no_consent:\n    text: ohne Opt-in\n",
                        encoding="utf-8")
    texts = load_texts(tmp_path)
    assert describe_decision("email", "blocked", "uwg7_2_2_no_consent", "E1", texts) == (
        "E-Mail gesperrt: ohne Opt-in")


def test_a_wrong_placeholder_is_named_with_its_key(tmp_path: Path) -> None:
    override = tmp_path / "compliance" / "texts_de.yaml"
    override.parent.mkdir()
    override.write_text("reasons:\n  consent_withdrawn:\n    text: widerrufen\n"
                        "    detail: 'am {withdrawn_at}'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"reasons\.consent_withdrawn\.detail.*withdrawn_at"):
        load_texts(tmp_path)
