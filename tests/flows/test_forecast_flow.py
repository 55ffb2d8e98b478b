"""The forecast flow, run for real: it publishes the forecast as markdown with bar charts and
as a table artifact of its flow run."""

from __future__ import annotations

from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

from flows.forecast import forecast_flow
from foundation.settings import Settings
from scoring.forecast import Forecast
from tests.stages.test_forecast_stage import build

pytestmark = pytest.mark.flow


def test_the_flow_publishes_the_forecast_with_its_chart(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADPIPE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LEADPIPE_CONFIG_DIR", str(tmp_path / "config"))
    db = tmp_path / "data" / "leadpipe.duckdb"
    build(Settings(data_dir=db.parent, db_path=db, config_dir=tmp_path / "config"))

    state = forecast_flow(weeks=4, by="vendor", db=str(db), return_state=True)
    result = state.result()
    assert isinstance(result, Forecast)
    assert (result.weeks, result.by) == (4, "vendor")
    with get_client(sync_client=True) as client:
        artifacts = {a.key: a for a in client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id])))}
    assert set(artifacts) == {"forecast", "forecast-table"}
    markdown = str(artifacts["forecast"].data)
    assert "Method: **base_rates**" in markdown
    assert "█" in markdown
    assert "| Nord |" in markdown
    table = artifacts["forecast-table"].data
    assert "Nord" in str(table)
