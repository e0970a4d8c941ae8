"""What-if for a draft scheme edit: the ranking under the current version and under the edited,
unsaved programme, and who moves (core ``what_if``), with the office's planned selection applied to
both so selection changes show too."""

from __future__ import annotations

from dataclasses import dataclass

from zgcfund.core.programme import Programme
from zgcfund.core.ranking import RankingInputError
from zgcfund.core.scheme import SchemeChange, scheme_changes
from zgcfund.core.selection import WhatIf, what_if
from zgcfund.programmes.domain.loading import parsed
from zgcfund.programmes.models import ProgrammeYear
from zgcfund.review.domain.plan import plan_for
from zgcfund.review.domain.ranking import build_ranking, current_ranking


@dataclass(frozen=True)
class SchemeWhatIf:
    changes: list[SchemeChange]
    result: WhatIf
    selection_spec: dict | None
    ranked_before: int
    ranked_after: int

    @property
    def moved(self) -> list:
        return [m for m in self.result.movements if m.changed]


def scheme_what_if(row: ProgrammeYear, edited: Programme) -> SchemeWhatIf:
    # the ranking as it stands (the page's, reused when unchanged) against the draft's
    before = current_ranking(row.code) if row.is_current else build_ranking(row.code, programme_year=row)
    after = build_ranking(row.code, programme_year=row, programme=edited)
    plan = plan_for(row.code)
    spec = plan.selection_spec if plan and plan.selection_spec else None
    try:
        result = what_if(before.ranking, after.ranking, selection=spec)
    except RankingInputError:  # the plan no longer fits (e.g. bands past the ranking): ranks only
        spec = None
        result = what_if(before.ranking, after.ranking)
    return SchemeWhatIf(scheme_changes(parsed(row), edited), result, spec, len(before.ranking.ranked),
                        len(after.ranking.ranked))
