"""`leadpipe campaign add|list|show`: the campaigns §7(3) UWG e-mail is decided for.

A campaign is a YAML file in the configuration directory (`config/campaigns/<name>.yaml`);
these commands write and read it, and `leadpipe leads export --campaign NAME` uses it
(docs/customers.md, "Kampagnen und § 7 Abs. 3 UWG").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.table import Table

from leadpipe.cli.common import console, parse_day, plain, print_json, user_errors, wants_json

if TYPE_CHECKING:
    from compliance.campaigns import LoadedCampaign

app = typer.Typer(help="Campaigns: what a mailing advertises, for §7(3) UWG.",
                  no_args_is_help=True)


def _as_dict(loaded: LoadedCampaign) -> dict[str, object]:
    return {**loaded.campaign.document(), "version": loaded.campaign.version,
            "path": str(loaded.path)}


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The campaign's name, e.g. toner-fruehjahr "
                                             "(lower-case letters, digits, - and _).")],
    product_category: Annotated[str, typer.Option(
        help="The product category the mail advertises, as in the customer export.")],
    channel: Annotated[Literal["email", "sms"], typer.Option(
        help="email; sms is possible, but §7(3) for SMS always goes to review.")] = "email",
    similar: Annotated[list[str] | None, typer.Option(
        help="A category of earlier purchases that counts as similar (repeat the option). "
             "Read narrowly: accessories, consumables, the same typical use.")] = None,
    starts: Annotated[str | None, typer.Option(
        help="First day of the campaign (default today).")] = None,
    ends: Annotated[str | None, typer.Option(help="Last day of the campaign.")] = None,
    no_objection_notice: Annotated[bool, typer.Option(
        "--no-objection-notice", help="The mail template lacks the §7(3) notice that the "
                                      "customer may object at any time: then no customer is "
                                      "mailed under §7(3).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing campaign.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the campaign as JSON.")] = False,
) -> None:
    """Write config/campaigns/NAME.yaml."""
    from datetime import date

    from compliance.campaigns import LoadedCampaign, new_campaign, write_campaign
    from foundation.settings import load_settings

    first = parse_day(starts, "--starts") if starts else date.today()
    last = parse_day(ends, "--ends") if ends else None
    with user_errors():
        campaign = new_campaign({
            "name": name, "channel": channel, "product_category": product_category,
            "similar_categories": similar or [], "starts": first, "ends": last,
            "message_includes_objection_notice": not no_objection_notice})
        path = write_campaign(load_settings().config_dir, campaign, force=force)
    if wants_json(as_json):
        print_json(_as_dict(LoadedCampaign(campaign, path)))
        return
    console.print(f"Wrote {plain(path)}. Export with: leadpipe leads export --channel "
                  f"{channel} --campaign {plain(name)} --out {plain(name)}.csv")


@app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="Print the campaigns as JSON.")] = False,
) -> None:
    """The campaigns in the configuration directory."""
    from compliance.campaigns import campaigns_dir, list_campaigns
    from foundation.settings import load_settings

    config_dir = load_settings().config_dir
    with user_errors():
        found = list_campaigns(config_dir)
    if wants_json(as_json):
        print_json([_as_dict(c) for c in found])
        return
    if not found:
        console.print(f"No campaigns in {plain(campaigns_dir(config_dir))}; add one with "
                      "`leadpipe campaign add NAME --product-category CATEGORY`.")
        return
    table = Table()
    for column in ("name", "channel", "product category", "similar", "starts", "ends",
                   "§7(3) notice"):
        table.add_column(column)
    for loaded in found:
        c = loaded.campaign
        table.add_row(plain(c.name), c.channel, plain(c.product_category),
                      plain(", ".join(c.similar_categories)) or "—", str(c.starts),
                      str(c.ends or "—"), "yes" if c.message_includes_objection_notice else "no")
    console.print(table)


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="The campaign's name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the campaign as JSON.")] = False,
) -> None:
    """One campaign, as its file says."""
    from compliance.campaigns import load_campaign
    from foundation.settings import load_settings

    with user_errors():
        loaded = load_campaign(load_settings().config_dir, name)
    if wants_json(as_json):
        print_json(_as_dict(loaded))
        return
    for key, value in _as_dict(loaded).items():
        shown = ", ".join(value) if isinstance(value, list) else value
        console.print(f"{key}: {plain(shown)}", highlight=False)
