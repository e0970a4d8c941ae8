"""Office ranking page: the programme's applications in ranking order, with filters, column sorting
and pagination (GET parameters)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_noop

from zgcfund.accounts.views.access import office_required
from zgcfund.programmes.domain.conditions import conditions_notice
from zgcfund.review.domain.plan import AGGREGATION_METHODS
from zgcfund.review.domain.ranking import current_ranking

PER_PAGE = 100
# column headers, translated in the template
COLUMNS = [("rank", gettext_noop("名次")), ("org", gettext_noop("申报单位")), ("k", gettext_noop("K 科技重点工作")),
           ("p", gettext_noop("P 专业服务能力")), ("total", gettext_noop("专家汇总总分")),
           ("engine", gettext_noop("系统评估总分（参考）")), ("experts", gettext_noop("已提交专家"))]
# sortable columns: GET name -> key on a table row (None sorts last)
SORTS = {"rank": "position", "org": "organization", "k": "k", "p": "p", "total": "total",
         "engine": "engine_total", "experts": "experts"}


def _rows(programme_ranking) -> list[dict]:
    out = []
    for r in programme_ranking.ranking.rows:
        d = programme_ranking.details[r.application_id]
        agg = d.aggregate
        shown = agg is not None and r.row.complete  # no subtotals for an unfinished review
        out.append({"position": r.position, "rank": r.rank, "tied": r.tied, "reason": r.reason,
                    "application_id": r.application_id, "organization": r.row.organization_name,
                    "eligible": r.row.eligible, "rules": d.gate_rules, "complete": r.row.complete,
                    "k": r.row.k_subtotal if shown else None, "p": r.row.p_subtotal if shown else None,
                    "total": r.row.total if shown else None, "engine_total": d.engine_total, "flagged": d.flagged,
                    "experts": d.experts_submitted, "assigned": d.experts_assigned, "decided_by": r.decided_by})
    return out


@office_required
def ranking(request, code: str):
    programme_ranking = current_ranking(code)
    if programme_ranking is None:
        raise Http404
    rows = _rows(programme_ranking)
    total_count = len(rows)
    eligible_only = request.GET.get("eligible") == "1"
    flagged_only = request.GET.get("flagged") == "1"
    q = (request.GET.get("q") or "").strip()
    if eligible_only:
        rows = [r for r in rows if r["eligible"]]
    if flagged_only:
        rows = [r for r in rows if r["flagged"]]
    if q:
        rows = [r for r in rows if q.lower() in r["organization"].lower()]
    sort = request.GET.get("sort") or "rank"
    descending = sort.startswith("-")
    column = SORTS.get(sort.lstrip("-"))
    if column is None:
        sort, descending, column = "rank", False, "position"
    if column != "position" or descending:
        present = [r for r in rows if r[column] is not None]
        missing = [r for r in rows if r[column] is None]
        present.sort(key=lambda r: (r[column], r["position"]), reverse=descending)
        rows = present + missing
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    context = {"code": code, "page": page, "total_count": total_count, "shown": len(rows),
               "keys": programme_ranking.ranking.keys, "settings": programme_ranking.settings,
               "eligible_only": eligible_only, "flagged_only": flagged_only, "q": q, "sort": sort,
               "query": params.urlencode(), "sort_query": sort_params.urlencode(),
               "columns": COLUMNS, "method_label": AGGREGATION_METHODS.get(programme_ranking.settings["method"], ""),
               "conditions_notice": conditions_notice(programme_ranking.programme_year),
               "programme_title": programme_ranking.programme_year.title}
    return render(request, "review/ranking.html", context)
