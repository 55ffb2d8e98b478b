"""Robinson lists of every channel reach the nightly decide.

E-mail and phone lists once never did: the enriched records a decision is taken on carry the
normalised address and numbers, the check looked for the raw ones, and no check was ever
recorded. A person on the e-mail list who consented before their entry must go to review,
and a listed mobile number covers calls to a record that also has a landline.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app
from stages.decide import decide_all
from stages.enrich import enrich_new
from stages.match import match_all
from warehouse.db import open_warehouse

runner = CliRunner()
LIST = ("Vorname;Nachname;Straße;Hausnummer;PLZ;Ort;Telefon;Mobil;E-Mail\n"
        "Otto;Vogel;Ahornweg;5;70173;Stuttgart;0711 123456;0170 5551234;Otto.Vogel@web.de\n"
        "Eva;Lang;Birkenweg;9;90402;Nürnberg;0911 654321;;eva.lang@gmx.de\n")
LISTS = {"email": "email;entry_date\notto.vogel@WEB.de;2024-05-01\n",
         "phone": "phone;entry_date\n+49 170 5551234;2024-05-01\n",
         "sms": "phone;entry_date\n0170/5551234;2024-05-01\n"}


def _cli(settings: Settings, *args: str) -> None:
    result = runner.invoke(app, [*args, "--db", str(settings.db_path)])
    assert result.exit_code == 0, result.output


def test_email_phone_and_sms_lists_hit_in_the_nightly_decide(
        settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "liste.csv").write_text(LIST, encoding="utf-8")
    _cli(settings, "ingest", "list", str(tmp_path / "liste.csv"), "--vendor", "Broker",
         "--acquired-on", "2026-11-20")
    for channel, text in LISTS.items():
        (tmp_path / f"{channel}.csv").write_text(text, encoding="utf-8")
        _cli(settings, "robinson", "import", str(tmp_path / f"{channel}.csv"), "--list",
             f"DDV {channel}", "--channel", channel, "--list-date", "2026-11-01")
    for stage in (enrich_new, match_all, decide_all):
        stage(settings)
    with open_warehouse(settings, write=False) as wh:
        rows = wh.fetchall(
            "SELECT g.last_name, d.channel, d.inputs FROM core.eligibility_decisions d "
            "JOIN core.golden_leads g USING (lead_id) WHERE d.is_current")
    checks = {name: {(e["channels"][0], e["hit"]) for e in json.loads(inputs)["evidence"]
                     if e["kind"] == "robinson_list_check"} for name, _, inputs in rows}
    # Vogel's phone hit is his mobile, beside a landline; Lang has no mobile to check for SMS
    assert checks["Vogel"] == {("email", True), ("phone", True), ("sms", True)}
    assert checks["Lang"] == {("email", False), ("phone", False)}
