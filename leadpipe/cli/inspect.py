"""`leadpipe inspect email|phone|company|person|address VALUE`: what enrichment makes of a value.

How a user checks a surprising result. The JSON form is a contract users script against
(/work/shared/contracts/inspect.md): `input` and `reasons` always, the kind's keys always
(null when unknown). DNS is used only when LEADPIPE_DNS is on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.table import Table

from leadpipe.cli.common import console, plain, print_json, user_errors, wants_json

app = typer.Typer(help="Show what enrichment makes of one value (e-mail, phone, company, "
                       "person, address).", no_args_is_help=True)

ValueArg = Annotated[str, typer.Argument(help="The value to inspect.")]
CountryOption = Annotated[str, typer.Option("--country", help="Default country (ISO code or "
                                                             "name) for phones and addresses.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON (default when piped).")]


def _show(kind: str, data: dict[str, Any], as_json: bool) -> None:
    if wants_json(as_json):
        print_json(data)
        return
    table = Table(title=f"inspect {kind}", show_header=False)
    table.add_column("key", style="bold")
    table.add_column("value")
    for key, value in data.items():
        if key == "reasons":
            continue
        table.add_row(key, "—" if value is None else plain(value))
    table.add_row("reasons", plain("\n".join(data["reasons"])) or "—")
    console.print(table)


def _run(kind: str, build: Callable[[], dict[str, Any]], as_json: bool) -> None:
    with user_errors():
        _show(kind, build(), as_json)


@app.command("email")
def email(value: ValueArg, country: CountryOption = "DE", as_json: JsonFlag = False) -> None:
    """Syntax, normalised form, kind and (with LEADPIPE_DNS=1) deliverability of an address."""

    def build() -> dict[str, Any]:
        from enrichment.config import email_config
        from enrichment.dns import DomainChecker
        from enrichment.email import enrich_email
        from leadpipe.settings import load_settings

        checker = None
        if load_settings().dns_enabled:
            dns_cfg = email_config().value.dns
            checker = DomainChecker(timeout_s=dns_cfg.timeout_s, workers=1,
                                    ttl_s=dns_cfg.cache_ttl_s)
        return enrich_email(value, dns=checker).as_dict()

    _run("email", build, as_json)


@app.command("phone")
def phone(value: ValueArg, country: CountryOption = "DE", as_json: JsonFlag = False) -> None:
    """E.164, validity, type, region and extension of a phone number."""
    from enrichment.address import country_code
    from enrichment.phone import enrich_phone

    region = country_code(country) or country.upper()
    _run("phone", lambda: enrich_phone(value, region).as_dict(), as_json)


@app.command("company")
def company(value: ValueArg, country: CountryOption = "DE", as_json: JsonFlag = False) -> None:
    """Name, legal form, match name, register court and number, VAT ID."""
    from enrichment.company import enrich_company

    _run("company", lambda: enrich_company(value).as_dict(), as_json)


@app.command("person")
def person(value: ValueArg, country: CountryOption = "DE", as_json: JsonFlag = False) -> None:
    """Salutation, title, names, role, seniority: VALUE is 'Name | Job title' (title optional)."""
    from enrichment.person import enrich_person_line

    _run("person", lambda: enrich_person_line(value).as_dict(), as_json)


@app.command("address")
def address(value: ValueArg, country: CountryOption = "DE", as_json: JsonFlag = False) -> None:
    """Street, house number, postcode, city and country of a street or a whole address line."""
    from enrichment.address import enrich_address

    _run("address", lambda: enrich_address(value, default_country=country).as_dict(), as_json)
