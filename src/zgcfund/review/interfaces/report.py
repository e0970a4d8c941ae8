"""The review report (评审报告) of one application, as PDF: the office's document of record of the
review — the submitted version, the formal-review decisions and comments, every expert's verdicts
and clause scores (experts named), per-clause aggregate and spread — the ranking's numbers
(``expert_reviews``: the selection plan's mean or trimmed mean, rescaled after a scheme change) —,
the engine's evaluation (a reference), and the history of review decisions. Always Chinese (a formal document).

Rendering as for the 申报书: Django templates build the HTML (``review/report/report.html``, CSS
inlined), WeasyPrint lays it out with the fonts-noto-cjk fonts, and no URL is ever fetched.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from zgcfund.applications.interfaces.panel import summary
from zgcfund.applications.interfaces.pdf import _refusing_fetcher, document_fingerprint
from zgcfund.applications.models import Application
from zgcfund.audit.models import AuditEvent
from zgcfund.core.numbers import display_number
from zgcfund.programmes.domain.conditions import conditions_notice
from zgcfund.review.domain import scoring
from zgcfund.review.domain.ranking import expert_reviews, office_settings
from zgcfund.review.domain.rescoring import stored_evaluation
from zgcfund.review.models.formal import FormalOutcome

__all__ = ["render_report_html", "render_report_pdf", "report_context"]

TEMPLATE = "review/report/report.html"
TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "review" / "report"
SHANGHAI = ZoneInfo("Asia/Shanghai")
EMPTY = "—"
OUTCOMES = {k: str(v) for k, v in FormalOutcome.choices}


def _when(value: dt.datetime | None) -> str:
    if value is None:
        return EMPTY
    local = value.astimezone(SHANGHAI)
    return f"{local:%Y-%m-%d %H:%M}"


def _number(value: Any) -> str:
    return display_number(value, places=2, empty=EMPTY)


def _cents(value: Decimal) -> str:
    """An aggregate as the ranking page and the exports show it: two decimals."""
    return format(value.quantize(Decimal("0.01")), "f")


def _aggregation_text(settings: dict[str, Any]) -> str:
    if settings["method"] == "trimmed_mean":
        method = f"逐条款去掉一个最高分和一个最低分后平均（评分专家不少于 {settings['trim_min_experts']} 人时；否则算术平均）"
    else:
        method = "算术平均"
    zero = "；已提交专家未评的条款按 0 分计" if settings.get("missing") == "zero" else ""
    return f"{method}{zero}；各条款四舍五入保留两位小数"


def report_context(application: Application) -> dict[str, Any]:
    org = application.organization
    submission = application.submissions.order_by("-number").first()
    # the version the review and ranking run under (the office may have changed the scheme since)
    version_row, programme = scoring.review_programme(application)
    records = {r["id"]: r for r in (submission.document["records"] if submission else [])}

    formal = [{
        "number": r.submission.number, "outcome": OUTCOMES.get(r.outcome, r.outcome), "passed": r.outcome == "passed",
        "reviewer": r.reviewer.get_full_name(), "at": _when(r.decided_at), "comment": r.comment,
        "comments": [{"key": c.record_key, "clause": c.clause, "comment": c.comment,
                      "title": (records.get(c.record_key) or {}).get("title", "")} for c in r.record_comments.all()],
    } for r in application.formal_reviews.select_related("reviewer", "submission").prefetch_related("record_comments")
        .order_by("decided_at", "pk")]

    # the experts' scores on this version's scale and their aggregate: the ranking's own computation
    review = expert_reviews(application.programme_code, version_row, application_ids=[application.pk]).get(application.pk)
    agg = review.aggregate if review is not None and review.aggregate is not None and review.aggregate.experts else None
    on_scale = {sheet.expert_id: sheet.scores for sheet in review.sheets} if review is not None else {}
    rescaled_any = False
    experts = []
    for a in scoring.all_reviews(application):
        scores = sorted(a.scores.all(), key=lambda s: list(programme.clauses).index(s.clause)
                        if s.clause in programme.clauses else len(programme.clauses))
        scaled = on_scale.get(a.expert_id, {})
        rows = []
        for s in scores:
            now = scaled.get(s.clause, s.score)
            rescaled_any |= now != s.score
            rows.append({"clause": s.clause, "title": programme.clauses[s.clause].title if s.clause in programme.clauses
                         else "", "score": _number(s.score), "scaled": _number(now) if now != s.score else "",
                         "comment": s.comment})
        experts.append({
            "name": a.expert.get_full_name(), "submitted": a.is_submitted, "submitted_at": _when(a.submitted_at),
            "number": a.submission.number, "scores": rows,
            "total": _number(sum((scaled.get(s.clause, s.score) for s in scores), Decimal(0))) if scores else EMPTY,
            "rejected": [{"key": v.record_key, "reason": v.reason,
                          "title": (records.get(v.record_key) or {}).get("title", "")}
                         for v in sorted(a.verdicts.all(), key=lambda v: v.record_key) if not v.accepted],
            "accepted": sum(1 for v in a.verdicts.all() if v.accepted),
        })

    evaluation = None
    if submission is not None:
        prior = stored_evaluation(submission, version_row)
        evaluation = summary(programme, prior, submission.evaluation_projected if prior is submission.evaluation_prior
                             else None)
    clauses = []
    for cid, clause in programme.clauses.items():
        c = agg.clauses.get(cid) if agg is not None else None
        values = [v for _expert, v in c.scores] if c is not None else []
        row = evaluation["by_id"].get(cid) if evaluation else None
        if not values and (row is None or row.status in scoring.UNSCORED_STATUSES):
            continue
        clauses.append({
            "id": cid, "title": clause.title, "n": len(values), "zero_filled": len(c.zero_filled) if c else 0,
            "trimmed": c is not None and c.method == "trimmed_mean",
            "mean": _cents(c.value) if c is not None else EMPTY,
            "min": _number(min(values)) if values else EMPTY,
            "max": _number(max(values)) if values else EMPTY,
            "spread": _number(max(values) - min(values)) if values else EMPTY,
            "engine_status": row.status_label if row else EMPTY,
            "engine_score": _number(row.score) if row else EMPTY,
        })

    events = [{"at": _when(e.at), "actor": e.actor.get_full_name() if e.actor else EMPTY, "action": e.action,
               "summary": e.summary}
              for e in AuditEvent.objects.filter(application=application)
              .filter(Q(action__startswith="formal.") | Q(action__startswith="review."))
              .select_related("actor").order_by("at", "pk")]

    return {
        "title": programme.title,
        "org_name": org.name, "credit_code": org.credit_code,
        "status": str(application.phase.staff_name),
        "submission": {"number": submission.number, "at": _when(submission.submitted_at),
                       "by": submission.submitted_by.get_full_name(),
                       "fingerprint": document_fingerprint(submission.document),
                       "records": len(records)} if submission else None,
        "version": {"number": version_row.version, "scoring": version_row.scoring_version, "sha256": version_row.sha256,
                    "same_as_submitted": bool(submission) and submission.programme_sha256 == version_row.sha256},
        "formal": formal, "experts": experts, "clauses": clauses, "evaluation": evaluation,
        "aggregate": {"total": _cents(agg.total), "families": {f: _cents(v) for f, v in agg.families.items()},
                      "complete": agg.complete, "reasons": agg.reasons} if agg is not None else None,
        "aggregation": _aggregation_text(office_settings(application.programme_code)), "rescaled": rescaled_any,
        "events": events, "generated_at": _when(timezone.now()),
        "conditions_notice": conditions_notice(version_row),
        "programme": programme,  # rule names (programme_tags.rule_text)
    }


def render_report_html(application: Application) -> str:
    with translation.override("zh-hans"):
        return render_to_string(TEMPLATE, report_context(application))


def render_report_pdf(application: Application) -> bytes:
    from weasyprint import HTML  # heavy import, only where a PDF is made

    html = render_report_html(application)
    return HTML(string=html, base_url=TEMPLATE_DIR.as_uri() + "/", url_fetcher=_refusing_fetcher()).write_pdf()
