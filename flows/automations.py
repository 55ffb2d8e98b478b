"""The Prefect automation that tells the operator when a nightly run dies.

    PREFECT_API_URL=http://127.0.0.1:4200/api python -m flows.automations

A nightly run that fails mails its own summary (`notify.yaml`); a run whose process was
killed (out of memory, a reboot) ends Crashed and can say nothing. This automation watches
for that — nightly runs ending Crashed — and starts the `notify-operator`
deployment, which mails through the same SMTP settings. Running the module again replaces
the automation (after a re-deploy, say), so there is always exactly one.
"""

import sys
from datetime import timedelta

from prefect import get_client
from prefect.automations import EventTrigger, Posture, ResourceSpecification, RunDeployment
from prefect.client.schemas.filters import FlowFilter, FlowFilterName
from prefect.events.schemas.automations import AutomationCore

NAME = "leadpipe: nightly needs attention"
WATCHED = {"prefect.flow-run.Crashed"}
"""A Failed nightly mails its summary itself (flows.notify); only a crash cannot."""


def nightly_watch(notify_deployment_id: str) -> AutomationCore:
    """Reactive, once per event: a nightly run that crashed starts notify-operator."""
    return AutomationCore(
        name=NAME,
        description="A nightly run ended Crashed: mail the operator "
                    "(flows.notify:notify_operator).",
        trigger=EventTrigger(
            expect=WATCHED,
            match_related=ResourceSpecification({"prefect.resource.role": "flow",
                                                 "prefect.resource.name": "nightly"}),
            posture=Posture.Reactive, threshold=1, within=timedelta(0)),
        actions=[RunDeployment(
            source="selected", deployment_id=notify_deployment_id,  # type: ignore[arg-type]
            job_variables=None, parameters={"flow_run_id": {"template": "{{ flow_run.id }}",
                                        "__prefect_kind": "jinja"}})],
    )


def install() -> str:
    """Create the automation (replacing an earlier one); its notify-operator deployment."""
    with get_client(sync_client=True) as client:
        deployments = client.read_deployments(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["notify-operator"])))
        if not deployments:
            raise LookupError("no notify-operator deployment: run `prefect --no-prompt deploy "
                              "--all` or start `python -m flows.serve` first")
        for earlier in client.read_automations_by_name(NAME):
            client.delete_automation(earlier.id)
        client.create_automation(nightly_watch(str(deployments[0].id)))
    return f"notify-operator/{deployments[0].name}"


def main() -> int:
    try:
        target = install()
    except LookupError as exc:
        print(f"flows.automations: {exc}", file=sys.stderr)
        return 2
    print(f"Automation {NAME!r}: a nightly run that crashes starts {target}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
