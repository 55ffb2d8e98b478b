"""Score explanations in plain German: every factor the rules report reads back into German,
and the card's top reasons are the ones `LeadScore.top_reasons` picks."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from foundation.config import ConfigError
from foundation.vocabulary import GRADES
from scoring.config import load_scoring_config
from scoring.predictive import FEATURES
from scoring.rules import LeadFeatures, Request, score_lead
from scoring.texts import describe_factor, load_score_texts, top_reasons_de

TEXTS = load_score_texts()
TODAY = date(2026, 11, 26)
CONFIG = load_scoring_config().value

FEATURE_SETS = [
    LeadFeatures("a", wz_code="62.01", size_class="small", postcode="80331",
                 legal_form="GmbH", decision_maker=True, audience="b2b", email_status="valid",
                 phone_e164=True, address_complete=True, impressum_confirms=True,
                 requests=(Request("demo", TODAY - timedelta(days=3)),
                           Request("brochure", TODAY - timedelta(days=40)))),
    LeadFeatures("b", wz_code="C", size_class="unknown", postcode="10115",
                 legal_form="GmbH & Co. KG", audience="b2c", email_status="unknown",
                 requests=(Request("something", TODAY),)),
    LeadFeatures("c", size_class="micro", audience="unknown"),
]


@pytest.mark.parametrize("features", FEATURE_SETS, ids=lambda f: f.lead_id)
def test_every_reported_factor_reads_as_german(features: LeadFeatures) -> None:
    score = score_lead(features, CONFIG, TODAY)
    assert score.contributions
    for c in score.contributions:
        text = describe_factor(c.part, c.factor, c.detail, TEXTS)
        assert c.detail not in text, (c.factor, text)
        assert "{" not in text


def test_the_german_wording_of_a_full_lead() -> None:
    score = score_lead(FEATURE_SETS[0], CONFIG, TODAY)
    texts = {c.factor + ("+" if "another" in c.detail else ""):
             describe_factor(c.part, c.factor, c.detail, TEXTS) for c in score.contributions}
    assert texts["industry"] == "Branche WZ 62.01 passt zu 62"
    assert texts["size_class"] == "Unternehmensgröße: kleines Unternehmen"
    assert texts["region"] == "PLZ 80331 im Zielgebiet 80"
    assert texts["audience"] == "Zielgruppe: Geschäftskunde (B2B)"
    assert texts["request"] == "Anfrage (Demo) vor 3 Tagen"
    assert texts["request+"] == "weitere Anfrage (Broschüre) vor 40 Tagen"
    assert texts["valid_email"] == "E-Mail-Adresse zustellbar"


def test_every_rule_factor_and_grade_has_a_label() -> None:
    assert set(FEATURES) <= set(TEXTS.factors)
    assert set(GRADES) <= set(TEXTS.grades)
    assert describe_factor("learned", "industry", "learned weight of industry", TEXTS) == (
        "gelerntes Gewicht: Branche")
    assert describe_factor("learned", "win_probability", "learned win probability 37% (blend)",
                           TEXTS) == ("gelernte Abschlusswahrscheinlichkeit 37 % "
                                      "(gemischt mit der Regelbewertung)")


def test_top_reasons_are_the_rule_score_s_top_reasons_in_german() -> None:
    score = score_lead(FEATURE_SETS[0], CONFIG, TODAY)
    explanation = [{"part": c.part, "factor": c.factor, "detail": c.detail,
                    "points": round(c.points, 2)} for c in score.contributions]
    german = top_reasons_de(explanation, TEXTS)
    english = score.top_reasons()
    assert len(german) == len(english) == 3
    assert [g.rsplit(" (+", 1)[1] for g in german] == [e.rsplit(" (+", 1)[1] for e in english]
    explanation.append({"part": "learned", "factor": "win_probability",
                        "detail": "learned win probability 12% (replace)", "points": 0.12})
    assert top_reasons_de(explanation, TEXTS)[-1] == (
        "gelernte Abschlusswahrscheinlichkeit 12 % (statt der Regelbewertung)")


def test_an_unread_detail_keeps_its_label() -> None:
    assert describe_factor("fit", "industry", "something new", TEXTS) == "Branche: something new"


def test_a_text_naming_an_uncaptured_group_is_refused(tmp_path: Path) -> None:
    override = tmp_path / "scoring" / "texts_de.yaml"
    override.parent.mkdir()
    override.write_text("factors:\n  region:\n    label: Region\n    patterns:\n"
                        "      - match: '^postcode (\\S+)$'\n        text: 'PLZ {postcode}'\n",
                        encoding="utf-8")
    with pytest.raises(ConfigError, match=r"factors\.region\.patterns\.0.*postcode"):
        load_score_texts(tmp_path)
