"""Skip reason codes in words: the summary lines, and a phrase for every code there is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from foundation.config import ConfigError
from spiders.config import skip_reasons
from spiders.safety import Policy, UnsafeTarget, check_url
from spiders.skip_reasons import describe_skipped

DOCS = Path(__file__).resolve().parents[2] / "docs" / "crawling.md"


def test_biggest_first_in_words() -> None:
    assert describe_skipped({"robots_txt": 12, "dns_error": 207, "offsite_link": 3}) == [
        "207 sites whose name does not resolve (DNS)",
        "12 pages forbidden by robots.txt",
        "3 links to another site",
    ]


def test_one_is_singular_and_big_counts_are_grouped() -> None:
    assert describe_skipped({"dns_error": 1, "robots_txt": 12_345}) == [
        "12,345 pages forbidden by robots.txt",
        "1 site whose name does not resolve (DNS)",
    ]


def test_equal_counts_in_code_order_and_zero_left_out() -> None:
    assert describe_skipped({"timeout": 2, "binary": 2, "loopback": 0}) == [
        "2 pages with binary content",
        "2 pages that did not answer in time",
    ]


def test_http_statuses_as_a_family() -> None:
    assert describe_skipped({"http_404": 5, "http_502": 4}) == [
        "5 pages not found (HTTP 404)",
        "4 pages answered with HTTP status 502",
    ]


def test_unknown_codes_stay_as_they_are() -> None:
    assert describe_skipped({"gremlins": 2, "http_": 1}) == ["2 gremlins", "1 http_"]


def test_no_skips_no_lines() -> None:
    assert describe_skipped({}) == []


def documented_codes() -> list[str]:
    """The skip reasons docs/crawling.md lists (the output format's contract)."""
    text = DOCS.read_text(encoding="utf-8")
    paragraph = text[text.index("Skip reasons:"):]
    paragraph = paragraph[:paragraph.index("\n\n")]
    return [code for code in re.findall(r"`([a-z_<>]+)`", paragraph)
            if not code.startswith("leadpipe")]


def test_every_documented_code_has_its_own_words() -> None:
    vocabulary = skip_reasons().value
    codes = documented_codes()
    assert len(codes) > 25
    for code in codes:
        if code.endswith("<status>"):
            assert code.removesuffix("<status>") in vocabulary.families
        else:
            assert code in vocabulary.reasons, code


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://10.0.0.1/", "http://169.254.1.1/", "http://224.0.0.1/",
    "http://0.0.0.0/", "http://240.0.0.1/", "http://100.64.0.1/", "http://169.254.169.254/",
    "http://metadata.google.internal/", "http://nirgendwo.de/", "ftp://firma.de/",
    "http://user@firma.de/", "http://fir ma.de/",
])
def test_every_refusal_of_the_guard_has_words(url: str) -> None:
    def no_such_name(host: str) -> tuple[str, ...]:
        raise OSError("Name or service not known")

    with pytest.raises(UnsafeTarget) as refused:
        check_url(url, Policy(), no_such_name)
    assert refused.value.reason in skip_reasons().value.reasons


def test_a_noun_without_a_plural_is_named(tmp_path: Path) -> None:
    (tmp_path / "spiders").mkdir(parents=True, exist_ok=True)
    (tmp_path / "spiders" / "skip_reasons.yaml").write_text(
        "reasons:\n  dns_error: {noun: domain, says: whose name does not resolve}\n",
        encoding="utf-8")
    with pytest.raises(ConfigError, match=r"reasons\.dns_error\.noun: 'domain'"):
        skip_reasons(tmp_path)


def test_a_family_without_its_variable_part_is_named(tmp_path: Path) -> None:
    (tmp_path / "spiders").mkdir(parents=True, exist_ok=True)
    (tmp_path / "spiders" / "skip_reasons.yaml").write_text(
        "families:\n  http_: {noun: page, says: with an HTTP error}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"families\.http_\.says: must contain \{rest\}"):
        skip_reasons(tmp_path)


def test_an_override_adds_words(tmp_path: Path) -> None:
    (tmp_path / "spiders").mkdir(parents=True, exist_ok=True)
    (tmp_path / "spiders" / "skip_reasons.yaml").write_text(
        "reasons:\n  gremlins: {noun: page, says: eaten by gremlins}\n", encoding="utf-8")
    vocabulary = skip_reasons(tmp_path).value
    assert describe_skipped({"gremlins": 2, "dns_error": 1}, vocabulary) == [
        "2 pages eaten by gremlins", "1 site whose name does not resolve (DNS)"]
