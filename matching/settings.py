"""Matching settings: what to block on, how to compare, where the bands are, who survives.

One YAML file per entity level (`matching/defaults/<level>.yaml`) drives the engine, so the
engine itself knows no column names. The file is validated here; `load_match_settings` goes
through `foundation.config.load_config`, so `./config/<level>.yaml` overrides keys.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from foundation.config import LoadedConfig, load_config

LevelKind = Literal[
    "exact", "jaro_winkler", "token_set", "ratio", "levenshtein", "prefix",
    "house_number", "phone_suffix", "email_local", "email_domain", "swapped", "else",
]
"""`else` is the catch-all last level; the null level is implicit (both values must be set).
`swapped` holds when each side's value equals the other side's `swap_column` (first and last
name exchanged); with a threshold, when each is that similar (Jaro-Winkler) to the other's, so
a name swapped and misspelt in one go (`Hendiks, Gerhild` for `Gerhild Hendriks`) still is."""

Processor = Literal["lower", "fold", "none"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Level(_Model):
    """One comparison level. Similarity levels need `threshold` (0..1, or an edit distance)."""

    kind: LevelKind
    label: str
    threshold: float | None = None

    @model_validator(mode="after")
    def _needs_threshold(self) -> Level:
        needs = {"jaro_winkler", "token_set", "ratio", "levenshtein", "prefix", "phone_suffix"}
        if self.kind in needs and self.threshold is None:
            raise ValueError(f"level {self.label!r} of kind {self.kind} needs a threshold")
        return self


class Comparison(_Model):
    """An ordered list of levels, most specific first, on one column."""

    name: str
    column: str
    processor: Processor = "lower"
    levels: list[Level]
    swap_column: str | None = None
    term_frequency: bool = False
    tf_minimum: float = 0.0001
    m_init: list[float] | None = None

    @model_validator(mode="after")
    def _else_last(self) -> Comparison:
        if not self.levels or self.levels[-1].kind != "else":
            raise ValueError(f"comparison {self.name!r}: the last level must be of kind else")
        if any(lv.kind == "swapped" for lv in self.levels) and not self.swap_column:
            raise ValueError(f"comparison {self.name!r}: a swapped level needs swap_column")
        if self.m_init is not None and len(self.m_init) != len(self.levels):
            raise ValueError(f"comparison {self.name!r}: m_init needs one value per level")
        return self


class KeyPart(_Model):
    column: str
    prefix: int | None = None
    swap_column: str | None = None
    """Also pair a record whose `column` equals another's `swap_column` (first name and last
    name exchanged): the blocks a swapped name would otherwise never share."""


class BlockingRule(_Model):
    name: str
    keys: list[KeyPart]
    max_block_size: int | None = None


class SortedNeighbourhood(_Model):
    name: str
    column: str
    window: int = Field(ge=2)


class Blocking(_Model):
    rules: list[BlockingRule]
    sorted_neighbourhood: list[SortedNeighbourhood] = []
    max_block_size: int = Field(default=200, ge=2)


class StrongKey(_Model):
    """Exact agreement on `column` decides a match, unless a guard fires or the rest of the
    record contradicts it.

    `exclude` lists (column, values) pairs: a record whose `column` has one of the values can
    not use the key (a role mailbox such as info@ is shared, not personal). `qualifiers` are
    columns that must be present and agree as well: a register number is unique only within
    its register court (HRB 1234 exists at many Amtsgerichte).

    `min_other_evidence` (log2 Bayes factor, prior left out): the key decides only when the
    comparisons on other columns add up to at least this much; below it the pair goes to
    review instead. Two namesakes sharing a family freemail address at different streets,
    postcodes and phones are not one person just because the mailbox says so, and a person
    who moved house needs a look, not an automatic merge. None: the key always decides.
    """

    name: str
    column: str
    qualifiers: list[str] = []
    exclude: dict[str, list[str]] = {}
    min_other_evidence: float | None = None


class Guard(_Model):
    """A pair whose `comparison` lands on one of `levels` is a non-match whatever else agrees.

    This is what keeps two colleagues or two household members apart: they share address,
    phone and website, and only the person's own name separates them.
    """

    comparison: str
    levels: list[str]
    unless: dict[str, list[str]] = {}
    """comparison -> levels: the guard holds back when any of them is met (a last name that
    differs because first and last name were swapped is no conflict)."""
    unless_strong_keys: list[str] = []
    """The guard holds back when one of these strong keys agrees (a person's own mailbox
    outweighs a changed last name)."""


class Bands(_Model):
    match: float = Field(gt=0, lt=1)
    review: float = Field(gt=0, lt=1)

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if self.review > self.match:
            raise ValueError("bands: review must not be above match")
        return self


class Training(_Model):
    u_sample_pairs: int = 300_000
    em_max_iterations: int = 40
    em_tolerance: float = 1e-5
    lambda_init: float = 0.1
    seed: int = 42


class Clustering(_Model):
    """Greedy merging of match-band edges, strongest first, refusing merges with conflicts."""

    negative_evidence: bool = True


class Validated(_Model):
    column: str
    values: list[str]


class Survivorship(_Model):
    source_column: str = "source"
    recency_column: str = "updated_at"
    source_trust: dict[str, int] = {}
    rules: list[Literal["validated", "source_trust", "recency", "completeness"]] = [
        "validated", "source_trust", "recency", "completeness",
    ]
    validated: dict[str, Validated] = {}
    fields: list[str] = []


class MatchSettings(_Model):
    entity: str
    id_column: str = "record_id"
    blocking: Blocking
    comparisons: list[Comparison]
    strong_keys: list[StrongKey] = []
    guards: list[Guard] = []
    bands: Bands
    training: Training = Training()
    clustering: Clustering = Clustering()
    survivorship: Survivorship = Survivorship()
    workers: int = Field(default=2, ge=1)
    """Threads for comparing candidate pairs (the array work releases the GIL)."""

    def columns_read(self) -> list[str]:
        """Every column the engine reads for this level, in first-use order: callers that
        build records for matching alone (`dedupe-file`) derive exactly these."""
        names = [self.id_column]
        for rule in self.blocking.rules:
            names += [c for part in rule.keys for c in (part.column, part.swap_column) if c]
        names += [sn.column for sn in self.blocking.sorted_neighbourhood]
        for c in self.comparisons:
            names += [c.column, *([c.swap_column] if c.swap_column else [])]
        for key in self.strong_keys:
            names += [key.column, *key.qualifiers, *key.exclude]
        return list(dict.fromkeys(names))

    def record_columns(self) -> list[str]:
        """What a level's records must carry: the columns the engine reads, and the golden
        record's (its fields, their validation columns, source and recency)."""
        sv = self.survivorship
        return list(dict.fromkeys([
            *self.columns_read(), *sv.fields, *(check.column for check in sv.validated.values()),
            sv.source_column, sv.recency_column]))

    @model_validator(mode="after")
    def _guards_known(self) -> MatchSettings:
        known = {c.name: {lv.label for lv in c.levels} for c in self.comparisons}
        keys = {key.name for key in self.strong_keys}
        for guard in self.guards:
            for comparison, levels in {guard.comparison: guard.levels, **guard.unless}.items():
                if comparison not in known:
                    raise ValueError(f"guard on {guard.comparison!r} names unknown comparison "
                                     f"{comparison!r}")
                unknown = set(levels) - known[comparison]
                if unknown:
                    raise ValueError(f"guard on {guard.comparison!r}: unknown levels "
                                     f"{sorted(unknown)} of {comparison!r}")
            if set(guard.unless_strong_keys) - keys:
                raise ValueError(f"guard on {guard.comparison!r}: unknown strong keys "
                                 f"{sorted(set(guard.unless_strong_keys) - keys)}")
        return self

    def key_comparisons(self, key: StrongKey) -> list[int]:
        """Indexes of the comparisons on the key's own columns (its evidence, not other)."""
        own = {key.column, *key.qualifiers}
        return [k for k, c in enumerate(self.comparisons) if c.column in own]


def load_match_settings(
    level: str, config_dir: Path | None = None, override_file: Path | None = None,
) -> LoadedConfig[MatchSettings]:
    """Settings for one entity level: `company`, `contact`, `consumer` or `febrl`."""
    return load_config("matching", level, MatchSettings, config_dir, override_file)
