"""Serve the flows from one long-running process: schedules fire without a work pool.

    prefect server start                                  # in one terminal (has the scheduler)
    PREFECT_API_URL=http://127.0.0.1:4200/api python -m flows.serve

`nightly` runs at 02:00 Europe/Berlin; the ingest flows run when triggered from the UI
("Run → Custom run") or `prefect deployment run 'ingest-purchased-list/serve' --param …`.
"""

from __future__ import annotations

from prefect import serve
from prefect.schedules import Cron

from flows.crawl import crawl_companies
from flows.export import export_leads_flow
from flows.ingest import ingest_purchased_list, ingest_web_forms
from flows.nightly import nightly

NIGHTLY_CRON = Cron("0 2 * * *", timezone="Europe/Berlin")


def main() -> None:
    deployments = [
        nightly.to_deployment(name="serve", schedule=NIGHTLY_CRON,
                              parameters={"inbox": "data/inbox"}),
        ingest_purchased_list.to_deployment(name="serve"),
        ingest_web_forms.to_deployment(name="serve"),
        crawl_companies.to_deployment(name="serve"),
        export_leads_flow.to_deployment(name="serve"),
    ]
    serve(*deployments)  # type: ignore[arg-type]  # sync context: never a coroutine


if __name__ == "__main__":
    main()
