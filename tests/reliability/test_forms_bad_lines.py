"""Item 4 of #20: one bad line of a form export is quarantined with a reason; the rest loads.

Unit tests on the reader for each kind of bad line the issue names, then property tests:
arbitrary lines never crash the reader or the warehouse import, and every non-blank line
ends loaded, quarantined or skipped.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from foundation.settings import Settings
from ingest.errors import InputFileError
from ingest.forms import read_form_export
from stages.ingest import ingest_form_file
from warehouse.db import open_warehouse

GOOD = {"submission_id": "ok-1", "form_id": "demo", "submitted_at": "2026-11-20T10:00:00Z",
        "email": "jana@firma.example", "last_name": "Schäfer"}


def _line(**changes: object) -> str:
    return json.dumps({**GOOD, **changes})


BAD_LINES = {
    "timestamp 1e20": (_line(submission_id="b1", submitted_at=1e20), "submitted_at"),
    "timestamp 100 digits": (_line(submission_id="b2", submitted_at=int("9" * 100)),
                             "submitted_at"),
    "NaN": ('{"submission_id": "b3", "form_id": "demo", "submitted_at": NaN, '
            '"email": "x@firma.example"}', "submitted_at"),
    "Infinity in a field": ('{"submission_id": "b4", "submitted_at": "2026-11-20T10:00:00Z", '
                            '"email": "x@firma.example", "score": -Infinity}', "score"),
    "10,000 deep": ('{"submission_id": "b5", "x": ' + "[" * 10_000 + "]" * 10_000 + "}", None),
    "100 deep": ('{"submission_id": "b6", "email": "x@firma.example", "x": '
                 + "[" * 100 + "]" * 100 + "}", "x"),
    "5,000-digit integer": (_line(submission_id="b7", phone="P").replace('"P"', "4" * 5000),
                            "phone"),
    "lone surrogate in a value": (_line(submission_id="b8", last_name="\ud800"), "last_name"),
    "lone surrogate in a key": (json.dumps({**GOOD, "submission_id": "b9", "\udc00": 1}), None),
    "year 1 in Berlin time": (_line(submission_id="b10", submitted_at="0001-01-01T00:00:00"),
                              "submitted_at"),
    "year 9999 west of UTC": (_line(submission_id="b11",
                                    submitted_at="9999-12-31T23:00:00-05:00"), "submitted_at"),
    "NUL byte": (_line(submission_id="b12").replace("@", "\0"), None),
}


@pytest.mark.parametrize("name", list(BAD_LINES))
def test_a_bad_line_is_quarantined_with_a_reason_and_the_rest_loads(tmp_path: Path,
                                                                     name: str) -> None:
    bad, field = BAD_LINES[name]
    path = tmp_path / "export.ndjson"
    path.write_text("\n".join([_line(submission_id="a"), bad, _line(submission_id="c")]) + "\n",
                    encoding="utf-8", errors="surrogatepass")
    export = read_form_export(path)
    assert [s.submission_id for s in export.submissions] == ["a", "c"]
    [entry] = export.quarantine
    assert entry.row == 2
    assert entry.reason
    if field is not None:
        assert entry.field == field, entry
    assert entry.raw is not None
    entry.raw.encode("utf-8")  # storable: no lone surrogates in the quarantined text


def test_a_json_array_with_one_bad_item_loads_the_others(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text('[{"submission_id": "a", "submitted_at": "2026-11-20T10:00:00Z", '
                    '"email": "a@firma.example"}, {"submission_id": "b", "submitted_at": NaN, '
                    '"email": "b@firma.example", "last_name": "\\ud800"}]', encoding="utf-8")
    export = read_form_export(path)
    assert [s.submission_id for s in export.submissions] == ["a"]
    [entry] = export.quarantine
    assert entry.row == 2
    assert "\\ud800" in (entry.raw or "")


def test_a_json_document_nested_too_deep_is_refused_with_the_file_named(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 10_000 + "]" * 10_000, encoding="utf-8")
    with pytest.raises(InputFileError, match=r"deep\.json: .*nested"):
        read_form_export(path)


def test_a_binary_file_is_still_refused_as_a_whole(tmp_path: Path) -> None:
    path = tmp_path / "export.ndjson"
    path.write_bytes(b"PK\x03\x04\x00\x00\x00garbage\n\x00\x01\x02\n")
    with pytest.raises(InputFileError, match="binary data"):
        read_form_export(path)


# --- properties ------------------------------------------------------------------------------

_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                     st.text(max_size=20), st.sampled_from(["2026-11-20T10:00:00Z", "1e20",
                                                            "20.11.2026 10:00", "0001-01-01"]))
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
_keys = st.sampled_from(["submission_id", "email", "last_name", "company", "submitted_at",
                         "timestamp", "consent_email", "consent_channels", "consent.text",
                         "doi_confirmed_at", "form_id", "phone", "x"]) | st.text(max_size=8)
_objects = st.dictionaries(_keys, _values, max_size=6).map(
    lambda d: json.dumps(d, allow_nan=True, ensure_ascii=bool(len(d) % 2)))
_lines = st.one_of(
    _objects,
    st.text(max_size=40).map(lambda t: t.replace("\n", " ").replace("\r", " ")),
    st.binary(max_size=40).map(lambda b: b.replace(b"\n", b" ").replace(b"\r", b" ")
                               .decode("latin-1")),
    st.integers().map(lambda n: f'{{"submitted_at": {n}, "email": "a@b.example"}}'),
    st.integers(min_value=1, max_value=3000).map(lambda n: "[" * n + "]" * n),
)


def _write(path: Path, lines: list[str], good_line: bool) -> int:
    """Write the lines (surrogates kept as bytes); return the number of non-blank lines."""
    if good_line:
        lines = [*lines, _line()]
    data = "\n".join(lines).encode("utf-8", errors="surrogatepass")
    path.write_bytes(data)
    return sum(1 for raw in data.splitlines() if raw.strip())


@hyp_settings(max_examples=300, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(_lines, max_size=8))
def test_arbitrary_lines_never_crash_the_reader_and_every_line_is_accounted_for(
        lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.ndjson"
        count = _write(path, lines, good_line=True)
        export = read_form_export(path)
        assert len(export.submissions) + len(export.quarantine) == count
        assert len(export.submissions) >= 1
        for entry in export.quarantine:
            assert entry.reason
            (entry.raw or "").encode("utf-8")


@hyp_settings(max_examples=200, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(_lines, max_size=8))
def test_without_a_good_line_the_reader_reports_or_refuses_but_never_crashes(
        lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.ndjson"
        count = _write(path, lines, good_line=False)
        try:
            export = read_form_export(path)
        except InputFileError as exc:
            refused = str(exc)
        else:
            assert len(export.submissions) + len(export.quarantine) == count
            return
        assert refused.startswith("export.ndjson")


def test_arbitrary_lines_never_crash_the_import_and_counts_add_up(tmp_path: Path) -> None:
    """Through the warehouse: rows in = loaded + quarantined + skipped for every file."""
    settings = Settings(data_dir=tmp_path / "data", db_path=tmp_path / "data" / "lp.duckdb",
                        config_dir=tmp_path / "config", lock_timeout_s=30.0, read_wait_s=2.0)
    files: list[tuple[Path, int]] = []

    @hyp_settings(max_examples=25, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.lists(_lines, max_size=6))
    def run(lines: list[str]) -> None:
        path = tmp_path / f"export-{len(files)}.ndjson"
        count = _write(path, lines, good_line=True)
        files.append((path, count))
        report = ingest_form_file(settings, path)
        assert report.rows_in == count
        assert report.loaded + report.quarantined + report.skipped == report.rows_in

    run()
    with open_warehouse(settings, write=False) as wh:
        loaded = wh.scalar("SELECT count(*) FROM staging.stg_web_form__submissions")
    assert (loaded or 0) >= 1
