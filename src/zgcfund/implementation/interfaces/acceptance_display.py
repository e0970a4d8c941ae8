"""The acceptance as pages and the PDF show it: the commitments by clause with the organization's reported
delivery and the office's verification, the final-basis evaluation against the application's prior one per
clause (with a server-side SVG chart), and X-P-GROW per P area."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zgcfund.applications.interfaces.forms import display_value
from zgcfund.core.programme import Programme
from zgcfund.implementation.domain import acceptance as domain
from zgcfund.implementation.interfaces.charts import BarChart, Series
from zgcfund.implementation.interfaces.display import commitment_groups
from zgcfund.implementation.models import Commitment, CommitmentStatus, Contract


def commitment_evidence(commitment: Commitment) -> list[dict]:
    """The supporting files the organization's reports attached to the commitment: ``[{"name", "url", "kind"}]``."""
    return [{"name": e.name, "kind": e.kind,
             "url": reverse("implementation:evidence_download", args=[commitment.contract.application_id, e.pk])}
            for e in commitment.evidence.all()]

ASSESSED_CHOICES = [(s.value, s.label) for s in domain.ASSESSED]


def _figures_text(programme: Programme, c: Commitment, figures: dict) -> list[tuple[str, str]]:
    clause = programme.clauses.get(c.clause)
    specs = clause.fields if clause else {}
    return [(specs[k].label, display_value(specs[k], v)) if k in specs else (k, str(v)) for k, v in figures.items()]


def assessment_groups(contract: Contract, programme: Programme, posted: dict[int, tuple[Any, dict]] | None = None) -> list[dict]:
    """The commitments by clause, each row with its targets, the organization's reported delivery, the
    office's side (as recorded, prefilled from the report, or as just typed when ``posted`` holds the row's
    data and errors), the figure fields to state and the evidence the report attached."""
    posted = posted or {}
    groups = commitment_groups(contract)
    for g in groups:
        for row in g["rows"]:
            c = row["commitment"]
            side = domain.office_side(c)
            data, errors = posted.get(c.pk, (None, {}))
            if data is not None:
                side = {"status": data.get("status", ""), "reason": data.get("reason", ""),
                        "verified": data.get("verified") == "on",
                        "delivered": {k[4:]: data.get(k, "") for k in data if k.startswith("fig_")},
                        "delivered_on": data.get("delivered_on", ""), "assessed": side["assessed"]}
            delivered_on = side["delivered_on"]
            row.update(
                office=side, errors=errors,
                delivered_on_text=delivered_on.isoformat() if hasattr(delivered_on, "isoformat") else delivered_on or "",
                figures=[{"name": name, "label": label, "value": side["delivered"].get(name, c.targets.get(name, "")),
                          "error": errors.get(f"fig_{name}", "")} for name, label in domain.figure_fields(programme, c)],
                reported={"status": c.get_reported_status_display(), "pending": c.reported_status == CommitmentStatus.PENDING,
                          "figures": _figures_text(programme, c, c.delivered), "delivered_on": c.delivered_on,
                          "note": c.delivery_note},
                office_figures=_figures_text(programme, c, c.office_delivered),
                evidence=commitment_evidence(c))
    return groups


def _score(evaluation: dict | None, cid: str | None = None) -> Decimal | None:
    if not evaluation:
        return None
    if cid is None:
        return Decimal(str((evaluation.get("score") or {}).get("total", 0)))
    clause = (evaluation.get("clauses") or {}).get(cid)
    return Decimal(str(clause.get("score", 0))) if clause else None


STATUS_LABELS = {"met": gettext_lazy("满足"), "not_met": gettext_lazy("不满足"), "not_declared": gettext_lazy("未申报"),
                 "not_chosen": gettext_lazy("未选取"), "not_applicable": gettext_lazy("不适用")}


def final_panel(programme: Programme, prior: dict | None, final: dict | None) -> dict:
    """Per clause touched on either side: the prior score (the application, as selection ranked it) and the
    final score (at acceptance), the final status, the records the final basis left out and why; the chart
    of both; the totals, eligibility, problems and warnings on the final basis."""
    rows = []
    for cid, clause in programme.clauses.items():
        p = ((prior or {}).get("clauses") or {}).get(cid) or {}
        f = ((final or {}).get("clauses") or {}).get(cid) or {}
        if not (p.get("counted") or p.get("rejected") or f.get("counted") or f.get("rejected") or p.get("score")
                or f.get("score")):
            continue
        rows.append({"clause": cid, "title": clause.title, "prior": _score(prior, cid), "final": _score(final, cid),
                     "prior_status": STATUS_LABELS.get(p.get("status"), p.get("status") or "—"),
                     "status": STATUS_LABELS.get(f.get("status"), f.get("status") or "—"),
                     "counted": f.get("counted") or [], "rejected": f.get("rejected") or []})
    chart = BarChart(_("各条款得分：申报时与验收时"), [r["clause"] for r in rows],
                     [Series(_("申报时（前期绩效）"), [r["prior"] for r in rows]),
                      Series(_("验收时（验收口径）"), [r["final"] for r in rows])], unit=_(" 分"))
    final = final or {}
    return {"rows": rows, "chart": chart.svg() if rows else "", "prior_total": _score(prior),
            "final_total": _score(final) if final else None, "eligible": final.get("eligible"),
            "problems": final.get("problems") or [], "warnings": final.get("warnings") or [],
            "deferred": final.get("deferred") or []}


def _kind_labels(programme: Programme, kinds: list[str]) -> list[str]:
    out = []
    for kind in kinds:
        cid, _sep, value = kind.partition(":")
        clause = programme.clauses.get(cid)
        spec = clause.fields.get("type") if clause else None
        out.append(str((spec.values or {}).get(value, value)) if spec else value)
    return out


def pgrow_panel(programme: Programme, pgrow: dict | None) -> dict | None:
    """X-P-GROW per P area touched on either side: kinds, scope and quantities before → after, the verdict."""
    if not pgrow:
        return None
    areas = []
    for a in pgrow.get("areas", []):
        if not (a["before"]["records"] or a["after"]["records"]):
            continue
        areas.append({**a, "kinds_before": _kind_labels(programme, a["before"]["kinds"]),
                      "kinds_after": _kind_labels(programme, a["after"]["kinds"]),
                      "scope_before": len(a["before"]["scope"]), "scope_after": len(a["after"]["scope"])})
    verdict = {"grew": _("专业服务能力有提升"), "did_not_grow": _("专业服务能力未见提升")}.get(pgrow.get("verdict"),
                                                                                   _("无法判断"))
    return {"verdict": pgrow.get("verdict"), "verdict_label": verdict, "areas": areas,
            "reasons": [r["message"] if isinstance(r, dict) else r for r in pgrow.get("reasons", [])],
            "error": pgrow.get("error", "")}
