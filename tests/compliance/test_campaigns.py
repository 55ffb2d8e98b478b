"""Campaigns: the files, and §7(3) decided for a campaign from a stored case."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from compliance.campaigns import (
    CampaignError,
    case_campaign,
    check_running,
    decide_for_campaign,
    depends_on_campaign,
    list_campaigns,
    load_campaign,
    new_campaign,
    write_campaign,
)
from compliance.thresholds import load_eligibility_config
from foundation.config import ConfigError

CONFIG = load_eligibility_config()
TONER = new_campaign({"name": "toner-q1", "channel": "email", "product_category": "Toner",
                      "similar_categories": ["Laserdrucker"], "starts": "2026-12-01"})
CUSTOMER: dict[str, Any] = {
    "id": "lead-1", "as_of": "2026-12-01",
    "lead": {"audience": "b2c", "has_email": True, "email_kind": "private",
             "source": "existing_customer"},
    "evidence": [{"at": "2026-03-10", "kind": "purchase", "channels": ["all"],
                  "email_collected_in_sale": True, "objection_notice_at_collection": True,
                  "product_category": "laserdrucker "}],
}


def _decide(case: dict[str, Any], campaign: Any = TONER, as_of: date = date(2026, 12, 7)
            ) -> tuple[str, str, str | None]:
    decided = decide_for_campaign(case, campaign, as_of, CONFIG)
    return decided.decision, decided.reason, decided.legal_basis


def test_a_similar_campaign_allows_the_customer_under_7_3() -> None:
    decision, reason, basis = _decide(CUSTOMER)
    assert (decision, reason) == ("allowed", "uwg7_3_existing_customer")
    assert basis is not None
    assert basis.startswith("UWG §7(3)")


def test_similarity_is_the_campaign_category_or_a_listed_one_case_insensitive() -> None:
    assert case_campaign(TONER, ["TONER"])["similar_to_purchased"] is True
    assert case_campaign(TONER, ["Laser drucker"])["similar_to_purchased"] is False
    assert case_campaign(TONER, [])["similar_to_purchased"] is False
    assert case_campaign(TONER, ["Möbel"]) == {
        "product_category": "Toner", "similar_to_purchased": False,
        "message_includes_objection_notice": True}


def test_the_other_conditions_keep_their_reasons() -> None:
    chairs = TONER.model_copy(update={"product_category": "Bürostühle",
                                      "similar_categories": ()})
    assert _decide(CUSTOMER, chairs)[:2] == ("blocked", "uwg7_3_not_similar")
    silent = TONER.model_copy(update={"message_includes_objection_notice": False})
    assert _decide(CUSTOMER, silent)[:2] == ("blocked", "uwg7_3_no_notice")
    objected = copy.deepcopy(CUSTOMER)
    objected["evidence"].append({"at": "2026-06-01", "kind": "consent_withdrawn",
                                 "channels": ["email"], "via": "unsubscribe"})
    assert _decide(objected)[:2] == ("blocked", "uwg7_3_objected")
    not_in_sale = copy.deepcopy(CUSTOMER)
    not_in_sale["evidence"][0]["email_collected_in_sale"] = False
    assert _decide(not_in_sale)[:2] == ("blocked", "uwg7_3_no_sale")
    assert _decide(CUSTOMER, as_of=date(2028, 4, 1)) == (
        "review", "uwg7_3_customer_stale_review", None)
    assert _decide(CUSTOMER, as_of=date(2030, 4, 1))[:2] == ("blocked", "uwg7_3_customer_expired")


def test_only_purchases_in_which_the_address_was_collected_make_it_similar() -> None:
    case = copy.deepcopy(CUSTOMER)
    case["evidence"].append({"at": "2026-04-01", "kind": "purchase", "channels": ["all"],
                             "email_collected_in_sale": False, "product_category": "Toner"})
    case["evidence"][0]["product_category"] = "Möbel"
    assert _decide(case)[:2] == ("blocked", "uwg7_3_not_similar")


def test_sms_campaigns_go_to_review() -> None:
    sms = TONER.model_copy(update={"channel": "sms"})
    case = copy.deepcopy(CUSTOMER)
    case["lead"].update(has_phone=True, phone_kind="private_mobile")
    assert _decide(case, sms)[:2] == ("review", "sms_7_3_review")


def test_which_decisions_depend_on_the_campaign() -> None:
    assert depends_on_campaign("E6", {"evidence": []})
    assert depends_on_campaign("E3", CUSTOMER)
    assert not depends_on_campaign("E1", {"evidence": [{"kind": "list_acquired"}]})


def test_files_are_written_listed_and_read_back(tmp_path: Path) -> None:
    path = write_campaign(tmp_path, TONER)
    assert path == tmp_path / "campaigns" / "toner-q1.yaml"
    assert "the §7(3)\n# notice in every mail" in path.read_text(encoding="utf-8")
    assert load_campaign(tmp_path, "toner-q1").campaign == TONER
    assert [c.campaign.name for c in list_campaigns(tmp_path)] == ["toner-q1"]
    with pytest.raises(CampaignError, match="exists; edit it, or pass --force"):
        write_campaign(tmp_path, TONER)
    changed = TONER.model_copy(update={"product_category": "Papier"})
    write_campaign(tmp_path, changed, force=True)
    assert load_campaign(tmp_path, "toner-q1").campaign.version != TONER.version


def test_errors_name_the_file_and_the_key(tmp_path: Path) -> None:
    with pytest.raises(CampaignError, match=r"no campaign 'nope' .*none is defined yet"):
        load_campaign(tmp_path, "nope")
    folder = tmp_path / "campaigns"
    folder.mkdir()
    (tmp_path / "secret.yaml").write_text("name: secret\n", encoding="utf-8")
    with pytest.raises(CampaignError, match=r"no campaign '../secret'"):
        load_campaign(tmp_path, "../secret")            # never read outside the folder
    (folder / "x.yaml").write_text("name: y\nchannel: email\nproduct_category: T\n"
                                   "starts: 2026-12-01\n", encoding="utf-8")
    with pytest.raises(CampaignError, match=r"x.yaml: name: 'y' differs from the file name"):
        load_campaign(tmp_path, "x")
    (folder / "x.yaml").write_text("name: x\nchannel: post\nproduct_category: T\n"
                                   "starts: 2026-12-01\nends: 2026-11-01\ncolour: red\n",
                                   encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        list_campaigns(tmp_path)
    message = str(exc.value)
    assert "x.yaml: invalid configuration" in message
    for key in ("channel:", "ends: 2026-11-01 is before starts", "colour:"):
        assert key in message
    with pytest.raises(ConfigError, match="name: 'Toner Q1'"):
        new_campaign({"name": "Toner Q1", "channel": "email", "product_category": "T",
                      "starts": "2026-12-01"})


def test_a_campaign_runs_between_its_dates() -> None:
    bounded = TONER.model_copy(update={"ends": date(2026, 12, 31)})
    check_running(bounded, date(2026, 12, 1))
    check_running(bounded, date(2026, 12, 31))
    with pytest.raises(CampaignError, match="starts on 2026-12-01; it cannot be exported on "
                                            "2026-11-30"):
        check_running(bounded, date(2026, 11, 30))
    with pytest.raises(CampaignError, match="ended on 2026-12-31"):
        check_running(bounded, date(2027, 1, 1))
