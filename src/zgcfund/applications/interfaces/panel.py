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
            projected_status=p.get("status", ""), projected_score=p.get("score")))
    return rows


def summary(programme: Programme, prior: dict, projected: dict | None) -> dict[str, Any]:
    rows = clause_rows(programme, prior, projected)
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
