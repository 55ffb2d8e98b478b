"""Behaviour of the matching engine on small hand-made record sets."""

from __future__ import annotations

import numpy as np
import pytest

from matching import fellegi_sunter as fs
from matching.blocking import candidate_pairs
from matching.cluster import ConstraintConflict, Constraints, assign_entity_ids, cluster
from matching.columns import Columns, encode
from matching.compare import compare_levels, compare_pairs, encode_column
from matching.engine import dedupe, link, match_incremental, term_frequency_tables
from matching.explain import explain_pair
from matching.golden import golden_record
from matching.settings import (
    Blocking,
    BlockingRule,
    Comparison,
    KeyPart,
    Level,
    SortedNeighbourhood,
    load_match_settings,
)


@pytest.fixture(scope="module")
def consumer():
    return load_match_settings("consumer").value


def _person(rid, first, last, street="hauptstr", number="5", postcode="10115", phone=None,
            email=None, kind="personal_business", **extra):
    return {"record_id": rid, "first_name": first, "last_name": last, "match_street": street,
            "house_number": number, "postcode": postcode, "city": "berlin",
            "phone_e164": phone, "email_normalized": email, "email_kind": kind, **extra}


def _crowd(n=300, seed=3):
    """Distinct people with varied names and addresses: the background EM learns u/m from."""
    rng = np.random.default_rng(seed)
    firsts = ["anna", "bernd", "clara", "dieter", "eva", "frank", "gisela", "heinz", "ines",
              "jonas", "karin", "lukas", "maria", "nils", "olga", "paul"]
    lasts = [f"name{k}" for k in range(120)]
    out = []
    for k in range(n):
        out.append(_person(f"c{k:04d}", str(rng.choice(firsts)), str(rng.choice(lasts)),
                           street=f"strasse{k % 90}", number=str(k % 40 + 1),
                           postcode=f"{10000 + k % 60}", phone=f"+4930{k:07d}",
                           email=f"p{k}@mail{k % 7}.de"))
    # duplicates with small corruption so EM has matches to learn from
    for k in range(0, n, 4):
        src = dict(out[k])
        src["record_id"] = f"d{k:04d}"
        src["first_name"] = src["first_name"][:-1] + "x" if k % 8 == 0 else src["first_name"]
        src["email_normalized"] = None
        out.append(src)
    return out


# --- blocking ---------------------------------------------------------------------------

def test_blocking_finds_every_pair_sharing_a_key_and_dedupes():
    recs = [{"id": str(k), "pc": "1" if k < 3 else "2", "name": "abc" if k % 2 else "abd"}
            for k in range(5)]
    blocking = Blocking(rules=[BlockingRule(name="pc", keys=[KeyPart(column="pc")]),
                               BlockingRule(name="n", keys=[KeyPart(column="name", prefix=2)])])
    i, j, report = candidate_pairs(recs, blocking)
    pairs = set(zip(i.tolist(), j.tolist(), strict=True))
    assert pairs == {(a, b) for a in range(5) for b in range(a + 1, 5)}
    assert report.candidate_pairs == 10


def test_blocking_skips_and_reports_oversized_blocks_and_link_mode_crosses_sides():
    recs = [{"pc": "1"} for _ in range(10)] + [{"pc": "2"}, {"pc": "2"}]
    blocking = Blocking(rules=[BlockingRule(name="pc", keys=[KeyPart(column="pc")])],
                        max_block_size=5)
    i, j, report = candidate_pairs(recs, blocking)
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == {(10, 11)}
    assert report.skipped_blocks == [{"rule": "pc", "key": "1", "size": 10}]
    group = np.array([0] * 11 + [1])
    i, j, _ = candidate_pairs(recs, blocking, group=group, mode="link")
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == {(10, 11)}
    recs2 = [{"pc": "3"}] * 3
    i, j, _ = candidate_pairs(recs2, blocking, group=np.array([0, 0, 1]), mode="incremental")
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == {(0, 2), (1, 2)}


def test_a_swapped_key_pairs_records_whose_names_were_exchanged_and_nothing_else():
    recs = [{"pc": "1", "first": "gerhild", "last": "hendriks"},
            {"pc": "1", "first": "hendiks", "last": "gerhild"},   # swapped, one misspelt
            {"pc": "2", "first": "hendriks", "last": "gerhild"},  # swapped, elsewhere
            {"pc": "1", "first": "gerhild", "last": "meyer"},     # same first name only
            {"pc": "1", "first": "thomas", "last": "thomas"}]     # first = last: no self-pair
    blocking = Blocking(rules=[BlockingRule(name="swapped", keys=[
        KeyPart(column="pc"), KeyPart(column="first", swap_column="last")])])
    i, j, report = candidate_pairs(recs, blocking)
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == {(0, 1), (1, 3)}
    assert report.pairs_per_rule == {"swapped": 2}


def test_blocking_keeps_no_key_encodings_on_the_columns_and_gives_the_same_pairs_again():
    """The blocking keys' encodings are dropped when blocking is done (they held ≈ 150 MB at
    700,000 records through the rest of a run); encodings others made stay."""
    recs = [{"pc": "1" if k < 3 else "2", "n": "abc" if k % 2 else "abd"} for k in range(6)]
    blocking = Blocking(rules=[BlockingRule(name="pc", keys=[KeyPart(column="pc")])],
                        sorted_neighbourhood=[SortedNeighbourhood(name="sn", column="n",
                                                                  window=2)])
    columns = Columns(recs)
    kept = encode(columns, ["n"], str.upper)
    first = candidate_pairs(columns, blocking)
    assert list(columns.encoded) == [(("n",), str.upper)]
    assert columns.encoded[(("n",), str.upper)] is kept
    again = candidate_pairs(columns, blocking)
    assert [a.tolist() for a in first[:2]] == [a.tolist() for a in again[:2]]


def test_sorted_neighbourhood_pairs_within_window():
    recs = [{"n": v} for v in ["d", "a", "c", "b"]]
    blocking = Blocking(rules=[], sorted_neighbourhood=[
        SortedNeighbourhood(name="sn", column="n", window=2)])
    i, j, _ = candidate_pairs(recs, blocking)
    # sorted: a(1) b(3) c(2) d(0) -> neighbours (1,3) (2,3) (0,2)
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == {(1, 3), (2, 3), (0, 2)}


# --- comparison levels ------------------------------------------------------------------

@pytest.mark.parametrize(("a", "b", "expected"), [
    ("Müller", "müller", 0), ("mueller", "muller", 1), ("meier", "meyer", 2),
    ("schmidt", "wagner", 3), (None, "x", -1),
])
def test_name_levels_lower_case_then_jaro_winkler(a, b, expected):
    comp = Comparison(name="n", column="n", levels=[
        Level(kind="exact", label="exact"),
        Level(kind="jaro_winkler", threshold=0.9, label="jw90"),
        Level(kind="jaro_winkler", threshold=0.7, label="jw70"),
        Level(kind="else", label="different")])
    assert _levels(comp, a, b) == expected


@pytest.mark.parametrize(("kind", "threshold", "a", "b", "hit"), [
    ("house_number", None, "12a", "12", True), ("house_number", None, "12", "13", False),
    ("phone_suffix", 7, "+49301234567", "030 1234567", True),
    ("email_local", None, "anna@a.de", "anna@b.de", True),
    ("email_domain", None, "anna@a.de", "bob@a.de", True),
    ("levenshtein", 1, "10115", "10116", True), ("levenshtein", 1, "10115", "10226", False),
    ("token_set", 0.9, "müller bau", "bau müller", True), ("prefix", 3, "10115", "10199", True),
])
def test_special_levels(kind, threshold, a, b, hit):
    comp = Comparison(name="x", column="x", levels=[
        Level(kind=kind, threshold=threshold, label="hit"), Level(kind="else", label="no")])
    assert (_levels(comp, a, b) == 0) is hit


@pytest.mark.parametrize(("a", "b", "threshold", "expected"), [
    (("gerhild", "hendriks"), ("hendriks", "gerhild"), None, 0),
    (("gerhild", "hendriks"), ("hendiks", "gerhild"), None, 1),
    (("gerhild", "hendriks"), ("hendiks", "gerhild"), 0.9, 0),
    (("werner", "ott"), ("anna", "werner"), 0.9, 1),  # one name in common is no swap
    (("gerhild", None), ("hendiks", "gerhild"), 0.9, 1),
])
def test_a_swapped_level_with_a_threshold_also_takes_a_misspelt_swap(a, b, threshold, expected):
    comp = Comparison(name="first", column="first", swap_column="last", levels=[
        Level(kind="swapped", threshold=threshold, label="swapped"),
        Level(kind="else", label="different")])
    records = [{"first": a[0], "last": a[1]}, {"first": b[0], "last": b[1]}]
    column = encode_column(Columns(records), comp)
    assert int(compare_levels(comp, column, np.array([0]), np.array([1]))[0]) == expected


def _levels(comp, a, b):
    column = encode_column(Columns([{comp.column: a}, {comp.column: b}]), comp)
    return int(compare_levels(comp, column, np.array([0]), np.array([1]))[0])


# --- Fellegi-Sunter ---------------------------------------------------------------------

def test_em_recovers_known_m_probabilities():
    rng = np.random.default_rng(0)
    comps = [Comparison(name=f"c{k}", column=f"c{k}", levels=[
        Level(kind="exact", label="exact"), Level(kind="else", label="different")])
        for k in range(4)]
    true_m, true_u, lam, n = 0.9, 0.1, 0.3, 40_000
    is_match = rng.random(n) < lam
    p_agree = np.where(is_match, true_m, true_u)
    levels = np.stack([(rng.random(n) >= p_agree).astype(np.int8) for _ in comps], axis=1)
    u = {c.name: [true_u, 1 - true_u] for c in comps}
    params = fs.expectation_maximisation(levels, comps, u, max_iterations=200)
    assert params["lambda_candidates"] == pytest.approx(lam, abs=0.02)
    for c in comps:
        assert params["comparisons"][c.name]["m"][0] == pytest.approx(true_m, abs=0.02)


def test_term_frequency_makes_common_surname_weaker():
    comp = Comparison(name="last", column="last", term_frequency=True, levels=[
        Level(kind="exact", label="exact"), Level(kind="else", label="different")])
    params = {"lambda": 0.01, "comparisons": {"last": {"m": [0.9, 0.1], "u": [0.01, 0.99]}}}
    names = ["müller"] * 500 + ["schmidt"] * 300 + [f"rare{k}" for k in range(200)]
    column = encode_column(Columns([{"last": v} for v in names]), comp)
    share = fs.term_frequencies(column.codes, column.values)
    levels = np.array([[0], [0]], dtype=np.int8)
    left_codes = column.codes[[0, names.index("rare3")]]
    weights = fs.score_pairs(levels, [comp], params, {"last": share[left_codes]})
    assert weights[0] < weights[1]
    assert weights[1] - weights[0] == pytest.approx(np.log2(0.5 / max(0.001, comp.tf_minimum)))


def test_no_term_frequency_adjustment_from_a_handful_of_records():
    # in a 4-record list every name looks common; shares that small say nothing
    assert not len(fs.term_frequencies(np.zeros(4, dtype=np.int64), np.array(["müller"])))


# --- engine: the household / colleague trap -------------------------------------------

def test_household_members_sharing_address_phone_and_mailbox_are_not_merged(consumer):
    household = [
        _person("h1", "anna", "schmidt", phone="+49301111111", email="familie@schmidt.de",
                consent="yes"),
        _person("h2", "bernd", "schmidt", phone="+49301111111", email="familie@schmidt.de",
                consent="no"),
        _person("h3", "anna", "schmidt", phone="+49301111111", email="familie@schmidt.de"),
    ]
    res = dedupe(_crowd() + household, consumer)
    assert res.clusters["h1"] == res.clusters["h3"]
    assert res.clusters["h2"] != res.clusters["h1"]  # consent of anna never reaches bernd
    pair = next(p for p in res.pairs(("non_match", "review", "match"))
                if {p["left_id"], p["right_id"]} == {"h1", "h2"})
    assert pair["band"] == "non_match"
    assert pair["guarded"] is True


def test_role_mailbox_is_no_strong_key_but_personal_mailbox_is():
    contact = load_match_settings("contact").value
    recs = [
        {"record_id": "a", "first_name": None, "last_name": "x", "email_normalized": "info@acme.de",
         "email_kind": "role", "company_match_name": "acme"},
        {"record_id": "b", "first_name": None, "last_name": "y", "email_normalized": "info@acme.de",
         "email_kind": "role", "company_match_name": "acme"},
        {"record_id": "c", "first_name": None, "last_name": "z", "email_normalized": "k.z@acme.de",
         "email_kind": "personal_business", "company_match_name": "acme"},
        {"record_id": "d", "first_name": None, "last_name": "z", "email_normalized": "k.z@acme.de",
         "email_kind": "personal_business", "company_match_name": "acme"},
    ]
    params = {"lambda": 1e-4, "comparisons": {c.name: {"m": fs.default_m(len(c.levels)),
              "u": [1 / len(c.levels)] * len(c.levels)} for c in contact.comparisons}}
    res = dedupe(recs, contact, trained_params=params)
    strong = {frozenset((p["left_id"], p["right_id"])): p["strong_key"]
              for p in res.pairs(("non_match", "review", "match"))}
    assert strong.get(frozenset("cd")) == "personal_email"
    assert strong.get(frozenset("ab")) is None
    assert res.clusters["c"] == res.clusters["d"]
    assert res.clusters["a"] != res.clusters["b"]


# --- clustering -----------------------------------------------------------------------

def test_no_chaining_through_one_weak_link():
    ids = ["A", "B", "C"]
    clusters = cluster(ids, [(0, 1, 20.0), (1, 2, 3.0)], negatives=[(0, 2)])
    assert clusters == {"A": "A", "B": "A", "C": "C"}


def test_must_link_and_cannot_link_are_respected():
    ids = ["a", "b", "c", "d"]
    cons = Constraints(must_link=[("c", "d")], cannot_link=[("a", "b")])
    clusters = cluster(ids, [(0, 1, 30.0)], constraints=cons)
    assert clusters["a"] != clusters["b"]
    assert clusters["c"] == clusters["d"] == "c"
    with pytest.raises(ConstraintConflict):
        cluster(ids, [], constraints=Constraints(must_link=[("a", "c"), ("c", "b")],
                                                 cannot_link=[("a", "b")]))


def _greedy_reference(ids, edges, negatives):
    """Clustering as specified, the slow way: every record, every conflict, no components."""
    cluster_of = {k: {k} for k in range(len(ids))}
    conflicts = {frozenset(p) for p in negatives}
    for x, y, _ in sorted(edges, key=lambda e: (-e[2], ids[e[0]], ids[e[1]])):
        a, b = cluster_of[x], cluster_of[y]
        if a is b or any(frozenset((p, q)) in conflicts for p in a for q in b):
            continue
        merged = a | b
        for k in merged:
            cluster_of[k] = merged
    return {ids[k]: min(ids[m] for m in members) for k, members in cluster_of.items()}


@pytest.mark.parametrize("seed", range(5))
def test_clustering_by_components_equals_greedy_over_all_records(seed):
    rng = np.random.default_rng(seed)
    ids = [f"r{k:03d}" for k in rng.permutation(300)]
    pairs = {tuple(sorted(rng.choice(300, 2, replace=False).tolist())) for _ in range(400)}
    pairs_list = sorted(pairs)
    edges = [(a, b, float(rng.integers(1, 20))) for a, b in pairs_list[:250]]
    negatives = pairs_list[250:]
    assert cluster(ids, edges, negatives) == _greedy_reference(ids, edges, negatives)


def test_entity_ids_stay_stable_and_split_keeps_id_on_larger_part():
    previous = {"r1": "E9", "r2": "E9", "r3": "E9", "r4": "E7"}
    clusters = {"r1": "r1", "r2": "r1", "r3": "r3", "r4": "r4", "r5": "r4", "r6": "r6"}
    ids = assign_entity_ids(clusters, previous)
    assert ids == {"r1": "E9", "r4": "E7", "r3": "r3", "r6": "r6"}


def test_incremental_run_keeps_existing_clusters_and_only_scores_new_pairs(consumer):
    existing = _crowd()
    full = dedupe(existing, consumer)
    new = [_person("n1", "anna", "schmidt", street="ringweg", number="9", postcode="20095",
                   phone="+49401234567")]
    dup = dict(new[0], record_id="n2")
    res = match_incremental([*new, dup], existing, consumer, trained_params=full.params,
                            previous_clusters=full.clusters)
    n_existing = len(existing)
    assert all(max(a, b) >= n_existing for a, b in zip(res.left, res.right, strict=True))
    assert res.clusters["n1"] == res.clusters["n2"]
    for rid, cid in full.clusters.items():
        assert res.clusters[rid] == res.clusters[cid]
    entity = assign_entity_ids(res.clusters, full.clusters)
    assert {entity[res.clusters[r]] for r in full.clusters} == set(full.clusters.values())


def test_every_level_matrix_comes_from_the_comparer_the_caller_passes(consumer):
    # the nightly's Dask comparer replaces compare_pairs for the candidate and random pairs
    calls = []

    def counting(encoded, comparisons, i, j, workers=1):
        calls.append((len(i), workers))
        return compare_pairs(encoded, comparisons, i, j, workers)

    crowd = _crowd()
    plain = dedupe(crowd, consumer)
    counted = dedupe(crowd, consumer, compare=counting)
    assert [n for n, _ in calls] == [len(plain.left), min(consumer.training.u_sample_pairs,
                                                          len(crowd) * (len(crowd) - 1) // 2)]
    assert {w for _, w in calls} == {consumer.workers}
    assert np.array_equal(counted.levels, plain.levels)
    assert counted.clusters == plain.clusters
    calls.clear()
    match_incremental(crowd[:5], crowd[5:], consumer, trained_params=plain.params,
                      previous_clusters=plain.clusters, compare=counting)
    assert len(calls) == 1  # stored parameters: nothing to train
    calls.clear()
    link(crowd[:60], crowd[60:], consumer, trained_params=plain.params, compare=counting)
    assert len(calls) == 1


# --- link, golden records, explanation ---------------------------------------------------

def test_link_mode_pairs_only_across_tables(consumer):
    crowd = _crowd(120)
    res = link(crowd[:60], crowd[60:], consumer)
    assert all(a < 60 <= b for a, b in zip(res.left, res.right, strict=True))


def test_golden_record_names_source_and_rule(consumer):
    members = [
        {"record_id": "1", "first_name": "Anna", "email_normalized": "a@x.de",
         "email_status": "invalid", "source": "web_form", "updated_at": "2026-01-01"},
        {"record_id": "2", "first_name": "Anna", "email_normalized": "anna@x.de",
         "email_status": "valid", "source": "purchased_list", "updated_at": "2025-01-01"},
        {"record_id": "3", "last_name": "Berg", "source": "crawl", "updated_at": "2026-02-01"},
    ]
    golden = golden_record(members, consumer)
    assert golden["email_normalized"] == {"value": "anna@x.de", "source_record_id": "2",
                                          "rule": "validated"}
    assert golden["first_name"] == {"value": "Anna", "source_record_id": "1",
                                    "rule": "source_trust"}
    assert golden["last_name"]["rule"] == "only_value"


def test_explanation_sums_to_the_engine_score(consumer):
    records = _crowd()
    res = dedupe(records, consumer)
    tf = term_frequency_tables(records, consumer)
    by_id = {r["record_id"]: r for r in records}
    for k in range(0, len(res.left), max(1, len(res.left) // 25)):
        a, b = res.record_ids[res.left[k]], res.record_ids[res.right[k]]
        exp = explain_pair(by_id[a], by_id[b], consumer, res.params, tf)
        parts = exp["prior_log2_odds"] + sum(f["contribution"] for f in exp["fields"])
        assert parts == pytest.approx(exp["match_weight"])
        assert exp["match_weight"] == pytest.approx(float(res.weight[k]))


def test_explanation_names_the_guard_that_keeps_household_members_apart(consumer):
    res = dedupe(_crowd(), consumer)
    a = _person("h1", "anna", "schmidt", phone="+49301111111", email="fam@schmidt.de")
    b = _person("h2", "bernd", "schmidt", phone="+49301111111", email="fam@schmidt.de")
    exp = explain_pair(a, b, consumer, res.params)
    assert exp["strong_key"] == "personal_email"
    assert exp["guard"] == "first_name"
    assert exp["band"] == "non_match"
    first = next(f for f in exp["fields"] if f["comparison"] == "first_name")
    assert first["level"] == "different"
    assert first["contribution"] < 0


def _companies(n=300, seed=5):
    rng = np.random.default_rng(seed)
    forms = ["GmbH", "AG", "KG", "GmbH & Co. KG", "e.K."]
    out = []
    for k in range(n):
        rec: dict[str, str | None] = {
               "record_id": f"k{k:04d}", "company_match_name": f"firma{k} {k % 13}",
               "legal_form": forms[k % 5], "match_street": f"weg{k % 50}",
               "house_number": str(k % 30 + 1), "postcode": f"{20000 + k % 70}",
               "city": f"stadt{k % 70}", "website_domain": f"f{k}.de",
               "phone_e164": f"+4940{k:07d}"}
        out.append(rec)
        if k % 3 == 0:
            dup = dict(rec, record_id=f"x{k:04d}")
            if rng.random() < 0.5:
                dup["phone_e164"] = None
            out.append(dup)
    return out


def test_legal_form_keeps_gmbh_and_gmbh_co_kg_apart_unless_other_evidence_agrees():
    company = load_match_settings("company").value
    base = {"company_match_name": "mueller bau", "city": "hamburg"}
    a = {"record_id": "m1", **base, "legal_form": "GmbH", "match_street": "hafenstrasse",
         "house_number": "1", "postcode": "20457", "website_domain": "mueller-bau.de",
         "phone_e164": "+49401111111"}
    b = {"record_id": "m2", **base, "legal_form": "GmbH & Co. KG",
         "match_street": "ringstrasse", "house_number": "7", "postcode": "22041",
         "website_domain": "muellerbau-kg.de", "phone_e164": "+49402222222"}
    c = dict(a, record_id="m3", legal_form="GmbH & Co. KG")
    res = dedupe([*_companies(), a, b, c], company)
    assert res.clusters["m1"] != res.clusters["m2"]  # only the name agrees, the form does not
    assert res.clusters["m1"] == res.clusters["m3"]  # address, phone and domain agree
    params = res.params["comparisons"]["legal_form"]
    assert params["m"][1] < params["u"][1]  # a differing legal form is evidence against


def test_register_number_within_its_court_is_a_strong_key_for_companies():
    company = load_match_settings("company").value
    court = {"register_court": "Amtsgericht Charlottenburg"}
    a = {"record_id": "r1", "company_match_name": "alpha", "register_number": "HRB 123 B",
         **court}
    b = {"record_id": "r2", "company_match_name": "alpha holding", "register_number": "hrb 123 b",
         **court}
    # the same number at another court, or with no court known, is another company or unknown
    c = {"record_id": "r3", "company_match_name": "gamma", "register_number": "HRB 123 B",
         "register_court": "Amtsgericht München"}
    d = {"record_id": "r4", "company_match_name": "delta", "register_number": "HRB 123 B"}
    res = dedupe([*_companies(), a, b, c, d], company)
    assert res.clusters["r1"] == res.clusters["r2"]
    assert len({res.clusters[r] for r in ("r1", "r3", "r4")}) == 3
    strong = {frozenset((p["left_id"], p["right_id"])): p["strong_key"] for p in res.pairs()}
    assert strong[frozenset(("r1", "r2"))] == "register_number"
    explained = explain_pair(a, c, company, res.params)
    assert explained["strong_key"] is None
    assert explain_pair(a, b, company, res.params)["strong_key"] == "register_number"


def test_settings_reject_a_guard_on_an_unknown_level(tmp_path):
    (tmp_path / "matching").mkdir(parents=True, exist_ok=True)
    (tmp_path / "matching" / "consumer.yaml").write_text(
        "guards:\n  - {comparison: first_name, levels: [nonsense]}\n", encoding="utf-8")
    from foundation.config import ConfigError

    with pytest.raises(ConfigError, match="unknown levels"):
        load_match_settings("consumer", config_dir=tmp_path)
