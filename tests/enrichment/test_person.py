"""People: salutations, titles, name order and casing, roles and seniority."""

from __future__ import annotations

import pytest

from enrichment.person import enrich_person, enrich_person_line, proper_case


@pytest.mark.parametrize(
    ("value", "salutation", "title", "first", "last"),
    [
        ("Dr. Anna Schmidt", None, "Dr.", "Anna", "Schmidt"),
        ("SCHMIDT, ANNA", None, None, "Anna", "Schmidt"),
        ("Schmidt, Dr. Anna", None, "Dr.", "Anna", "Schmidt"),
        ("Herr Prof. Dr. Max VON DER HEIDE", "Herr", "Prof. Dr.", "Max", "von der Heide"),
        ("FRAU DIPL.-ING. ANNA-LENA MÜLLER-LÜDENSCHEIDT", "Frau", "Dipl.-Ing.", "Anna-Lena",
         "Müller-Lüdenscheidt"),
        ("Hr. Dr.-Ing. Jan de Vries", "Herr", "Dr.-Ing.", "Jan", "de Vries"),
        ("Frau Prof. Dr. Dr. h.c. Eva Maria Graf", "Frau", "Prof. Dr. Dr. h.c.", "Eva Maria",
         "Graf"),
        ("max mustermann", None, None, "Max", "Mustermann"),
        ("Sean O'NEIL", None, None, "Sean", "O'Neil"),
        ("Divers Kim Berger", None, None, "Kim", "Berger"),  # divers: no gendered salutation
        ("Müller", None, None, None, "Müller"),
    ],
)
def test_names(value: str, salutation: str | None, title: str | None, first: str | None,
               last: str) -> None:
    result = enrich_person_line(value)
    assert (result.salutation, result.title, result.first_name, result.last_name) == \
        (salutation, title, first, last)


@pytest.mark.parametrize(
    ("position", "role", "seniority", "decision_maker", "salutation"),
    [
        ("Geschäftsführer", "Geschäftsführung", "executive", True, None),
        ("Geschäftsführerin", "Geschäftsführung", "executive", True, "Frau"),
        ("CEO", "Geschäftsführung", "executive", True, None),
        ("Managing Director", "Geschäftsführung", "executive", True, None),
        ("Inhaberin", "Inhaber", "owner", True, "Frau"),
        ("Founder & CEO", "Inhaber", "owner", True, None),
        ("Gesellschafter-Geschäftsführer", "Inhaber", "owner", True, None),
        ("Vorstand", "Vorstand", "executive", True, None),
        ("Vorstandsvorsitzender", "Vorstand", "executive", True, None),
        ("CTO", "IT", "executive", True, None),
        ("CFO", "Finanzen", "executive", True, None),
        ("Prokurist", "Prokura", "head", True, None),
        ("Leiterin Einkauf", "Einkauf", "head", True, "Frau"),
        ("Leiter/in Einkauf", "Einkauf", "head", True, None),
        ("Einkaufsleiter", "Einkauf", "head", True, None),
        ("Head of Sales", "Vertrieb", "head", True, None),
        ("Vertriebsleitung", "Vertrieb", "head", True, None),
        ("Director Marketing", "Marketing", "head", True, None),
        ("Leiter IT", "IT", "head", True, None),
        ("Personalleiterin", "Personal", "head", True, "Frau"),
        ("Teamleiterin Vertrieb", "Vertrieb", "manager", False, "Frau"),
        ("Team Lead Marketing", "Marketing", "manager", False, None),
        ("Sales Manager", "Vertrieb", "manager", False, None),
        ("Assistentin der Geschäftsführung", "Geschäftsführung", "staff", False, "Frau"),
        ("Sachbearbeiter Buchhaltung", "Finanzen", "staff", False, None),
        ("Trainee", None, "staff", False, None),
        ("Einkäufer", "Einkauf", "staff", False, None),
    ],
)
def test_roles(position: str, role: str | None, seniority: str, decision_maker: bool,
               salutation: str | None) -> None:
    result = enrich_person("Kim Berger", position=position)
    assert (result.role, result.seniority, result.decision_maker, result.salutation) == \
        (role, seniority, decision_maker, salutation)


def test_unknown_position_is_not_a_decision_maker() -> None:
    result = enrich_person("Kim Berger", position="Gärtner")
    assert result.seniority is None
    assert result.decision_maker is False
    assert "position_not_recognised" in result.reasons


def test_separate_fields_win_and_are_cased() -> None:
    result = enrich_person(first_name="ANNA", last_name="VON MÜLLER", salutation="frau",
                           title="dr.")
    assert (result.salutation, result.title, result.first_name, result.last_name) == \
        ("Frau", "Dr.", "Anna", "von Müller")


def test_written_salutation_beats_implied() -> None:
    result = enrich_person("Herr Kim Berger", position="Geschäftsführerin")
    assert result.salutation == "Herr"


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({}, "missing"),
        ({"full_name": ""}, "empty"),
        ({"full_name": "  ", "position": ""}, "empty"),
    ],
)
def test_empty_vs_missing(kwargs: dict[str, str], reason: str) -> None:
    assert enrich_person(**kwargs).reasons == [reason]


def test_emoji_and_digits_are_reasons() -> None:
    result = enrich_person_line("ANNA 😀 SCHMIDT2 | CEO 🚀")
    assert result.first_name == "Anna"
    assert result.last_name == "Schmidt2"
    assert "emoji_removed" in result.reasons
    assert "digits_in_name" in result.reasons
    assert result.role == "Geschäftsführung"


def test_proper_case_leaves_mixed_case_alone() -> None:
    assert proper_case("McAllister") == "McAllister"
    assert proper_case("VAN DER BERG") == "van der Berg"


@pytest.mark.parametrize(
    ("salutation", "expected", "title"),
    [("m", "Herr", None), ("w", "Frau", None), ("f", "Frau", None), ("M", "Herr", None),
     ("W", "Frau", None), ("d", None, None), ("männlich", "Herr", None),
     ("weiblich", "Frau", None), ("divers", None, None), ("Herr", "Herr", None),
     ("Frau", "Frau", None), ("Hr.", "Herr", None), ("Fr.", "Frau", None), ("Mr", "Herr", None),
     ("Mrs.", "Frau", None), ("Ms", "Frau", None), ("Herrn", "Herr", None),
     ("Frau Dr.", "Frau", "Dr."), ("Herrn Prof. Dr.", "Herr", "Prof. Dr."),
     ("HERR DR. MED.", "Herr", "Dr. med."), ("#NV", None, None), ("0", None, None)],
)
def test_salutation_cells(salutation: str, expected: str | None, title: str | None) -> None:
    result = enrich_person(first_name="Kim", last_name="Berger", salutation=salutation)
    assert (result.salutation, result.title) == (expected, title)
    assert not any(r.startswith("salutation_unknown") for r in result.reasons)


def test_divers_is_known_and_not_overridden_by_a_feminine_job_title() -> None:
    result = enrich_person(last_name="Berger", salutation="d", position="Leiterin Einkauf")
    assert result.salutation is None
    assert "salutation_neutral" in result.reasons


def test_an_initial_in_a_name_is_not_a_salutation() -> None:
    result = enrich_person("W. Schmidt")
    assert result.salutation is None
    assert result.last_name == "Schmidt"


def test_unknown_salutation_is_named() -> None:
    result = enrich_person(last_name="Berger", salutation="Herr/Frau")
    assert result.salutation is None
    assert "salutation_unknown: Herr/Frau" in result.reasons
