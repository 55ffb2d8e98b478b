"""The forecast flow: expected wins and revenue of the open pipeline as a Prefect artifact
with bar charts (and the last step of the nightly run)."""

# No `from __future__ import annotations` in flow modules: Prefect builds the parameter
# schema from the annotations at run time.

from typing import Annotated, Literal

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from pydantic import Field

from foundation.settings import load_settings
from scoring.forecast import Forecast
from scoring.forecast_texts import forecast_markdown, forecast_table_rows, forecast_title
from stages.forecast import compute_forecast


def publish_forecast(result: Forecast) -> None:
    """The forecast as markdown (method, bar charts per week and group) and as a table."""
    create_markdown_artifact(key="forecast", markdown=forecast_markdown(result),
                             description=forecast_title(result))
    create_table_artifact(key="forecast-table", table=forecast_table_rows(result),
                          description=forecast_title(result))


@task(task_run_name="forecast the next {weeks} weeks")
def forecast_task(db: str | None = None, weeks: int = 8, by: str = "source") -> Forecast:
    result = compute_forecast(load_settings().with_db(db), weeks, by)
    publish_forecast(result)
    return result


@flow(name="forecast", log_prints=True)
def forecast_flow(
    weeks: Annotated[int, Field(ge=1, le=52)] = 8,
    by: Literal["source", "vendor", "segment"] = "source",
    db: str = "",
) -> Forecast:
    """Expected wins and revenue of the open qualified leads over the next weeks, with an
    interval, per source, vendor or segment (docs/forecast.md).

    Args:
        weeks: Length of the period in weeks.
        by: Break the forecast down by source kind, vendor or segment.
        db: The warehouse file; empty means ./data/leadpipe.duckdb.
    """
    result = forecast_task(db or None, weeks, by)
    total = result.total
    print(f"{total.conversions.expected:,.1f} expected wins, {total.revenue_eur.expected:,.0f} € "
          f"expected revenue in {weeks} weeks ({result.method.name})")
    return result
