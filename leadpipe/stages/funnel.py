"""The funnel stage: counts from the warehouse, rates from `scoring.funnel`, and a chart."""

from __future__ import annotations

import html
import io
from pathlib import Path

from leadpipe.settings import Settings
from scoring.funnel import FunnelSource, build_funnel
from warehouse.db import open_warehouse
from warehouse.marts import funnel_counts

GRADES = ("A", "B", "C", "D")


def compute_funnel(settings: Settings, min_grade: str = "B") -> list[FunnelSource]:
    """The funnel per source kind and vendor (`all` first); qualified means grade ≥ min_grade."""
    with open_warehouse(settings, write=False) as wh:
        counts = funnel_counts(wh, GRADES[:GRADES.index(min_grade) + 1])
    return build_funnel(counts)


def _figure(funnel: list[FunnelSource]) -> object:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stages = [s.stage for s in funnel[0].steps] if funnel else []
    fig, ax = plt.subplots(figsize=(10, 0.35 * len(stages) + 2))
    height = 0.8 / max(len(funnel), 1)
    for i, source in enumerate(funnel):
        ax.barh([y + i * height for y in range(len(stages))],
                [s.count for s in source.steps], height=height, label=source.label)
    ax.set_yticks([y + 0.4 - height / 2 for y in range(len(stages))], stages)
    ax.invert_yaxis()
    ax.set_xlabel("records (ingested) / leads (later stages)")
    ax.set_title("leadpipe funnel per source")
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def write_chart(funnel: list[FunnelSource], path: Path) -> Path:
    """A bar chart per stage and source: PNG, SVG, or an HTML page with the SVG and a table."""
    import matplotlib.pyplot as plt

    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg", ".html"):
        raise ValueError(f"chart file must end in .png, .svg or .html, got {path.name}")
    fig = _figure(funnel)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".html":
        buf = io.StringIO()
        fig.savefig(buf, format="svg")  # type: ignore[attr-defined]
        head = "".join(f"<th>{html.escape(s.label)}</th>" for s in funnel)
        body = "".join(
            "<tr><td>" + html.escape(step.stage) + "</td>"
            + "".join(f"<td>{src.steps[i].count}</td>" for src in funnel) + "</tr>"
            for i, step in enumerate(funnel[0].steps)) if funnel else ""
        path.write_text(f"<!doctype html><meta charset='utf-8'><title>leadpipe funnel</title>"
                        f"{buf.getvalue()}<table border='1'><tr><th>stage</th>{head}</tr>"
                        f"{body}</table>", encoding="utf-8")
    else:
        fig.savefig(path)  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]
    return path
