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
