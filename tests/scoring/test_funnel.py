"""The funnel's rates, the channels it leaves out, and the words it renders them in."""

from __future__ import annotations

import random
from typing import Any

import pytest

from foundation.vocabulary import CHANNELS
from scoring.funnel import (
    MULTIPLIER_NOTE,
    FunnelSource,
    build_funnel,
    empty_channels,
    funnel_markdown,
    funnel_notes,
    funnel_table_rows,
    stage_order,
)


def _rows(kind: str, vendor: str, stages: dict[str, int]) -> list[dict[str, Any]]:
    return [{"source_kind": kind, "vendor": vendor, "stage": s, "n": n}
            for s, n in stages.items()]


def _nested(rnd: random.Random, channels: tuple[str, ...]) -> dict[str, int]:
    """Counts as the warehouse gives them: each lead stage within its base; leads per record
    anywhere from none to three."""
    records = rnd.randint(0, 5000)
    counts = {"ingested": records, "unique": rnd.randint(0, 3 * records)}
    counts["enriched"] = rnd.randint(0, counts["unique"])
    for ch in channels:
        if rnd.random() < 0.3:
            continue    # no decision on the channel at all: no rows
        counts[f"eligible:{ch}"] = rnd.randint(0, counts["enriched"])
        counts[f"qualified:{ch}"] = rnd.randint(0, counts[f"eligible:{ch}"])
        counts[f"exported:{ch}"] = rnd.randint(0, counts[f"qualified:{ch}"])
    counts["contacted"] = rnd.randint(0, counts["enriched"])
    counts["reached"] = rnd.randint(0, counts["contacted"])
    counts["appointment"] = rnd.randint(0, counts["reached"])
    counts["won"] = rnd.randint(0, counts["appointment"])
    counts["lost"] = rnd.randint(0, counts["reached"])
    counts["not_interested"] = rnd.randint(0, counts["reached"] - counts["lost"])
    return counts


@pytest.mark.parametrize("seed", range(200))
def test_no_rate_exceeds_100_percent_but_the_multiplier(seed: int) -> None:
    rnd = random.Random(seed)
    channels = tuple(rnd.sample(CHANNELS, rnd.randint(1, len(CHANNELS))))
    counts = [row for kind, vendor in (("all", ""), ("web_form", ""), ("purchased_list", "acme"))
              for row in _rows(kind, vendor, _nested(rnd, channels))]
    for source in build_funnel(counts, channels):
        for step in source.steps:
            assert step.multiplier == (step.stage == "unique")
            if step.rate is not None and not step.multiplier:
                assert 0 <= step.rate <= 1, (source.label, step)
                assert 0 <= int(step.cell.split("(")[1].strip("<>%)")) <= 100, step.cell


def test_a_stage_counting_more_than_its_base_is_an_error() -> None:
    counts = _rows("all", "", {"ingested": 10, "unique": 8, "enriched": 8, "eligible:phone": 5,
                               "qualified:phone": 2, "exported:phone": 3})
    with pytest.raises(ValueError, match="exported:phone counts 3, more than qualified:phone"):
        build_funnel(counts, ("phone",))


def test_leads_per_record_is_a_multiplier_and_may_exceed_one() -> None:
    [source] = build_funnel(_rows("web_form", "", {"ingested": 147, "unique": 254}), ("email",))
    leads = source.steps[1]
    assert (leads.stage, leads.relative_to, leads.multiplier) == ("unique", "ingested", True)
    assert leads.rate == pytest.approx(254 / 147, abs=1e-4)
    assert leads.cell == "254 (×1.73)"
    assert leads.label == "leads (× per record)"
    assert MULTIPLIER_NOTE in funnel_notes([source])


def test_stages_top_to_bottom_each_after_its_base() -> None:
    order = stage_order(("email", "phone"))
    stages = [stage for stage, _ in order]
    assert stages == ["ingested", "unique", "enriched",
                      "eligible:email", "qualified:email", "exported:email",
                      "eligible:phone", "qualified:phone", "exported:phone", "contacted",
                      "reached", "appointment", "won", "not_interested", "lost"]
    for i, (_, base) in enumerate(order):
        assert base is None if i == 0 else base in stages[:i]
    assert dict(order)["won"] == "appointment"  # the win rate, not wins per lead
    assert dict(order)["lost"] == dict(order)["not_interested"] == "reached"


def test_channels_empty_in_every_source_are_left_out_of_the_displays() -> None:
    counts = [*_rows("all", "", {"ingested": 3, "unique": 3, "enriched": 3, "eligible:post": 2}),
              *_rows("crawl", "", {"ingested": 1, "unique": 1, "enriched": 1}),
              *_rows("web_form", "", {"ingested": 2, "unique": 2, "enriched": 2,
                                      "eligible:post": 2, "eligible:sms": 0})]
    funnel = build_funnel(counts, ("email", "post", "sms"))
    assert empty_channels(funnel) == ["email", "sms"]
    crawl = funnel[1]
    assert crawl.label == "crawl"
    assert [s.stage for s in crawl.shown_steps] == [
        "ingested", "unique", "enriched", "eligible:post", "qualified:post", "exported:post",
        "contacted", "reached", "appointment", "won", "not_interested",
        "lost"]                                # post is kept: empty here, not everywhere
    rows = funnel_table_rows(funnel)
    assert [r["stage"] for r in rows] == [s.label for s in crawl.shown_steps]
    assert list(rows[0]) == ["stage", "all sources", "crawled websites", "web forms"]
    markdown = funnel_markdown(funnel)
    assert "email" not in markdown.split("Left out")[0]
    assert "Left out: email, sms (no lead allowed in any source)." in markdown
    steps = crawl.as_dict()["steps"]           # JSON stays complete, marked instead
    assert len(steps) == len(crawl.steps)
    assert {s["stage"] for s in steps if s["empty_channel"]} == {
        f"{step}:{ch}" for step in ("eligible", "qualified", "exported") for ch in ("email", "sms")}


@pytest.mark.parametrize(("count", "base", "cell"), [
    (12345, 24690, "12,345 (50%)"), (1, 1000, "1 (<1%)"), (999, 1000, "999 (>99%)"),
    (0, 5, "0 (0%)"), (7, 7, "7 (100%)"), (0, 0, "0")])
def test_cells_have_thousands_separators_and_honest_percentages(count: int, base: int,
                                                                cell: str) -> None:
    [source] = build_funnel(_rows("all", "", {"ingested": base, "unique": base,
                                              "enriched": base, "eligible:post": count}),
                            ("post",))
    assert source.steps[3].cell == cell
    assert source.steps[0].cell == f"{base:,}"


def test_markdown_is_a_table_top_to_bottom_with_a_column_per_source() -> None:
    counts = [*_rows("all", "", {"ingested": 1200, "unique": 1500, "enriched": 1400,
                                 "eligible:phone": 700, "qualified:phone": 70,
                                 "exported:phone": 35, "contacted": 20, "reached": 10,
                                 "appointment": 6, "won": 5}),
              *_rows("purchased_list", "A|B", {"ingested": 1200, "unique": 1500,
                                               "enriched": 1400, "eligible:phone": 700})]
    markdown = funnel_markdown(build_funnel(counts, ("phone", "fax")), min_grade="B")
    lines = markdown.splitlines()
    assert lines[0] == "## Funnel (qualified = grade B or better)"
    assert lines[2] == "| stage | all sources | purchased list: A\\|B |"
    assert lines[3] == "|---|---:|---:|"
    assert lines[4] == "| records ingested | 1,200 | 1,200 |"
    assert lines[5] == "| leads (× per record) | 1,500 (×1.25) | 1,500 (×1.25) |"
    assert lines[6] == "| enriched (% of leads) | 1,400 (93%) | 1,400 (93%) |"
    assert lines[7] == "| phone: allowed (% of enriched) | 700 (50%) | 700 (50%) |"
    assert lines[9] == "| phone: exported (% of qualified) | 35 (50%) | 0 |"
    assert lines[10] == "| contacted (% of enriched) | 20 (1%) | 0 (0%) |"
    assert lines[12] == "| appointment (% of reached) | 6 (60%) | 0 |"
    assert lines[13] == "| won (% of appointment) | 5 (83%) | 0 |"
    assert "fax" not in "\n".join(lines[:16])
    assert MULTIPLIER_NOTE in lines


def test_no_counts_no_table() -> None:
    funnel: list[FunnelSource] = build_funnel([])
    assert funnel == []
    assert funnel_table_rows(funnel) == []
    assert "No records ingested yet." in funnel_markdown(funnel)
