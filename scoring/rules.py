"""Rule-based lead scoring: fit, engagement and data quality, each factor explained.

A pure function of a lead's features, the scoring configuration and a date. Every part is
scaled to 0–100 by the most it could reach under the configuration; the total is the weighted
sum. Each factor's contribution is reported in points of the total, so the explanation adds
up to the score a sales rep sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from foundation.vocabulary import GRADES
from scoring.config import ScoringConfig


@dataclass(frozen=True)
class Request:
    """One web-form submission: what was asked for and when."""

    kind: str
    on: date


@dataclass(frozen=True)
class LeadFeatures:
    """What scoring needs to know about a lead (built from its golden record and events)."""

    lead_id: str
    wz_code: str | None = None
    size_class: str = "unknown"
    postcode: str | None = None
    country: str | None = "DE"
    legal_form: str | None = None
    decision_maker: bool = False
    audience: str = "unknown"
    email_status: str | None = None
    phone_e164: bool = False
    address_complete: bool = False
    impressum_confirms: bool = False
    requests: tuple[Request, ...] = ()


@dataclass(frozen=True)
class Contribution:
    part: str        # fit | engagement | quality
    factor: str
    detail: str
    points: float    # points of the 0–100 total


@dataclass(frozen=True)
class LeadScore:
    lead_id: str
    fit: float
    engagement: float
    quality: float
    total: float
    grade: str
    contributions: tuple[Contribution, ...] = field(default_factory=tuple)

    def top_reasons(self, n: int = 3) -> list[str]:
        ranked = sorted((c for c in self.contributions if c.points > 0),
                        key=lambda c: c.points, reverse=True)
        return [f"{c.detail} (+{c.points:.0f})" for c in ranked[:n]]


def _prefix_match(table: dict[str, float], value: str | None) -> tuple[str, float] | None:
    if not value:
        return None
    key = value.replace(".", "").strip().upper()
    for prefix in sorted(table, key=len, reverse=True):
        if key.startswith(prefix.replace(".", "").upper()):
            return prefix, table[prefix]
    return None


def _wz_section(code: str | None) -> str | None:
    """WZ 2008 section letter of a numeric code (division ranges of the classification)."""
    if not code:
        return None
    digits = "".join(c for c in code if c.isdigit())[:2]
    if not digits:
        return code.strip()[:1].upper() or None
    division = int(digits)
    sections = [(1, 3, "A"), (5, 9, "B"), (10, 33, "C"), (35, 35, "D"), (36, 39, "E"),
                (41, 43, "F"), (45, 47, "G"), (49, 53, "H"), (55, 56, "I"), (58, 63, "J"),
                (64, 66, "K"), (68, 68, "L"), (69, 75, "M"), (77, 82, "N"), (84, 84, "O"),
                (85, 85, "P"), (86, 88, "Q"), (90, 93, "R"), (94, 96, "S"), (97, 98, "T"),
                (99, 99, "U")]
    return next((s for lo, hi, s in sections if lo <= division <= hi), None)


def _fit_points(f: LeadFeatures, cfg: ScoringConfig) -> list[tuple[str, str, float]]:
    fit = cfg.fit
    found: list[tuple[str, str, float]] = []
    industry = _prefix_match({k: v for k, v in fit.industries.items() if k[:1].isdigit()},
                             f.wz_code)
    if industry is None:
        section = _wz_section(f.wz_code)
        if section and section in fit.industries:
            industry = (section, fit.industries[section])
    if industry:
        found.append(("industry", f"industry WZ {f.wz_code} matches {industry[0]}", industry[1]))
    size = fit.size_classes.get(f.size_class, 0)  # type: ignore[call-overload]
    found.append(("size_class", f"size class {f.size_class}", size))
    if (f.country or "DE").upper() == "DE":
        region = _prefix_match(fit.regions, f.postcode)
        if region:
            found.append(("region", f"postcode {f.postcode} in region {region[0]}", region[1]))
    if f.legal_form and f.legal_form in fit.legal_forms:
        found.append(("legal_form", f"legal form {f.legal_form}", fit.legal_forms[f.legal_form]))
    if f.decision_maker:
        found.append(("decision_maker", "decision maker known", fit.decision_maker_known))
    audience = fit.audiences.get(f.audience, 0)  # type: ignore[call-overload]
    found.append(("audience", f"audience {f.audience}", audience))
    return found


def _fit_max(cfg: ScoringConfig) -> float:
    fit = cfg.fit
    return (max(fit.industries.values(), default=0) + max(fit.size_classes.values())
            + max(fit.regions.values(), default=0) + max(fit.legal_forms.values(), default=0)
            + fit.decision_maker_known + max(fit.audiences.values()))


def _engagement_points(f: LeadFeatures, cfg: ScoringConfig, as_of: date
                       ) -> list[tuple[str, str, float]]:
    eng = cfg.engagement
    found = []
    for index, request in enumerate(sorted(f.requests, key=lambda r: r.on, reverse=True)):
        base = eng.request_types.get(request.kind, eng.request_types.get("other", 0))
        if index:
            base = eng.repeat_bonus
        age = max((as_of - request.on).days, 0)
        points = base * 0.5 ** (age / eng.half_life_days)
        label = (f"{request.kind} request {age} days ago" if index == 0
                 else f"another request ({request.kind}) {age} days ago")
        found.append(("request", label, points))
    return found


def _engagement_max(cfg: ScoringConfig) -> float:
    eng = cfg.engagement
    return max(eng.request_types.values(), default=0) + 3 * eng.repeat_bonus


def _quality_points(f: LeadFeatures, cfg: ScoringConfig) -> list[tuple[str, str, float]]:
    q = cfg.quality
    found = []
    if f.email_status == "valid":
        found.append(("valid_email", "e-mail deliverable", q.valid_email))
    elif f.email_status == "unknown":
        found.append(("valid_email", "e-mail syntax valid (deliverability not checked)",
                      q.valid_email / 2))
    if f.phone_e164:
        found.append(("e164_phone", "valid phone number", q.e164_phone))
    if f.address_complete:
        found.append(("complete_address", "complete postal address", q.complete_address))
    if f.impressum_confirms:
        found.append(("impressum", "company confirmed by its Impressum",
                      q.impressum_confirms_company))
    return found


def _quality_max(cfg: ScoringConfig) -> float:
    q = cfg.quality
    return q.valid_email + q.e164_phone + q.complete_address + q.impressum_confirms_company


def grade_for(total: float, cfg: ScoringConfig) -> str:
    for grade in GRADES[:-1]:
        if total >= getattr(cfg.grades, grade):
            return grade
    return GRADES[-1]


def score_lead(features: LeadFeatures, cfg: ScoringConfig, as_of: date) -> LeadScore:
    """Fit, engagement, quality (each 0–100), the weighted total, grade and explanation."""
    parts = {
        "fit": (_fit_points(features, cfg), _fit_max(cfg), cfg.weights.fit),
        "engagement": (_engagement_points(features, cfg, as_of), _engagement_max(cfg),
                       cfg.weights.engagement),
        "quality": (_quality_points(features, cfg), _quality_max(cfg), cfg.weights.quality),
    }
    scaled: dict[str, float] = {}
    contributions: list[Contribution] = []
    for part, (points, maximum, weight) in parts.items():
        earned = sum(p for _, _, p in points)
        capped = min(earned, maximum)
        scaled[part] = 100 * capped / maximum if maximum else 0.0
        # each factor's share of the total; scaled down together when a part hits its cap
        factor = 100 * weight / maximum * (capped / earned) if maximum and earned else 0.0
        contributions.extend(Contribution(part, name, detail, p * factor)
                             for name, detail, p in points)
    total = sum(scaled[p] * parts[p][2] for p in parts)
    return LeadScore(
        lead_id=features.lead_id, fit=round(scaled["fit"], 1),
        engagement=round(scaled["engagement"], 1), quality=round(scaled["quality"], 1),
        total=round(total, 1), grade=grade_for(total, cfg), contributions=tuple(contributions),
    )
