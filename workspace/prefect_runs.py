"""Starting a deployment on the Prefect server from a page, without waiting for the run.

The workspace never runs a flow itself: it asks the server (PREFECT_API_URL) for a flow run
of the deployment named in `workspace.yaml` (`prefect:`), and a worker or `flows.serve` runs
it as it would a scheduled one. Prefect is imported here only, when a button is pressed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class PrefectRefused(RuntimeError):
    """The server cannot be reached or does not know the deployment; the message is German
    and says what to do."""


@dataclass(frozen=True)
class StartedRun:
    flow_run_id: str
    name: str
    deployment: str


async def start_deployment(api_url: str, deployment: str,
                           parameters: dict[str, Any] | None = None) -> StartedRun:
    """Create a flow run of `deployment` ('flow/deployment') and return at once (timeout 0:
    the run is scheduled, the worker picks it up)."""
    import httpx
    from prefect.client.orchestration import PrefectClient
    from prefect.exceptions import ObjectNotFound

    try:
        async with PrefectClient(api_url) as client:
            found = await client.read_deployment_by_name(deployment)
            run = await client.create_flow_run_from_deployment(
                found.id, parameters=parameters or {}, tags=["workspace"])
    except ObjectNotFound as exc:
        raise PrefectRefused(
            f"Den Prefect-Ablauf „{deployment}“ kennt der Server nicht. Legen Sie ihn mit "
            "`prefect --no-prompt deploy --all` im Projektverzeichnis an, oder tragen Sie in "
            "config/workspace/workspace.yaml unter prefect: den richtigen Namen ein.") from exc
    except (httpx.HTTPError, OSError) as exc:
        raise PrefectRefused(f"Der Prefect-Server unter {api_url} ist nicht erreichbar "
                             f"({type(exc).__name__}). Läuft `prefect server start`?") from exc
    return StartedRun(str(run.id), run.name, deployment)
