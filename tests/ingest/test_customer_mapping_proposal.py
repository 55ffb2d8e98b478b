"""`ingest customers --preview` names the export it recognised, and `--write-mapping`
proposes a customer export's mapping file.

Found walking docs/customers.md: the file said `leadpipe ingest list`, `vendor:` and
`acquired_on:`, which a customer load does not take, and did not name the keys it does.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from foundation.settings import Settings
from ingest.vendor_mapping import ProposedColumn, load_vendor_mapping, proposal_yaml
from leadpipe.cli.preview import print_preview
from stages.customers import CustomerOptions, preview_customers

COLUMNS = [ProposedColumn("Kundennummer", "customer_number", "vendor, 100%"),
           ProposedColumn("Beim Kauf erhoben", "collected_in_sale", "vendor, 100%"),
           ProposedColumn("Bemerkung", None, "not mapped")]


def test_customer_proposal_names_the_customer_command_and_keys(tmp_path: Path) -> None:
    text = proposal_yaml("kunden.csv", COLUMNS, vendor=None, encoding="cp1252",
                         delimiter=";", sheet=None, customers=True)
    assert "leadpipe ingest customers --preview" in text
    assert "leadpipe ingest customers FILE --mapping THIS.yaml" in text
    assert "# crm:" in text
    assert "# collected_in_sale: true" in text
    assert "vendor:" not in text
    assert "acquired_on" not in text
    assert "ingest list" not in text
    # uncommenting the §7(3) keys gives a valid mapping file
    path = tmp_path / "kunden.yaml"
    path.write_text(text.replace("# crm: <hubspot, pipedrive, centralstation or generic>",
                                 "crm: generic")
                    .replace("# collected_in_sale: true", "collected_in_sale: true"),
                    encoding="utf-8")
    mapping = load_vendor_mapping(path)
    assert mapping.crm == "generic"
    assert mapping.collected_in_sale is True
    assert mapping.columns["Kundennummer"] == "customer_number"


def test_list_proposal_still_asks_for_vendor_and_date() -> None:
    text = proposal_yaml("liste.csv", COLUMNS[:1], vendor="IHK Export", encoding=None,
                         delimiter=None, sheet=None)
    assert 'vendor: "IHK Export"' in text
    assert "# acquired_on:" in text
    assert "leadpipe ingest list FILE --mapping THIS.yaml" in text


def test_customer_preview_names_the_recognised_export(settings: Settings) -> None:
    """The doc's `--preview` promise: which export leadpipe took the file for."""
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    preview = preview_customers(settings, fixtures / "customers" / "pipedrive_deals.csv",
                                CustomerOptions())
    assert preview.recognised == "Pipedrive deals"
    console = Console(record=True, width=120)
    print_preview(preview, console)
    assert "Recognised as: Pipedrive deals." in console.export_text()
