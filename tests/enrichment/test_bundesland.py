"""The Bundesland of a German postcode, from regions and border ranges kept as data."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from enrichment.bundesland import bundesland_config, bundesland_for, postcode_ranges
from foundation.config import ConfigError


@pytest.mark.parametrize(("postcode", "land"), [
    ("80331", "Bayern"), ("10115", "Berlin"), ("14195", "Berlin"), ("14467", "Brandenburg"),
    ("12529", "Brandenburg"), ("01067", "Sachsen"), ("01968", "Brandenburg"),
    ("04600", "Thüringen"), ("20095", "Hamburg"), ("21073", "Hamburg"),
    ("21465", "Schleswig-Holstein"), ("22844", "Schleswig-Holstein"), ("28195", "Bremen"),
    ("27570", "Bremen"), ("27472", "Niedersachsen"), ("23966", "Mecklenburg-Vorpommern"),
    ("53474", "Rheinland-Pfalz"), ("53111", "Nordrhein-Westfalen"), ("63739", "Bayern"),
    ("60311", "Hessen"), ("66111", "Saarland"), ("66482", "Rheinland-Pfalz"),
    ("68519", "Hessen"), ("68159", "Baden-Württemberg"), ("76829", "Rheinland-Pfalz"),
    ("88131", "Bayern"), ("89073", "Baden-Württemberg"), ("89231", "Bayern"),
    ("96515", "Thüringen"), ("97980", "Baden-Württemberg"), ("99084", "Thüringen"),
    ("39104", "Sachsen-Anhalt"), ("24103", "Schleswig-Holstein"), ("30159", "Niedersachsen"),
    (" 70173 ", "Baden-Württemberg"),
])
def test_postcodes_find_their_land(postcode: str, land: str) -> None:
    assert bundesland_for(postcode) == land


@pytest.mark.parametrize("postcode", [None, "", "1010", "8033", "803311", "8033a", "00123",
                                      "05123", "62000"])
def test_no_land_for_what_is_no_mapped_german_postcode(postcode: str | None) -> None:
    assert bundesland_for(postcode) is None


def test_the_ranges_are_sorted_and_do_not_overlap() -> None:
    ranges = postcode_ranges(bundesland_config().value)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))
    assert {r[2] for r in ranges} == set(bundesland_config().value.lands.values())
    assert len({r[2] for r in ranges}) == 16


def test_an_override_replaces_the_ranges_and_a_bad_one_names_its_key(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    (cfg / "enrichment").mkdir(parents=True)
    (cfg / "enrichment" / "bundeslaender.yaml").write_text(
        'exceptions:\n  - ["80331", "80331", HE]\n', encoding="utf-8")
    assert bundesland_for("80331", cfg) == "Hessen"
    assert bundesland_for("80333", cfg) == "Bayern"
    assert bundesland_for("27570", cfg) == "Niedersachsen"  # a list replaces the list
    bad = tmp_path / "bad"
    (bad / "enrichment").mkdir(parents=True)
    (bad / "enrichment" / "bundeslaender.yaml").write_text(
        'exceptions:\n  - ["8033", "80331", XX]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="exceptions"):
        bundesland_config(bad)
