"""The one nightly schedule: 02:00 Europe/Berlin, owned by one setup at a time.

docs/operations.md offers two setups, `prefect.yaml` deployments with a worker and
`python -m flows.serve`. Both schedule the nightly run; running both would run it twice a
night. `flows.serve` therefore refuses to start while another nightly deployment is
scheduled, and every nightly run says so in its summary if two schedules are active.
"""

from prefect import get_client
from prefect.client.schemas.filters import FlowFilter, FlowFilterName
from prefect.schedules import Cron

NIGHTLY_CRON = Cron("0 2 * * *", timezone="Europe/Berlin")
SERVE_NAME = "serve"


def active_nightly_schedules() -> list[str]:
    """`nightly/<deployment>` of every nightly deployment whose schedule would fire."""
    with get_client(sync_client=True) as client:
        deployments = client.read_deployments(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["nightly"])))
    return sorted(f"nightly/{d.name}" for d in deployments
                  if not d.paused and any(s.active for s in d.schedules))


def twice_scheduled_note(active: list[str]) -> str | None:
    """The warning for a summary when more than one nightly schedule is active."""
    if len(active) < 2:
        return None
    return (f"The nightly run is scheduled {len(active)} times ({', '.join(active)}): use one "
            "setup (docs/operations.md). Remove the other, e.g. `prefect deployment delete "
            f"{active[-1]}`, or stop `python -m flows.serve`.")
