"""Purchased lists never lose or alter a row silently (#20, item 5).

Every data row of a file is loaded, quarantined with its row and line, or skipped (blank,
suppressed), and the report's numbers are counted where the rows went. When they do not add
up to the rows read, the batch fails and nothing is written.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from foundation.settings import Settings
from ingest.prepare import prepare_list
from leadpipe.cli.main import app
from stages import ingest as ingest_stage
from stages.ingest import ListOptions, RejectedFile, ingest_list_file, load_or_reject
from warehouse.db import open_warehouse
from warehouse.load_lists import BatchReport

OPTIONS = ListOptions(vendor="V", acquired_on=date(2026, 11, 20))


def _load(settings: Settings, path: Path) -> BatchReport | RejectedFile:
    return load_or_reject(settings, path, "purchased_list",
                          lambda: ingest_list_file(settings, path, OPTIONS))


def _where_rows_went(settings: Settings, batch_id: str) -> dict[str, Any]:
    with open_warehouse(settings, write=False) as wh:
        staged = wh.fetchall("SELECT row_number, company, city FROM "
                             "staging.stg_purchased_list__records WHERE batch_id = ? "
                             "ORDER BY row_number", [batch_id])
        quarantined = wh.fetchall("SELECT row_number, reason, raw_content FROM ops.quarantine "
                                  "WHERE batch_id = ? ORDER BY row_number", [batch_id])
    return {"staged": staged, "quarantined": quarantined}


def test_bare_cr_inside_a_quoted_value_stays_in_its_row(settings: Settings, tmp_path: Path,
                                                         ) -> None:
    path = tmp_path / "cr.csv"
    path.write_bytes('Firma;Ort\n"Müller\rSöhne";Köln\nWeiß KG;Ulm\n'.encode("cp1252"))
    report = _load(settings, path)
    assert isinstance(report, BatchReport)
    assert (report.rows_in, report.loaded, report.quarantined) == (2, 2, 0)
    rows = _where_rows_went(settings, report.batch_id)["staged"]
    assert rows == [(2, "Müller\rSöhne", "Köln"), (3, "Weiß KG", "Ulm")]


@pytest.mark.parametrize(("body", "line", "reason"), [
    ('A;Berlin\nD;"Hof\nE;Essen\nF;Fulda\n', 3, "never closed"),
    ('A;Berlin\n"Zum Korn" Bäckerei;Hof\nE;Essen\nF;Fulda\n', 3, "text follows the closing"),
])
def test_a_stray_quote_costs_its_row_only_and_is_quarantined_with_its_line(
    settings: Settings, tmp_path: Path, body: str, line: int, reason: str,
) -> None:
    path = tmp_path / "stray.csv"
    path.write_bytes(("Firma;Ort\n" + body).encode("cp1252"))
    report = _load(settings, path)
    assert isinstance(report, BatchReport)
    assert (report.rows_in, report.loaded, report.quarantined, report.skipped) == (4, 3, 1, 0)
    went = _where_rows_went(settings, report.batch_id)
    assert [r[0] for r in went["staged"]] == [2, 4, 5]
    assert [r[1] for r in went["staged"]] == ["A", "E", "F"]
    (row, why, raw), = went["quarantined"]
    assert row == 3
    assert f"line {line}" in why
    assert reason in why
    assert raw == body.splitlines()[1]


def test_counts_that_do_not_reconcile_fail_the_batch_loudly(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "liste.csv"
    path.write_text("Firma;Ort\nA;Berlin\nB;Bonn\n", encoding="utf-8")

    def lose_a_row(*args: Any, **kwargs: Any) -> Any:
        prepared = prepare_list(*args, **kwargs)
        return dataclasses.replace(prepared, data_row_count=prepared.data_row_count + 1)

    monkeypatch.setattr(ingest_stage, "prepare_list", lose_a_row)
    result = CliRunner().invoke(app, ["ingest", "list", str(path), "--vendor", "V",
                                      "--acquired-on", "20.11.2026", "--db",
                                      str(settings.db_path)])
    assert result.exit_code == 2
    assert "do not reconcile" in result.output
    assert "3 rows" in result.output
    assert "Traceback" not in result.output
    with open_warehouse(settings, write=False) as wh:
        assert wh.scalar("SELECT count(*) FROM raw.batches") == 0
        assert wh.scalar("SELECT count(*) FROM raw.records") == 0


# --- properties ------------------------------------------------------------------------------

_CP1252_SAFE = "aZ09 äöüßÄÖÜ\"';,\t|\r\n=+-@"
"""No cp1252 character in 0x80–0xBF: those could form valid UTF-8 with a letter before them,
and such a file is rightly read as UTF-8 (docs/ingest.md)."""
_UTF8 = _CP1252_SAFE + "€„“–…😀\u00a0"

HEADER = ["Firma", "Ort", "Notiz"]


def _rows(alphabet: str) -> st.SearchStrategy[list[list[str]]]:
    value = st.text(alphabet, max_size=12)
    company = st.text(alphabet, min_size=1, max_size=12).filter(lambda v: v.strip() != "")
    return st.lists(st.tuples(company, value, value).map(list), min_size=1, max_size=8)


def _write(rows: list[list[str]], encoding: str, delimiter: str) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="lp-prop-") as tmp:
        yield Path(tmp)


@hyp_settings(max_examples=120, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), encoding=st.sampled_from(["cp1252", "utf-8"]),
       delimiter=st.sampled_from([";", ","]))
def test_values_written_by_pythons_csv_module_come_back_unchanged(
    workdir: Path, data: st.DataObject, encoding: str, delimiter: str,
) -> None:
    rows = data.draw(_rows(_CP1252_SAFE if encoding == "cp1252" else _UTF8))
    path = workdir / "roundtrip.csv"
    path.write_bytes(_write(rows, encoding, delimiter))
    prepared = prepare_list(path, workdir / "work")
    try:
        with open(prepared.csv_path, encoding="utf-8", newline="") as fh:
            back = list(csv.reader(fh))
    finally:
        prepared.cleanup()
    assert prepared.malformed == ()
    assert prepared.data_row_count == len(rows)
    assert back == [HEADER, *rows]


@pytest.fixture(scope="module")
def shared_settings(workdir: Path) -> Settings:
    data = workdir / "data"
    return Settings(data_dir=data, db_path=data / "leadpipe.duckdb",
                    config_dir=workdir / "config", lock_timeout_s=30.0, read_wait_s=2.0)


_BYTES = st.lists(st.sampled_from([b"a", b"B", b" ", b'"', b";", b",", b"\r", b"\n", b"\r\n",
                                   b"\xe4", b"\xc3\xa4", b"\t", b"|", b"\x80"]),
                  max_size=60).map(b"".join)
"""Bytes that make CSV structure (quotes, delimiters, line ends) and both encodings."""


@hyp_settings(max_examples=80, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.sampled_from([b"Firma;Ort\n", b"Firma,Ort\r\n", b'"Firma"\n', b"Firma|Ort\r"]),
       body=st.one_of(_BYTES, st.binary(max_size=40)))
def test_any_bytes_load_or_are_refused_and_every_row_is_accounted_for(
    shared_settings: Settings, workdir: Path, header: bytes, body: bytes,
) -> None:
    path = workdir / "any.csv"
    path.write_bytes(header + body)
    outcome = _load(shared_settings, path)  # anything but a user error would raise here
    if isinstance(outcome, RejectedFile):
        assert outcome.problem.startswith("any.csv")
        return
    assert outcome.rows_in == outcome.loaded + outcome.quarantined + outcome.skipped
    if outcome.status == "loaded":
        went = _where_rows_went(shared_settings, outcome.batch_id)
        assert len(went["staged"]) == outcome.loaded
        assert len(went["quarantined"]) == outcome.quarantined
        numbers = [r[0] for r in went["staged"] + went["quarantined"]]
        assert len(set(numbers)) == len(numbers)
        assert all(2 <= n <= outcome.rows_in + 1 for n in numbers)
