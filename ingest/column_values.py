"""The steps of the column mapping that read the values: columns mapped by what their values
are, corrected where the values say more than the header ('44894 Bochum' under `PLZ`),
dropped where the values contradict it, and doubted where they fit badly.

Each step is a function over a `Draft` (see `ingest.columns.map_columns` for the order).
"""

from __future__ import annotations

from itertools import pairwise

from ingest.column_draft import (
    DOUBT_SHARE,
    MIN_EVIDENCE,
    ORGANISATION_SHARE,
    PERSON_SHARE,
    VALUE_SHARE,
    Draft,
)
from ingest.fields import IDENTITY_FIELDS, fields_filled

_KIND_OF_FIELD = {"email": ("email",), "website": ("website",), "city": ("place",),
                  "postcode": ("postcode", "postcode_city"), "phone": ("phone",),
                  "mobile": ("phone",), "fax": ("phone",), "full_name": ("person_name",),
                  "title": ("title",), "postcode_city": ("postcode_city",),
                  "address": ("address",),
                  **dict.fromkeys(("company", "first_name", "last_name", "street",
                                   "street_full", "legal_form", "industry", "position"),
                                  ("words",))}
"""Fields whose values have a shape to check the header against."""


_BY_VALUES = {"email": "email", "homepage": "website", "postcode_city": "postcode_city",
              "address": "address", "street_full": "street_full", "dialable": "phone",
              "salutation": "salutation"}
"""Kind of values → the field an unmapped column gets from its values alone."""


_VARIED = 0.5
"""Share of distinct values a name column has at least: names vary, categories repeat."""


_STRICT = frozenset({"email", "website", "phone", "mobile", "fax", "postcode", "title"})
"""Fields whose values have a clear shape: a column almost none of whose values has it holds
something else ('title' of a Google Places export is the place's name)."""


_CONTRADICTED = 0.1


_OUTDONE = 0.5
"""A column fitting its field less than half as well as another of the same field gives way."""


_NEEDS = {"phone_area_code": ("phone", "an area code"), "fax_area_code": ("fax", "an area code"),
          "house_number": ("street", "a house number")}
"""Fields that mean something only beside another: a lone 'Nr' is a row number."""


def map_by_values(draft: Draft) -> None:
    """Columns no header rule maps: e-mail, website, phone or 'PLZ Ort' values say what they
    are; words right of a postcode column are the city; without any name column, the
    column most clearly of people's or organisations' names is the name."""
    for header in draft.free():
        profile = draft.profile(header)
        if profile.filled < MIN_EVIDENCE:
            continue
        for kind, target in _BY_VALUES.items():
            share = profile.share(kind)
            if share >= VALUE_SHARE and not fields_filled([target]) & draft.fills():
                draft.assign(header, target, "values", share * 0.9,
                             f"{share:.0%} of its values look like {kind.replace('_', ' ')}")
                break
    _map_address_block(draft)
    if not draft.claimed() & set(IDENTITY_FIELDS):
        _map_names_by_values(draft)


def _map_address_block(draft: Draft) -> None:
    """German addresses run street, postcode, city from left to right: five digits right of
    the street are the postcode, words right of the postcode the city."""
    headers = list(draft.headers)
    steps = (({"street", "street_full", "house_number"}, "postcode", "postcode",
              "five digits right of the street column"),
             ({"postcode"}, "words", "city", "words right of the postcode column"))
    for after, kind, target, why in steps:
        for index, header in enumerate(headers[:-1]):
            right = headers[index + 1]
            if draft.target.get(header) not in after or right not in draft.free():
                continue
            profile = draft.profile(right)
            share = profile.share(kind)
            if (target not in draft.fills() and profile.filled >= MIN_EVIDENCE
                    and share >= VALUE_SHARE
                    and (target != "city" or profile.share("postcode") == 0)):
                draft.assign(right, target, "values", share * 0.8, why)


def _map_names_by_values(draft: Draft) -> None:
    """The name column of a list whose headers name none (or that has no header row): the
    column with the most, and most varied, people's or organisations' names; failing that,
    the leftmost column of varied words, so that a list whose rows have an address or a
    contact loads (with a warning to check it) instead of being refused."""
    best: tuple[float, str, str] | None = None
    for header in draft.free():
        profile = draft.profile(header)
        if profile.filled < MIN_EVIDENCE or profile.distinct < _VARIED:
            continue
        for kind, target in (("person_name", "full_name"), ("organisation", "company")):
            share = profile.share(kind)
            score = share * profile.distinct
            if share >= PERSON_SHARE and (best is None or score > best[0]):
                best = (score, header, target)
    if best is not None:
        _, header, target = best
        share = draft.profile(header).share(
            "person_name" if target == "full_name" else "organisation")
        draft.assign(header, target, "values", share * 0.8,
                     f"{share:.0%} of its values look like "
                     f"{'people' if target == 'full_name' else 'organisations'}")
        return
    guess = likely_name_column(draft)
    if guess is not None and draft.fills() & {"street", "street_full", "postcode", "city",
                                              "email", "phone", "mobile", "website"}:
        # beside a salutation column the rows are people
        target = "full_name" if "salutation" in draft.claimed() else "company"
        draft.assign(guess, target, "guess", note="no column is clearly the name: the "
                     "leftmost column of varied words")
        draft.warnings.append(f"no column is clearly the company or person name; took "
                              f"{guess!r}: check it in the preview, or name the column in a "
                              "mapping file")


def likely_name_column(draft: Draft) -> str | None:
    """The leftmost open column of varied words without digits: what a person would read
    as the name of each row; failing that, the leftmost varied column (a branch code)."""
    varied = [h for h in draft.free() if draft.profile(h).filled >= MIN_EVIDENCE
              and draft.profile(h).distinct >= _VARIED]
    words = [h for h in varied if draft.profile(h).share("place") >= VALUE_SHARE]
    candidates = words or varied
    return candidates[0] if candidates else None


def correct_by_values(draft: Draft) -> None:
    """A postcode or city column whose values are '44894 Bochum' holds both; a street column
    whose values carry house numbers holds both, and one without any holds the street only."""
    for header, target in list(draft.target.items()):
        profile = draft.profile(header)
        if draft.how[header] == "vendor":
            continue
        if profile.filled < MIN_EVIDENCE:
            # a split that keeps what it cannot split is safe on little evidence
            if target in {"street", "street_full"} and profile.share("address") > DOUBT_SHARE:
                draft.assign(header, "address", draft.how[header], profile.share("address"))
            continue
        combined = profile.share("postcode_city")
        numbered = profile.share("street_full")
        address = profile.share("address")
        people, organisations = profile.share("person_name"), profile.share("organisation")
        by_words = draft.how[header] in {"compound", "values"}
        if by_words and target == "company" and people >= PERSON_SHARE > organisations * 2:
            draft.assign(header, "full_name", draft.how[header], people,
                         f"{people:.0%} of its values look like people's names")
        elif (by_words and target == "full_name" and organisations >= ORGANISATION_SHARE
              and organisations > people):
            draft.assign(header, "company", draft.how[header], organisations,
                         f"{organisations:.0%} of its values look like organisations")
        elif target in {"street", "street_full"} and address >= DOUBT_SHARE:
            draft.assign(header, "address", draft.how[header], address,
                         f"{address:.0%} of its values hold street, postcode and city")
        elif target in {"postcode", "city"} and combined >= VALUE_SHARE:
            draft.assign(header, "postcode_city", draft.how[header], combined,
                         f"{combined:.0%} of its values hold postcode and city")
        elif target == "street" and numbered >= VALUE_SHARE:
            draft.assign(header, "street_full", draft.how[header], numbered,
                         f"{numbered:.0%} of its values hold street and house number")
        elif (target == "street_full" and numbered < 1 - VALUE_SHARE
              and "house_number" in draft.claimed()):
            draft.assign(header, "street", draft.how[header], 1 - numbered,
                         "its values hold no house numbers; another column does")


ROW_COUNTER_MIN = 5
"""Consecutive rows a column must count (1, 2, 3, …) to be taken for a row number."""


def drop_row_counters(draft: Draft) -> None:
    """A house-number column that counts the rows from the top of the file ('Nr': 1, 2, 3, …)
    is a row number: 'Nr', 'No.' and 'Nummer' name both, and a counter beside 'Hausnummer'
    would otherwise overwrite every house number with the row's position. Only house numbers:
    a list sorted by postcode can hold 80331, 80332, 80333 … in earnest."""
    for header, target in list(draft.target.items()):
        if target != "house_number" or draft.how[header] == "vendor":
            continue
        values = [v.strip() for v in draft.values(header)]
        if len(values) < ROW_COUNTER_MIN or not all(v.isdigit() and len(v) < 10 for v in values):
            continue
        numbers = [int(v) for v in values]
        if numbers[0] <= 1 and all(b == a + 1 for a, b in pairwise(numbers)):
            del draft.target[header]
            draft.declined.add(header)  # nor may its values map it (10001, 10002: postcodes?)
            draft.note[header] = (f"its values count the rows ({numbers[0]}, {numbers[1]}, "
                                  f"{numbers[2]}, …): a row number, not {target}")


def drop_orphans(draft: Draft) -> None:
    for header, target in list(draft.target.items()):
        if target in _NEEDS and draft.how[header] != "vendor":
            partner, what = _NEEDS[target]
            if partner not in draft.claimed():
                del draft.target[header]
                draft.note[header] = (f"looks like {what}, but no {partner} column goes with "
                                      "it")


def _fit(draft: Draft, header: str, target: str) -> float | None:
    """Share of a column's values that look like `target`; None without enough evidence."""
    kinds = _KIND_OF_FIELD.get(target)
    profile = draft.profile(header)
    if kinds is None or profile.filled < MIN_EVIDENCE:
        return None
    return sum(profile.share(k) for k in kinds)


def _rank(draft: Draft, header: str, fit: float | None) -> float:
    """How well a column holds its field, to choose among columns of the same field. Names
    vary: 'staatlich' in most rows is a category beside the school's name."""
    if fit is None:
        return 0.0
    varied = draft.target[header] in IDENTITY_FIELDS
    return min(fit, draft.profile(header).distinct) if varied else fit


def drop_misfits(draft: Draft) -> None:
    """Values against headers. A column mapped by its words (compound) or its values whose
    values do not fit the field is dropped, as is a column of a clearly shaped field
    (e-mail, phone, title…) almost none of whose values has the shape, and any non-vendor
    column that fits its field less than half as well as another column of the field."""
    fits = {h: _fit(draft, h, t) for h, t in draft.target.items()}
    ranks = {h: _rank(draft, h, fits[h]) for h in draft.target}
    best: dict[str, float] = {}
    for header, target in draft.target.items():
        best[target] = max(best.get(target, 0.0), ranks[header])
    for header, target in list(draft.target.items()):
        share = fits[header]
        if share is None or draft.how[header] == "vendor":
            continue
        weak = ((draft.how[header] in {"compound", "values"} and share < DOUBT_SHARE)
                or (target in _STRICT and share < _CONTRADICTED))
        outdone = ranks[header] < best[target] * _OUTDONE
        if weak or outdone:
            del draft.target[header]
            why = (f"only {share:.0%} of its values look like one" if weak or share < DOUBT_SHARE
                   else "another column holds it better")
            draft.note[header] = f"its header says {target}, but {why}"
            if draft.how[header] == "alias":
                draft.warnings.append(f"column {header!r} is not loaded as {target}: the "
                                      f"header says {target}, but {why}")


def flag_doubts(draft: Draft) -> None:
    """A whole-header alias whose values do not quite fit keeps its field, with a low
    confidence and a warning."""
    for header, target in draft.target.items():
        share = _fit(draft, header, target)
        if share is not None and share < DOUBT_SHARE:
            draft.confidence[header] = round(min(draft.confidence[header], 0.4), 2)
            draft.warnings.append(
                f"column {header!r} is mapped to {target}, but only {share:.0%} of its values "
                f"look like one; check it in the preview")
