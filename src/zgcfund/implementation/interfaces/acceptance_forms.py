"""Request parsing for the acceptance pages: one commitment's assessment and the conclusion. Returns what
``domain.acceptance`` takes, or raises ``AcceptanceInvalid`` keyed by field name for what is not a date."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from zgcfund.implementation.domain.acceptance import AcceptanceInvalid
from zgcfund.implementation.interfaces.forms import field_text
from zgcfund.implementation.interfaces.forms import parse_date as parse_field_date

FIGURE_PREFIX = "fig_"


def parse_date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def assessment_input(data) -> dict:
    errors: dict[str, str] = {}
    delivered_on = parse_field_date(data, "delivered_on", _("实际完成日期"), errors)
    if errors:
        raise AcceptanceInvalid(errors)
    return {"status": field_text(data, "status"), "reason": field_text(data, "reason"), "verified": data.get("verified") == "on",
            "delivered": {k[len(FIGURE_PREFIX):]: field_text(data, k) for k in data if k.startswith(FIGURE_PREFIX)},
            "delivered_on": delivered_on}


def conclusion_input(data) -> dict:
    errors: dict[str, str] = {}
    accepted_on = parse_field_date(data, "accepted_on", _("验收日期"), errors)
    if errors:
        raise AcceptanceInvalid(errors)
    return {"accepted_on": accepted_on, "conclusion": field_text(data, "conclusion"), "comments": field_text(data, "comments"),
            "rectification": field_text(data, "rectification")}
