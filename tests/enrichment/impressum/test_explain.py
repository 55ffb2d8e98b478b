"""`extract --explain`: each value with the reason it was chosen, and what was passed by."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from enrichment.impressum import extract_impressum
from enrichment.impressum.extract import ImpressumData
from enrichment.impressum.html import decode_html
from leadpipe.cli.main import app

DEV = Path(__file__).parents[2] / "fixtures" / "impressum" / "dev"


def _extract(name: str, explain: bool = True) -> ImpressumData:
    return extract_impressum(decode_html((DEV / name).read_bytes()), explain=explain)


def test_the_chosen_company_carries_its_score_and_the_rival_its_own() -> None:
    data = _extract("d29_site_chrome_footer_repeat.html")
    names = [e for e in data.evidence if e.field == "company_name"]
    chosen = [e for e in names if e.chosen]
    assert [e.value for e in chosen] == [data.company_name]
    assert "address below +4" in chosen[0].why
    assert any(not e.chosen and e.value != data.company_name for e in names)


def test_a_third_party_mailbox_is_shown_as_rejected_with_its_reason() -> None:
    data = _extract("d04_kg_komplementaer_table.html")
    rejected = {e.value: e.why for e in data.evidence if not e.chosen and e.field == "emails"}
    assert "third party" in rejected["lenz@datenschutz-sued.de"]
    assert "lenz@datenschutz-sued.de" not in data.emails


def test_each_chosen_value_points_to_its_line() -> None:
    data = _extract("d01_gmbh_plain_br.html")
    phones = [e for e in data.evidence if e.field == "phones" and e.chosen]
    assert phones
    assert "Tel" in (phones[0].text or "")


def test_no_evidence_is_recorded_unless_asked() -> None:
    assert _extract("d01_gmbh_plain_br.html", explain=False).evidence == []


def test_cli_explain_adds_an_evidence_list_to_the_contract() -> None:
    result = CliRunner().invoke(app, ["extract", str(DEV / "d04_kg_komplementaer_table.html"),
                                      "--json", "--explain"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"field", "value", "chosen", "why", "line", "text"} <= set(data["evidence"][0])
