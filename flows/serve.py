"""Serve the flows from one long-running process: schedules fire without a work pool.

    prefect server start                                  # in one terminal (has the scheduler)
    PREFECT_API_URL=http://127.0.0.1:4200/api python -m flows.serve

`nightly/serve` runs at 02:00 Europe/Berlin; the other flows run when started from the UI
("Run → Custom run") or `prefect deployment run 'ingest-purchased-list/serve' --param …`.
This is one of two setups (docs/operations.md): it refuses to start while the `prefect.yaml`
deployments already schedule the nightly run, so the run never happens twice a night.
"""

import sys

from prefect import serve
from prefect.deployments.runner import EntrypointType

from flows.crawl import crawl_companies
from flows.export import export_leads_flow
from flows.forecast import forecast_flow
from flows.ingest import ingest_purchased_list, ingest_web_forms
from flows.nightly import nightly
from flows.notify import notify_operator
from flows.schedules import NIGHTLY_CRON, SERVE_NAME, active_nightly_schedules

MODULE = EntrypointType.MODULE_PATH
"""Runs load `flows.nightly:nightly` as a module, never `flows/nightly.py` as a script: a script
is imported under its file name and would shadow a package of the same name."""


def main() -> int:
    others = [name for name in active_nightly_schedules() if name != f"nightly/{SERVE_NAME}"]
    if others:
        print(f"flows.serve: the nightly run is already scheduled by {', '.join(others)} (the "
              "prefect.yaml deployments with a worker). Use one setup: keep the worker, or "
              f"remove that deployment first (`prefect deployment delete {others[0]}`) and "
              "start flows.serve again.", file=sys.stderr)
        return 2
    deployments = [
        nightly.to_deployment(name=SERVE_NAME, schedule=NIGHTLY_CRON, entrypoint_type=MODULE,
                              parameters={"inbox": "data/inbox"}),
        *(f.to_deployment(name=SERVE_NAME, entrypoint_type=MODULE)
          for f in (ingest_purchased_list, ingest_web_forms, crawl_companies,
                    export_leads_flow, forecast_flow, notify_operator)),
    ]
    serve(*deployments)  # type: ignore[arg-type]  # sync context: never a coroutine
    return 0


if __name__ == "__main__":
    sys.exit(main())
