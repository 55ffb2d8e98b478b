"""The funnel stage: counts from the warehouse, rates from `scoring.funnel`, and a chart."""

from __future__ import annotations

import html
import io
import math
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from foundation.settings import Settings
from foundation.vocabulary import GRADES
from scoring.funnel import (
    OUTCOME_STAGES,
    FunnelSource,
    build_funnel,
    funnel_notes,
    funnel_table_rows,
    funnel_title,
)
from warehouse.db import open_warehouse
from warehouse.marts import funnel_counts

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PANELS_PER_ROW = 3
OUTCOME_STEPS = frozenset(stage for stage, _ in OUTCOME_STAGES)
_COLOURS = {"": "#9db4cc", "email": "#f2b880", "phone": "#b7d7a8", "post": "#c9b3e0",
            "sms": "#f4a6a6", "fax": "#d9c8a0", "outcome": "#8fd0c4"}
"""Bar colour per group of stages: the common part, each channel, the sales outcome."""


def compute_funnel(settings: Settings, min_grade: str = "B") -> list[FunnelSource]:
    """The funnel per source kind and vendor (`all` first); qualified means grade ≥ min_grade."""
    with open_warehouse(settings, write=False) as wh:
        counts = funnel_counts(wh, GRADES[:GRADES.index(min_grade) + 1])
    return build_funnel(counts)


def _group(stage: str) -> str:
    """'' for records → leads → enriched, the channel, or 'outcome' for the sales steps."""
    return "outcome" if stage in OUTCOME_STEPS else stage.partition(":")[2]


def _figure(funnel: Sequence[FunnelSource], title: str) -> Figure:
    """One centred funnel per source (all sources first), stages top to bottom, a gap
    between the common stages, each channel and the outcome; each bar says its count and
    rate, and its width is its share of the source's widest stage."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = funnel[0].shown_steps if funnel else ()
    ys: list[float] = []
    for i, step in enumerate(steps):
        gap = 0.6 if i and _group(step.stage) != _group(steps[i - 1].stage) else 0.0
        ys.append(ys[-1] + 1 + gap if ys else 0.0)
    rows = max(math.ceil(len(funnel) / PANELS_PER_ROW), 1)
    cols = max(math.ceil(len(funnel) / rows), 1)
    width = 2.8 + 3.1 * cols
    notes = [textwrap.fill(n, int(width * 15)) for n in funnel_notes(funnel)]
    notes_height = 0.16 * sum(n.count("\n") + 1 for n in notes) + 0.2
    panel_height = 0.34 * (ys[-1] + 1 if ys else 1) + 0.7
    fig, axes = plt.subplots(rows, cols, squeeze=False, sharey=True,
                             figsize=(width, rows * panel_height + notes_height + 0.7))
    for ax, source in zip(axes.flat, funnel, strict=False):
        shown = source.shown_steps
        widest = max((s.count for s in shown), default=0) or 1
        for y, step in zip(ys, shown, strict=True):
            share = step.count / widest
            ax.barh(y, share, left=-share / 2, height=0.8, color=_COLOURS[_group(step.stage)])
            ax.text(0, y, step.cell, ha="center", va="center", fontsize=9, color="#1a1a1a")
        ax.set_title(source.title, fontsize=11, fontweight="bold")
        ax.set_xlim(-0.5, 0.5)
        ax.set_xticks([])
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", length=0)
    for ax in axes.flat[len(funnel):]:
        ax.set_visible(False)
    for row in axes:
        row[0].set_yticks(ys, [s.label for s in steps], fontsize=9)
        row[0].set_ylim((ys[-1] if ys else 0) + 0.7, -0.7)   # first stage at the top
    if not funnel:
        fig.text(0.5, 0.5, "No records ingested yet.", ha="center", fontsize=11)
    fig.suptitle(title, fontsize=13, fontweight="bold")
    fig.text(0.01, 0.01, "\n".join(notes), fontsize=8, va="bottom", color="#444444")
    height = fig.get_figheight()
    fig.tight_layout(rect=(0, notes_height / height, 1, 1 - 0.45 / height))
    return fig


def write_chart(funnel: Sequence[FunnelSource], path: Path, min_grade: str | None = None
                ) -> Path:
    """The funnel chart as PNG, SVG, or an HTML page with the SVG, the table and its notes."""
    import matplotlib.pyplot as plt

    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg", ".html"):
        raise ValueError(f"chart file must end in .png, .svg or .html, got {path.name}")
    title = funnel_title(min_grade)
    fig = _figure(funnel, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".html":
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        svg = buf.getvalue()
        path.write_text(_page(funnel, title, svg[svg.index("<svg"):]), encoding="utf-8")
    else:
        fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


_CSS = ("body{font-family:sans-serif;margin:1.5em}svg{max-width:100%;height:auto}"
        "table{border-collapse:collapse;margin-top:1em}"
        "th,td{border:1px solid #ccc;padding:.3em .6em}td+td,th+th{text-align:right}"
        "td{white-space:nowrap}p{color:#444;max-width:60em}")


def _page(funnel: Sequence[FunnelSource], title: str, svg: str) -> str:
    """The HTML page: the chart, then the same table and notes as the terminal."""
    rows = funnel_table_rows(funnel)
    head = "".join(f"<th>{html.escape(k)}</th>" for k in rows[0]) if rows else ""
    body = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row.values())
                   + "</tr>" for row in rows)
    notes = "".join(f"<p>{html.escape(n)}</p>" for n in funnel_notes(funnel))
    return (f"<!doctype html><html lang='en'><meta charset='utf-8'>"
            f"<title>leadpipe {html.escape(title)}</title><style>{_CSS}</style>"
            f"<h1>{html.escape(title)}</h1>{svg}<table><tr>{head}</tr>{body}</table>{notes}"
            "</html>\n")
