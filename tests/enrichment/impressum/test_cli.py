"""`leadpipe extract`: the contract object for a saved page, clear errors otherwise."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from enrichment.impressum.extract import CONTRACT_KEYS
from leadpipe.cli.main import app

FIXTURES = Path(__file__).parents[2] / "fixtures" / "impressum"
runner = CliRunner()


def test_extract_file_prints_exactly_the_contract_keys() -> None:
    page = FIXTURES / "dev" / "d03_latin1_ek.html"
    result = runner.invoke(app, ["extract", str(page), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert tuple(data) == CONTRACT_KEYS
    assert data["company_name"] == "Bäckerei Größmann e.K."
    assert data["phones"] == ["+49451298760"]


def test_extract_missing_file_is_a_user_error() -> None:
    result = runner.invoke(app, ["extract", "no/such/page.html", "--json"])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_extract_unreachable_url_is_a_user_error() -> None:
    result = runner.invoke(app, ["extract", "http://127.0.0.1:9/impressum", "--json"])
    assert result.exit_code == 2


def test_extract_url_goes_through_the_fetcher_and_its_guard() -> None:
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(FIXTURES / "dev"))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/d03_latin1_ek.html"
        refused = runner.invoke(app, ["extract", url, "--json"])
        assert refused.exit_code == 2  # loopback is refused without --allow-private
        result = runner.invoke(app, ["extract", url, "--json", "--allow-private"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["company_name"] == "Bäckerei Größmann e.K."
    finally:
        server.shutdown()
        server.server_close()


def test_extract_folder_prints_one_json_line_per_page_in_one_process() -> None:
    result = runner.invoke(app, ["extract", str(FIXTURES / "heldout")])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    pages = sorted((FIXTURES / "heldout").glob("*.html"))
    assert [line["source"] for line in lines] == [str(p) for p in pages]
    assert all(set(line) == {"source", *CONTRACT_KEYS} for line in lines)


def test_extract_several_files_goes_on_past_an_unreadable_one() -> None:
    page = FIXTURES / "dev" / "d03_latin1_ek.html"
    result = runner.invoke(app, ["extract", str(page), "no/such/page.html", str(page)])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["company_name"] for line in lines] == ["Bäckerei Größmann e.K."] * 2
    assert "no/such/page.html: no such file" in result.stderr
