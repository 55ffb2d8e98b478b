"""Reading `core.match_pairs`: the pairs the matcher was unsure of, for a person to decide."""

from __future__ import annotations

from dataclasses import dataclass

from warehouse.db import Warehouse


@dataclass(frozen=True)
class ReviewPair:
    left_id: str
    right_id: str
    match_probability: float


def review_pairs(wh: Warehouse, entity_type: str) -> list[ReviewPair]:
    """The level's pairs in the review band, most likely matches first."""
    return [ReviewPair(*row) for row in wh.fetchall(
        "SELECT left_id, right_id, match_probability FROM core.match_pairs "
        "WHERE entity_type = ? AND band = 'review' ORDER BY match_probability DESC",
        [entity_type])]


@dataclass(frozen=True)
class OpenPair:
    """A review pair nobody has decided yet, on its entity level."""

    entity_type: str
    left_id: str
    right_id: str
    match_probability: float


def open_review_pairs(wh: Warehouse) -> list[OpenPair]:
    """Every level's undecided review pairs, most likely matches first (the workspace's
    queue: a decided pair leaves it even before the re-match moves it out of the band)."""
    return [OpenPair(*row) for row in wh.fetchall(
        "SELECT p.entity_type, p.left_id, p.right_id, p.match_probability "
        "FROM core.match_pairs p WHERE p.band = 'review' AND NOT EXISTS ("
        "SELECT 1 FROM core.match_decisions d WHERE d.entity_type = p.entity_type AND "
        "d.left_id = p.left_id AND d.right_id = p.right_id) "
        "ORDER BY p.match_probability DESC, p.entity_type, p.left_id, p.right_id")]
