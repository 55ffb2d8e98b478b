"""`leadpipe inspect email|phone|company|person|address VALUE|--file F`: what enrichment makes of
a value, or of each line of a file (JSON lines, one process).

How a user checks a surprising result. The JSON form is a contract users script against
(/work/shared/contracts/inspect.md): `input` and `reasons` always, the kind's keys always
(null when unknown). DNS is used only when LEADPIPE_DNS is on.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from leadpipe.cli.common import (
    console,
    plain,
    print_json,
    user_errors,
    user_failure,
    wants_json,
)

app = typer.Typer(help="Show what enrichment makes of one value (e-mail, phone, company, "
                       "person, address).", no_args_is_help=True)

ValueArg = Annotated[str | None, typer.Argument(
    help="The value to inspect (or --file for many).", show_default=False)]
FileOption = Annotated[str | None, typer.Option(
    "--file", help="A text file with one value per line, or - for stdin: one JSON line per "
                   "value, in the file's order.", show_default=False)]
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


def _values(file: str) -> list[str]:
    """The lines of a values file (UTF-8, a BOM or Windows-1252 accepted) or of stdin."""
    if file == "-":
        return sys.stdin.read().splitlines()
    path = Path(file)
    if not path.is_file():
        raise user_failure(f"{file}: no such file. Give a text file with one value per line, "
                           "or - to read the values from stdin.")
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace").splitlines()


def _run(kind: str, build: Callable[[str], dict[str, Any]], value: str | None,
         file: str | None, as_json: bool) -> None:
    """One value as a table or JSON object; a file of values as JSON lines, one per line, in
    one process (the start-up is paid once, not per value)."""
    from enrichment.config import use_config_dir
    from foundation.settings import load_settings

    use_config_dir(load_settings().config_dir)
    with user_errors():
        if (value is None) == (file is None):
            raise user_failure(f"give one VALUE or --file FILE, e.g. leadpipe inspect {kind} "
                               "--file values.txt")
        if file is None:
            assert value is not None
            _show(kind, build(value), as_json)
            return
        for line in _values(file):
            sys.stdout.write(json.dumps(build(line), ensure_ascii=False) + "\n")


@app.command("email")
def email(value: ValueArg = None, file: FileOption = None, country: CountryOption = "DE",
          as_json: JsonFlag = False) -> None:
    """Syntax, normalised form, kind and (with LEADPIPE_DNS=1) deliverability of an address."""
    from enrichment.config import email_config
    from enrichment.dns import DomainChecker
    from enrichment.email import enrich_email
    from foundation.settings import load_settings

    checker = None
    if load_settings().dns_enabled:
        dns_cfg = email_config().value.dns
        checker = DomainChecker(timeout_s=dns_cfg.timeout_s, workers=1, ttl_s=dns_cfg.cache_ttl_s)
    _run("email", lambda v: enrich_email(v, dns=checker).as_dict(), value, file, as_json)


@app.command("phone")
def phone(value: ValueArg = None, file: FileOption = None, country: CountryOption = "DE",
          as_json: JsonFlag = False) -> None:
    """E.164, validity, type, region and extension of a phone number."""
    from enrichment.address import country_code
    from enrichment.phone import enrich_phone

    region = country_code(country) or country.upper()
    _run("phone", lambda v: enrich_phone(v, region).as_dict(), value, file, as_json)


@app.command("company")
def company(value: ValueArg = None, file: FileOption = None, country: CountryOption = "DE",
            as_json: JsonFlag = False) -> None:
    """Name, legal form, match name, register court and number, VAT ID."""
    from enrichment.company import enrich_company

    _run("company", lambda v: enrich_company(v).as_dict(), value, file, as_json)


@app.command("person")
def person(value: ValueArg = None, file: FileOption = None, country: CountryOption = "DE",
           as_json: JsonFlag = False) -> None:
    """Salutation, title, names, role, seniority: VALUE is 'Name | Job title' (title optional)."""
    from enrichment.person import enrich_person_line

    _run("person", lambda v: enrich_person_line(v).as_dict(), value, file, as_json)


@app.command("address")
def address(value: ValueArg = None, file: FileOption = None, country: CountryOption = "DE",
            as_json: JsonFlag = False) -> None:
    """Street, house number, postcode, city and country of a street or a whole address line."""
    from enrichment.address import enrich_address

    _run("address", lambda v: enrich_address(v, default_country=country).as_dict(), value,
         file, as_json)
