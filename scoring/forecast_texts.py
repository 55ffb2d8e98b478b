"""The forecast in markdown with bar charts, and as table rows: the Prefect artifacts.

Pure, like `scoring.funnel`'s renderers, so the text can be tested without a Prefect server.
Bars are block characters in a table cell: they show in the Prefect UI, in an e-mail and in
a terminal alike, where an image would not.
"""

from __future__ import annotations

from collections.abc import Sequence

from scoring.forecast import Forecast, GroupForecast, Range

BAR_WIDTH = 24


def bar(value: float, largest: float, width: int = BAR_WIDTH) -> str:
    """A bar of block characters, `width` long for the largest value, eighths in between."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = round(8 * width * value / largest)
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]


def _count(r: Range) -> str:
    return f"{r.expected:,.1f} ({r.low:,.0f}–{r.high:,.0f})"


def _euro(r: Range) -> str:
    return f"{r.expected:,.0f} € ({r.low:,.0f}–{r.high:,.0f})"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def forecast_title(f: Forecast) -> str:
    return f"Forecast: the {f.weeks} weeks after {f.as_of}"


def forecast_table_rows(f: Forecast) -> list[dict[str, str]]:
    """A row per group and the total: the Prefect table artifact."""
    share = f"{f.interval:.0%}"
    return [{f.by: g.key, "leads": f"{g.leads:,}",
             "expected wins": f"{g.conversions.expected:,.1f}",
             f"wins {share} interval": f"{g.conversions.low:,.0f}–{g.conversions.high:,.0f}",
             "expected revenue €": f"{g.revenue_eur.expected:,.0f}",
             f"revenue {share} interval €":
                 f"{g.revenue_eur.low:,.0f}–{g.revenue_eur.high:,.0f}"}
            for g in (*f.groups, f.total)]


def _group_lines(by: str, groups: Sequence[GroupForecast], share: str) -> list[str]:
    largest = max((g.revenue_eur.expected for g in groups), default=0.0)
    lines = [f"| {by} | leads | wins ({share}) | revenue ({share}) | |", "|---|---:|---:|---:|---|"]
    lines += [f"| {_cell(g.key)} | {g.leads:,} | {_count(g.conversions)} | {_euro(g.revenue_eur)} "
              f"| {bar(g.revenue_eur.expected, largest)} |" for g in groups]
    return lines


def forecast_markdown(f: Forecast) -> str:
    """Method first (which and why), the total, then bar charts per week and per group."""
    share = f"{f.interval:.0%}"
    lines = [f"## {forecast_title(f)}", "",
             f"**{f.total.conversions.expected:,.1f} expected wins ({share} interval "
             f"{f.total.conversions.low:,.0f}–{f.total.conversions.high:,.0f}), "
             f"{f.total.revenue_eur.expected:,.0f} € expected revenue ({share} interval "
             f"{f.total.revenue_eur.low:,.0f}–{f.total.revenue_eur.high:,.0f} €)** from "
             f"{f.leads:,} open qualified leads.", "",
             f"Method: **{f.method.name}**: {_cell(f.method.reason)}.", "",
             "### Per week (expected revenue)", "",
             f"| week | starts | wins ({share}) | revenue ({share}) | |",
             "|---:|---|---:|---:|---|"]
    largest = max((w.revenue_eur.expected for w in f.by_week), default=0.0)
    lines += [f"| {w.week} | {w.starts} | {_count(w.conversions)} | {_euro(w.revenue_eur)} | "
              f"{bar(w.revenue_eur.expected, largest)} |" for w in f.by_week]
    lines += ["", f"### Per {f.by}", "", *_group_lines(f.by, f.groups, share), "",
              "### Deal value per segment", "",
              "| segment | won deals | average € | spread € | from |", "|---|---:|---:|---:|---|"]
    lines += [f"| {_cell(v.segment)} | {v.won_deals:,} | {v.mean_eur:,.0f} | {v.spread_eur:,.0f} "
              f"| {v.basis} |" for v in f.deal_values]
    lines += ["", *(f"- {_cell(n)}" for n in f.notes[1:])]
    return "\n".join(lines) + "\n"
