"""Skip reason codes in words, for the people who read a crawl's summary.

The crawl counts skipped URLs by reason code (`CrawlReport.skipped`: {"dns_error": 207}); a
summary says "207 sites whose name does not resolve (DNS)". The words are configuration
(spiders/defaults/skip_reasons.yaml), so a new code needs a line of YAML, not code.
"""

from __future__ import annotations

from collections.abc import Mapping

from spiders.config import ReasonWords, SkipReasons, skip_reasons


def _words_for(code: str, vocabulary: SkipReasons) -> tuple[ReasonWords, str] | None:
    """The words for `code` and the part of the code its family leaves variable ("404" of
    `http_404` when only the `http_` family describes it); None for an unknown code."""
    if code in vocabulary.reasons:
        return vocabulary.reasons[code], ""
    prefix = max((p for p in vocabulary.families if code.startswith(p) and code != p),
                 key=len, default=None)
    return None if prefix is None else (vocabulary.families[prefix], code[len(prefix):])


def describe_skipped(counts: Mapping[str, int],
                     vocabulary: SkipReasons | None = None) -> list[str]:
    """One line per reason code, the biggest count first (ties by code), with thousands
    separators: "207 sites whose name does not resolve (DNS)". An unknown code is shown as
    itself ("3 new_code"). `vocabulary` defaults to the embedded one; callers pass
    `skip_reasons(settings.config_dir).value` for the installation's words."""
    vocabulary = vocabulary or skip_reasons().value
    lines = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        if count <= 0:
            continue
        found = _words_for(code, vocabulary)
        if found is None:
            lines.append(f"{count:,} {code}")
            continue
        words, rest = found
        noun = words.noun if count == 1 else vocabulary.nouns[words.noun]
        lines.append(f"{count:,} {noun} {words.says.replace('{rest}', rest)}")
    return lines
