"""Campaigns: what §7(3) UWG needs to know about a mailing before it can allow it.

§7(3) allows e-mail to an existing customer without consent only for the company's own
*similar* goods (eligibility-rules.md section 4.1, rule E6), so the decision depends on what a
mailing advertises. A campaign is data, one YAML file per campaign in the configuration
directory (`config/campaigns/<name>.yaml`): its channel, the product category it advertises,
the categories that count as similar (read narrowly: accessories, consumables, the same
typical use), its dates, and whether the mail carries the §7(3) objection notice.

This module reads, validates and writes those files (errors name the file and the key) and
turns a campaign plus a stored case (`core.eligibility_decisions.inputs`) into the case's
`campaign` object and the engine's decision for the campaign's channel. Pure apart from the
configuration files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from compliance.case import case_from_dict
from compliance.engine import ChannelDecision, evaluate
from compliance.thresholds import EligibilityConfig
from foundation.config import ConfigError, config_version, load_file, validate
from foundation.private import write_atomic

CAMPAIGNS_FOLDER = "campaigns"
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
CampaignChannel = Literal["email", "sms"]
"""The channels §7(3) speaks of (electronic mail); for SMS the rules answer review (S3)."""

NOTICE_COMMENT = (
    "# message_includes_objection_notice: true only if the mail template carries the §7(3)\n"
    "# notice in every mail: the customer may object to these mails at any time, at no\n"
    "# cost beyond the basic transmission rates (UWG §7(3) Nr. 4). Without it, no customer\n"
    "# is mailed under §7(3) (rule E6, uwg7_3_no_notice).\n")
SIMILAR_COMMENT = (
    "# similar_categories: product categories of earlier purchases that count as similar to\n"
    "# product_category. Read narrowly: accessories, consumables, or the same typical use\n"
    "# (eligibility-rules.md 4.1). product_category itself always counts.\n")


class CampaignError(ConfigError):
    """A campaign that is unknown, invalid, already exists, or does not run on the day."""


class Campaign(BaseModel):
    """One campaign file (`config/campaigns/<name>.yaml`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    channel: CampaignChannel
    product_category: str = Field(min_length=1)
    similar_categories: tuple[Annotated[str, Field(min_length=1)], ...] = ()
    starts: date
    ends: date | None = None
    message_includes_objection_notice: bool = True

    @field_validator("name")
    @classmethod
    def _file_name(cls, name: str) -> str:
        if not re.match(NAME_PATTERN, name):
            raise ValueError(f"{name!r}: a campaign's name is its file name: lower-case "
                             "letters, digits, - and _, e.g. toner-fruehjahr")
        return name

    @field_validator("ends")
    @classmethod
    def _after_start(cls, ends: date | None, info: ValidationInfo) -> date | None:
        starts = info.data.get("starts")
        if ends is not None and starts is not None and ends < starts:
            raise ValueError(f"{ends} is before starts ({starts})")
        return ends

    @property
    def categories(self) -> frozenset[str]:
        """The product category and its similar ones, compared case-insensitively."""
        return frozenset(_fold(c) for c in (self.product_category, *self.similar_categories))

    def document(self) -> dict[str, Any]:
        """The file's content as plain data."""
        data = self.model_dump(exclude_none=True)
        data["similar_categories"] = list(self.similar_categories)
        return data

    @property
    def version(self) -> str:
        """sha256 of the campaign's content (16 hex digits), logged with each export."""
        return config_version(self.document())


@dataclass(frozen=True)
class LoadedCampaign:
    campaign: Campaign
    path: Path


def _fold(category: str) -> str:
    return " ".join(category.split()).casefold()


def campaigns_dir(config_dir: Path) -> Path:
    return config_dir / CAMPAIGNS_FOLDER


def _parse(path: Path) -> Campaign:
    campaign = load_file(path, Campaign).value
    if campaign.name != path.stem:
        raise CampaignError(f"{path}: name: {campaign.name!r} differs from the file name; "
                            f"rename the file to {campaign.name}.yaml or set name: {path.stem}")
    return campaign


def list_campaigns(config_dir: Path) -> list[LoadedCampaign]:
    """Every campaign file, by name; the first invalid file raises ConfigError."""
    folder = campaigns_dir(config_dir)
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    return [LoadedCampaign(_parse(path), path) for path in paths]


def load_campaign(config_dir: Path, name: str) -> LoadedCampaign:
    """The campaign of that name; a name that cannot be a campaign's file is not looked up
    (it could lead out of the campaigns folder)."""
    path = campaigns_dir(config_dir) / f"{name}.yaml"
    if not re.match(NAME_PATTERN, name) or not path.is_file():
        known = [p.stem for p in sorted(campaigns_dir(config_dir).glob("*.yaml"))]
        hint = (f"known campaigns: {', '.join(known)}" if known
                else "none is defined yet")
        raise CampaignError(f"no campaign {name!r} in {campaigns_dir(config_dir)} ({hint}); "
                            f"create it with `leadpipe campaign add {name} --channel email "
                            "--product-category CATEGORY`")
    return LoadedCampaign(_parse(path), path)


def new_campaign(values: Mapping[str, Any]) -> Campaign:
    """A campaign from command-line values; ConfigError naming the key."""
    return validate(dict(values), Campaign, f"campaign {values.get('name')}")


def write_campaign(config_dir: Path, campaign: Campaign, force: bool = False) -> Path:
    """Write `config/campaigns/<name>.yaml`; an existing file only with `force`."""
    path = campaigns_dir(config_dir) / f"{campaign.name}.yaml"
    if path.exists() and not force:
        raise CampaignError(f"{path} exists; edit it, or pass --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump(campaign.document(), allow_unicode=True, sort_keys=False)
    write_atomic(path, (NOTICE_COMMENT + SIMILAR_COMMENT + body).encode("utf-8"))
    return path


def check_running(campaign: Campaign, day: date) -> None:
    """A campaign's mails go out between its start and end dates, not before or after."""
    if day < campaign.starts:
        raise CampaignError(f"campaign {campaign.name} starts on {campaign.starts}; it cannot "
                            f"be exported on {day} (change starts: in its file to export now)")
    if campaign.ends is not None and day > campaign.ends:
        raise CampaignError(f"campaign {campaign.name} ended on {campaign.ends}; it cannot be "
                            f"exported on {day} (set a later ends: in its file, or add a new "
                            "campaign)")


def purchased_categories(case: Mapping[str, Any]) -> list[str]:
    """Product categories of the case's purchases in which the e-mail address was collected
    (§7(3) Nr. 1: similar to the goods of *that* sale)."""
    return [e["product_category"] for e in case.get("evidence") or ()
            if e.get("kind") == "purchase" and e.get("email_collected_in_sale") is True
            and e.get("product_category")]


def case_campaign(campaign: Campaign, purchased: Iterable[str]) -> dict[str, Any]:
    """The case's `campaign` object (section 10): similar when the customer bought in the
    campaign's category or one of its similar categories."""
    return {"product_category": campaign.product_category,
            "similar_to_purchased": any(_fold(c) in campaign.categories for c in purchased),
            "message_includes_objection_notice": campaign.message_includes_objection_notice}


def depends_on_campaign(rule: str, case: Mapping[str, Any]) -> bool:
    """Whether a stored decision may change with the campaign: it rests on §7(3) (E6), or the
    lead has purchase evidence."""
    return rule == "E6" or any(e.get("kind") == "purchase" for e in case.get("evidence") or ())


def decide_for_campaign(case: Mapping[str, Any], campaign: Campaign, as_of: date,
                        config: EligibilityConfig) -> ChannelDecision:
    """The stored case decided again on `as_of` with the campaign, for its channel."""
    with_campaign = {**case, "as_of": as_of.isoformat(),
                     "campaign": case_campaign(campaign, purchased_categories(case))}
    parsed, _warnings = case_from_dict(with_campaign)
    decided = evaluate(parsed, config.thresholds, config.parameter_aliases)
    return decided.channels[campaign.channel]
