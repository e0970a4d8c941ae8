"""The live evaluation panel's content: the engine's zgc-evaluation/1 result, flattened for reading."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from zgcfund.core.programme import Programme

STATUS_LABELS = {
    "met": _("达到"),
    "not_met": _("未达到"),
    "not_declared": _("未申报"),
    "not_chosen": _("未选取"),
    "not_applicable": _("不适用"),
}


@dataclass
class ClauseRow:
    id: str
    title: str
    area: str
    family: str
    status: str
    status_label: str
    score: Any
    counted: int
    rejected: list[dict]
    failed: list[str] = field(default_factory=list)
    projected_status: str = ""
    projected_score: Any = None
    missing_evidence: list[dict] = field(default_factory=list)  # counted prior records lacking a required kind
    lead_times: list[dict] = field(default_factory=list)  # K3.2/K3.3: working days from notice to registration


def _failed_checks(node: dict, out: list[str]) -> None:
    if node.get("passed"):
        return
    items = node.get("items")
    if items:
        if node.get("combine") == "any":
            out.append(str(_("%(check)s：以下条件均未满足") % {"check": node.get("check", "")}))
        for item in items:
            _failed_checks(item, out)
        return
    if "value" in node:
        out.append(str(_("%(check)s：%(value)s，要求 %(op)s %(threshold)s") % {
            "check": node.get("check", ""), "value": node.get("value"), "op": node.get("op", ""),
            "threshold": node.get("threshold")}))
    elif node.get("check"):
        out.append(str(node["check"]))


def clause_rows(programme: Programme, prior: dict, projected: dict | None = None) -> list[ClauseRow]:
    rows = []
    for cid, clause in programme.clauses.items():
        c = prior["clauses"][cid]
        failed: list[str] = []
        if c["status"] == "not_met":
            _failed_checks(c.get("trace", {}).get("condition", {}), failed)
        p = projected["clauses"][cid] if projected else {}
        rows.append(ClauseRow(
            id=cid, title=clause.title, area=clause.area, family=clause.family, status=c["status"],
            status_label=str(STATUS_LABELS.get(c["status"], c["status"])), score=c.get("score", 0),
            counted=len(c.get("counted", [])), rejected=c.get("rejected", []), failed=failed,
            projected_status=p.get("status", ""), projected_score=p.get("score"),
            missing_evidence=c.get("missing_evidence", [])))
    return rows


def lead_times(programme: Programme, document: dict | None, result: dict) -> dict[str, list[dict]]:
    """Per clause with a working-day rule (K3.2/K3.3), its counted records' working days between the two
    dates (notice and registration), and whether the earlier date is self-declared."""
    from zgcfund.applications.domain.notices import NOTICE_REF, lead_working_days, working_day_rule

    if not document or not isinstance(document.get("records"), list):
        return {}
    records = {r.get("id"): r for r in document["records"] if isinstance(r, dict)}
    out: dict[str, list[dict]] = {}
    for cid, clause in programme.clauses.items():
        rule = working_day_rule(clause)
        c = result["clauses"].get(cid, {})
        if rule is None or not c.get("counted"):
            continue
        earlier, later = rule[0], rule[1]
        declared = {d["record"] for d in c.get("self_declared", []) if d.get("field") == earlier}
        for rid in c["counted"]:
            r = records.get(rid, {})
            days = lead_working_days(r.get(earlier), r.get(later))
            if days is not None:
                out.setdefault(cid, []).append({"record": rid, "days": days, "self_declared": rid in declared,
                                                "notice_ref": r.get(NOTICE_REF)})
    return out


def summary(programme: Programme, prior: dict, projected: dict | None, document: dict | None = None) -> dict[str, Any]:
    rows = clause_rows(programme, prior, projected)
    leads = lead_times(programme, document, prior)
    for row in rows:
        row.lead_times = leads.get(row.id, [])
    return {
        "rows": rows,
        "by_id": {r.id: r for r in rows},
        "eligible": prior["eligible"],
        "problems": prior["problems"],
        "warnings": prior.get("warnings", []),  # X-K1-TWO / X-K3-TWO unresolved choice, K5.2 overlaps (not gates)
        "score": prior["score"],
        "projected_score": projected["score"] if projected else None,
        "projected_eligible": projected["eligible"] if projected else None,
        "deferred": prior.get("deferred", []),
    }
