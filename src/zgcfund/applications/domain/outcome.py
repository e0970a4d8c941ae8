"""What the applicant learns at publication: whether its application was selected (its band and amount),
the notice period (公示) and what comes next.

The selection lives in the review app, above this one; applications does not import it. The review app
installs its query here when Django starts (ReviewConfig.ready), as for ``feedback.open_comments``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zgcfund.applications.models import Application


def _none(application: Application) -> Any:
    return None


#: ``published_outcome(application)`` → None before the programme's selection is published (or when it does
#: not list the application), else ``{"selected": bool, "band": str, "amount": str (万元, "" if none),
#: "published_at": datetime, "notice_ends_on": date, "notice_ended": bool}``
published_outcome: Callable[[Application], dict | None] = _none


def outcome_for(application: Application) -> dict | None:
    """The published outcome, only while the application's phase is the selection's result (ranked and past
    expert review: selected, not selected, notice period ended); None in any other phase (still in review,
    withdrawn before publication, or already past the contract)."""
    phase = application.phase
    if not phase.ranked or phase.expert_review:
        return None
    return published_outcome(application)
