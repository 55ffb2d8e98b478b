"""Why person-level precision of `dedupe-file` falls with list size (issue #18 diagnosis).

Runs the steps of `stages.review.dedupe_file` (prepare, enrich, contact/consumer/company
levels, trained parameters, dedupe) on a bench/generate_leads.py list, keeps each level's
MatchResult, and scores clusters against the truth file at person level (all pairs within a
cluster, as bench_matching's `febrl3-file` does). Then it classifies every false-positive
pair: colleagues, household members, strangers sharing a name, and pairs that were never a
match-band edge but were joined through other records (chaining), with the blocking rule and
block size that produced each false edge. `--before` scores the same members with the
settings before the #18 fixes; `--cache` keeps the enriched members so a second run on 1M
rows costs only the matching.

    python bench/analyse_precision.py /tmp/prec/leads_100000.csv [--examples 3] [--before] \
        [--cache /tmp/members_100k.pkl]
"""

from __future__ import annotations

import argparse
import csv
import pickle
import time
from collections import Counter
from math import comb
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from foundation.settings import load_settings
from matching import fellegi_sunter as fs
from matching.blocking import _rule_codes
from matching.columns import Columns
from matching.compare import encode_columns
from matching.engine import MatchResult, dedupe, term_frequency_shares
from matching.settings import MatchSettings, load_match_settings
from stages.review import enrich_list_records, level_members, match_level, read_list_rows

Level = tuple[str, MatchSettings, MatchResult, list[dict[str, Any]]]


def enriched_levels(path: Path, cache: Path | None, timings: dict[str, float]
                    ) -> list[tuple[str, pd.DataFrame]]:
    """Each level's enriched members: read and enriched, or loaded from `cache` (a pickle
    written on the first run), so matching experiments on 1M rows skip the ~8 min enrich."""
    if cache and cache.exists():
        t = time.perf_counter()
        with cache.open("rb") as f:
            members: list[tuple[str, pd.DataFrame]] = pickle.load(f)
        timings["load_cache"] = time.perf_counter() - t
        return members
    settings = load_settings()
    t = time.perf_counter()
    with read_list_rows(settings, path, None) as rows_in:
        timings["read"] = time.perf_counter() - t
        t = time.perf_counter()
        members = list(level_members(enrich_list_records(settings, rows_in.records())))
    timings["enrich"] = time.perf_counter() - t
    if cache:
        with cache.open("wb") as f:
            pickle.dump(members, f, protocol=pickle.HIGHEST_PROTOCOL)
    return members


def run_levels(path: Path, cache: Path | None = None) -> tuple[list[Level], dict[str, float]]:
    """The dedupe-file steps, timed, keeping each level's settings, result and members."""
    settings = load_settings()
    timings: dict[str, float] = {}
    out: list[Level] = []
    for level, members in enriched_levels(path, cache, timings):
        t = time.perf_counter()
        result = match_level(settings, level, members)
        timings[f"{level}_match"] = time.perf_counter() - t
        config = load_match_settings(level, settings.config_dir).value
        out.append((level, config, result, members.to_dict("records")))
    return out, timings


def person_scores(cluster_of: dict[str, str], truth: dict[str, str]) -> tuple[float, float, float]:
    """Pairwise P/R/F1 over all pairs within predicted vs true person clusters."""
    both = Counter((cluster_of.get(r, r), truth[r]) for r in truth)
    pred = Counter(cluster_of.get(r, r) for r in truth)
    true = Counter(truth.values())
    tp = sum(comb(n, 2) for n in both.values())
    p_pairs = sum(comb(n, 2) for n in pred.values())
    t_pairs = sum(comb(n, 2) for n in true.values())
    precision, recall = tp / max(p_pairs, 1), tp / max(t_pairs, 1)
    return precision, recall, 2 * precision * recall / max(precision + recall, 1e-12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--examples", type=int, default=3)
    parser.add_argument("--before", action="store_true",
                        help="also train and match with the settings before the #18 fixes")
    parser.add_argument("--cache", type=Path, default=None,
                        help="pickle of the enriched level members (written if missing)")
    args = parser.parse_args()
    truth_rows = list(csv.DictReader(args.csv.with_suffix(".truth.csv").open(encoding="utf-8")))
    # dedupe-file names rows by their line in the file: record k is on line k + 2
    truth = {f"row-{int(r['record_id']) + 2}": r["cluster_id"] for r in truth_rows}
    company = {f"row-{int(r['record_id']) + 2}": r["company_id"] for r in truth_rows}
    started = time.perf_counter()
    levels, timings = run_levels(args.csv, args.cache)
    timings["total"] = time.perf_counter() - started
    cluster_of: dict[str, str] = {}
    for level, _, result, _ in levels:
        for rid, cid in result.clusters.items():
            cluster_of[rid] = f"{level}-{cid}"
    p, r, f1 = person_scores(cluster_of, truth)
    print(f"rows {len(truth)}  P {p:.4f}  R {r:.4f}  F1 {f1:.4f}")
    print("timings " + "  ".join(f"{k} {v:.1f}s" for k, v in timings.items()))
    for level, settings, result, members in levels:
        analyse_level(level, settings, result, members, truth, company, args.examples)
    print(review_line(levels, truth))
    if args.before:
        before = [(level, before_fixes(config), dedupe(members, before_fixes(config)), members)
                  for level, config, _, members in levels]
        cluster_before = {rid: f"{level}-{cid}" for level, _, result, _ in before
                          for rid, cid in result.clusters.items()}
        p, r, f1 = person_scores(cluster_before, truth)
        print(f"before the #18 fixes: P {p:.4f}  R {r:.4f}  F1 {f1:.4f}")
        print(review_line(before, truth))


def before_fixes(settings: MatchSettings) -> MatchSettings:
    """The settings as they were before issue #18: strong keys always decide, no last-name
    guard, names only lower-cased (parameters are trained again for them)."""
    return settings.model_copy(update={
        "strong_keys": [k.model_copy(update={"min_other_evidence": None})
                        for k in settings.strong_keys],
        "guards": [g for g in settings.guards if g.comparison != "last_name"],
        "comparisons": [c.model_copy(update={"processor": "lower"}) if c.processor == "fold"
                        else c for c in settings.comparisons]})


def review_line(levels: list[Level], truth: dict[str, str]) -> str:
    """Review-band pairs per level, true duplicates / different persons, and how many of them
    a contradicted strong key sent there."""
    parts = []
    for level, _, result, _ in levels:
        ids = result.record_ids
        review = np.flatnonzero(result.band == 1)
        same = sum(truth[ids[result.left[k]]] == truth[ids[result.right[k]]]
                   for k in review.tolist())
        strong = int((result.strong_key[review] != "").sum())
        parts.append(f"{level} {same}/{len(review) - same} (strong key {strong})")
    return "review pairs true/false: " + ", ".join(parts)


def relation(a: str, b: str, truth: dict[str, str], company: dict[str, str],
             rec: dict[str, dict[str, Any]]) -> str:
    """What two different true persons are to each other."""
    if company[a] and company[a] == company[b]:
        return "colleagues"
    ea, eb = int(truth[a][1:]), int(truth[b][1:])
    ra, rb = rec[a], rec[b]
    if not company[a] and not company[b] and abs(ea - eb) == 1 and \
            ra.get("postcode") == rb.get("postcode"):
        return "household"
    fa, fb = (ra.get("first_name") or "").lower(), (rb.get("first_name") or "").lower()
    la, lb = (ra.get("last_name") or "").lower(), (rb.get("last_name") or "").lower()
    if fa == fb and la == lb:
        return "strangers_same_full_name"
    if la == lb:
        return "strangers_same_last_name"
    return "strangers_other"


def analyse_level(level: str, settings: MatchSettings, result: MatchResult,
                  members: list[dict[str, Any]], truth: dict[str, str], company: dict[str, str],
                  examples: int) -> None:
    ids = result.record_ids
    rec = {m["record_id"]: m for m in members}
    names = [c.name for c in settings.comparisons]
    labels = [[lv.label for lv in c.levels] for c in settings.comparisons]
    print(f"\n== {level}: {len(ids)} records, {result.blocking.candidate_pairs} candidates, "
          f"{int((result.band == 2).sum())} match-band edges")
    params = result.params
    print(f"  prior lambda {params['lambda']:.2e} (log2 odds {fs.prior_weight(params):.1f})")
    for c in settings.comparisons:
        weights = fs.level_weights(params, c)
        print(f"   {c.name}: " + ", ".join(f"{lv.label} {w:+.1f}" for lv, w in zip(
            c.levels, weights.tolist(), strict=True)) + (" (TF)" if c.term_frequency else ""))
    encoded = encode_columns(Columns(members), settings.comparisons)
    for name, share in term_frequency_shares(encoded, settings).items():
        c = next(c for c in settings.comparisons if c.name == name)
        top = np.argsort(share)[-2:][::-1]
        print(f"   TF {name}: " + ", ".join(
            f"{encoded[name].values[t]} share {share[t]:.4f} adj "
            f"{float(fs.tf_adjustment(c, params, share[t])):+.1f}" for t in top.tolist()))
    # e-mail addresses shared by different true persons (personal_email is a strong key)
    by_email: dict[str, set[str]] = {}
    for m in members:
        if m.get("email_normalized") and m.get("email_kind") != "role":
            by_email.setdefault(m["email_normalized"], set()).add(truth[m["record_id"]])
    shared = [len(p) for p in by_email.values() if len(p) > 1]
    print(f"  personal e-mails shared by >1 true person: {len(shared)} "
          f"({sum(shared)} persons)")
    # blocks: largest per rule, skipped blocks, comparisons they cause
    columns = Columns(members)
    rule_codes = {}
    for rule in settings.blocking.rules:
        codes, _ = _rule_codes(columns, rule)
        counts = np.bincount(codes[codes >= 0])
        rule_codes[rule.name] = (codes, counts)
        cap = rule.max_block_size or settings.blocking.max_block_size
        kept = counts[(counts >= 2) & (counts <= cap)]
        top = np.sort(counts)[-3:][::-1].tolist()
        print(f"  rule {rule.name}: pairs {result.blocking.pairs_per_rule.get(rule.name, 0)}, "
              f"largest blocks {top}, blocks>50 {int((kept > 50).sum())} causing "
              f"{int(sum(comb(int(n), 2) for n in kept[kept > 50]))} pairs, "
              f"skipped {int((counts > cap).sum())}")
    edge = np.flatnonzero(result.band == 2)
    ea = [ids[k] for k in result.left[edge].tolist()]
    eb = [ids[k] for k in result.right[edge].tolist()]
    false_edges = [(k, a, b) for k, a, b in zip(edge.tolist(), ea, eb, strict=True)
                   if truth[a] != truth[b]]
    print(f"  false match-band edges: {len(false_edges)} of {len(edge)}")
    classes: dict[str, list[tuple[int, str, str]]] = {}
    for k, a, b in false_edges:
        classes.setdefault(relation(a, b, truth, company, rec), []).append((k, a, b))
    ia = {rid: n for n, rid in enumerate(ids)}
    for name, items in sorted(classes.items(), key=lambda kv: -len(kv[1])):
        strong = sum(1 for k, _, _ in items if result.strong_key[k])
        print(f"  [{name}] {len(items)} edges ({strong} by strong key)")
        level_mix = Counter(tuple(labels[c][int(result.levels[k, c])]
                                  if result.levels[k, c] >= 0 else "null"
                                  for c in range(len(names))) for k, _, _ in items)
        for pattern, n in level_mix.most_common(3):
            print(f"     {n} × " + ", ".join(f"{c}={lv}" for c, lv in zip(names, pattern,
                                                                          strict=True)))
        rules: Counter[str] = Counter()
        for _, a, b in items:
            hits = [(int(counts[codes[ia[a]]]), rn) for rn, (codes, counts) in rule_codes.items()
                    if codes[ia[a]] >= 0 and codes[ia[a]] == codes[ia[b]]]
            rules[min(hits)[1] if hits else "sorted_neighbourhood"] += 1
        print(f"     smallest shared block by rule: {dict(rules.most_common())}")
        for k, a, b in items[:examples]:
            print(f"     e.g. w={result.weight[k]:.1f} p={result.probability[k]:.3f} "
                  f"{_show(rec[a])} ~ {_show(rec[b])}")
    # chaining: pairs within a predicted cluster that are false and were no match-band edge
    by_cluster: dict[str, list[str]] = {}
    for rid, cid in result.clusters.items():
        by_cluster.setdefault(cid, []).append(rid)
    direct = {(min(a, b), max(a, b)) for _, a, b in false_edges}
    fp_direct = fp_chain = 0
    sizes: Counter[int] = Counter()
    chained_examples: list[list[str]] = []
    for rids in by_cluster.values():
        if len(rids) < 2:
            continue
        persons = Counter(truth[r] for r in rids)
        if len(persons) < 2:
            continue
        sizes[len(rids)] += 1
        chain_here = 0
        for x in range(len(rids)):
            for y in range(x + 1, len(rids)):
                a, b = rids[x], rids[y]
                if truth[a] == truth[b]:
                    continue
                if (min(a, b), max(a, b)) in direct:
                    fp_direct += 1
                else:
                    fp_chain += 1
                    chain_here += 1
        if chain_here and len(chained_examples) < examples:
            chained_examples.append(rids)
    print(f"  false pairs in clusters: {fp_direct} direct edges, {fp_chain} only through "
          f"other records; impure clusters by size {dict(sorted(sizes.items()))}")
    for rids in chained_examples:
        print("     chain: " + " | ".join(f"{truth[r]}:{_show(rec[r])}" for r in rids))


def _show(r: dict[str, Any]) -> str:
    return "/".join(str(r.get(k) or "-") for k in (
        "first_name", "last_name", "company_match_name", "match_street", "house_number",
        "postcode", "email_normalized", "phone_e164"))


if __name__ == "__main__":
    main()
