"""The application PDF (申报书): a pure function of the frozen submission snapshot.

Everything shown comes from :class:`ApplicationSnapshot` (the document as submitted, the engine's
evaluations of it, the programme file it was written under), never from live database rows, so the
PDF shows exactly what was submitted. The PDF is a formal document and always Chinese, whatever the
language of the user who submits it.

Rendering: Django's template engine builds the HTML (``applications/pdf/application.html``, CSS
inlined from the same folder), WeasyPrint lays it out with the Debian ``fonts-noto-cjk`` fonts
selected by CSS ``font-family``. No resource is fetched: the HTML references no URL, and the URL
fetcher refuses any request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import translation

from zgcfund.core.numbers import display_number
from zgcfund.core.programme import ClauseDef, FieldSpec, Programme

__all__ = ["ApplicationSnapshot", "document_fingerprint", "render_application_html", "render_application_pdf"]

TEMPLATE = "applications/pdf/application.html"
TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "applications" / "pdf"
SHANGHAI = ZoneInfo("Asia/Shanghai")

STATUS = {  # status -> (label, css class)
    "met": ("达到", "ok"),
    "not_met": ("未达到", "bad"),
    "not_declared": ("未申报", "muted"),
    "not_chosen": ("未选择", "muted"),
    "not_applicable": ("不适用", "muted"),
}
PHASE_LABELS = {"prior": "前期", "plan": "计划"}
EMPTY = "—"
NOT_COUNTED = ("未计入", "", "muted")
# A clause whose fields fit as table columns; wider ones list "label：value" in one column.
MAX_FIELD_COLUMNS = 4
# Record tables use a fixed layout (fast, predictable): widths in mm of the 174 mm text block.
TEXT_WIDTH = 174
FIXED_COLUMNS = {"id": 13, "date": 18, "evidence": 8, "prior": 16, "projected": 16}
DETAILS_WIDTH = 66
TITLE_WEIGHT = 2.0
LONG_ROW = 600  # characters: a row this long may split across pages (else rows stay whole)
FIELD_WEIGHTS = {"party": 1.6, "contact": 1.1, "bool": 0.75, "count": 0.75, "amount": 0.9, "industry_code": 0.8}


@dataclass(frozen=True)
class ApplicationSnapshot:
    """What was submitted, frozen: the only input of the PDF."""

    document: dict  # zgc-application/1 as submitted
    evaluation_prior: dict  # zgc-evaluation/1, basis "prior"
    evaluation_projected: dict  # zgc-evaluation/1, basis "projected"
    programme: Programme
    organization: dict  # name, credit_code, registration_type_label, comprehensive, registers_tech_contracts, contact_*
    submission_number: int
    submitted_at: dt.datetime  # aware
    submitted_by: str
    programme_version: str
    evidence: list[dict] = field(default_factory=list)  # {record_id, clause, name, sha256, size, content_type, uploaded}
    draft: bool = False  # a preview of an unsubmitted application: "草稿" watermark on every page


def document_fingerprint(document: dict) -> str:
    """SHA-256 of the canonical JSON of a document (sorted keys, no whitespace, UTF-8)."""
    canonical = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- value formatting -----------------------------------------------------------------------------

def _number(value: Any) -> str:
    """12 -> "12", 1200.5 -> "1,200.5", 3.0 -> "3"."""
    if isinstance(value, bool) or value is None:
        return EMPTY
    try:
        return display_number(value, grouping=True)
    except ValueError:
        return str(value)


def _size(size: Any) -> str:
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return EMPTY
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _date(value: Any) -> str:
    if not value:
        return EMPTY
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass
class Cell:
    text: str
    sub: str = ""  # a second, smaller line (a credit code, a phone number)
    css: str = ""


def _cell(spec: FieldSpec, value: Any) -> Cell:
    if value is None or value == "" or value == []:
        return Cell(EMPTY, css="empty")
    kind = spec.type
    if kind == "bool":
        return Cell("是" if value else "否") if isinstance(value, bool) else Cell(str(value))
    if kind == "amount":
        text = _number(value)
        return Cell(text if "万元" in spec.label else f"{text} 万元", css="num")
    if kind == "count":
        return Cell(_number(value), css="num")
    if kind == "enum":
        return Cell((spec.values or {}).get(value, str(value)))
    if kind == "set":
        items = value if isinstance(value, list | tuple) else [value]
        return Cell("、".join((spec.values or {}).get(v, str(v)) for v in items))
    if kind == "party" and isinstance(value, dict):
        return Cell(str(value.get("name") or EMPTY), str(value.get("credit_code") or ""), css="party")
    if kind == "contact" and isinstance(value, dict):
        return Cell(str(value.get("name") or EMPTY), str(value.get("phone") or ""))
    if kind == "text":
        return Cell(str(value), css="text")
    return Cell(str(value))


# --- the view model -------------------------------------------------------------------------------

def _record_marks(evaluation: dict, clause_result: dict | None) -> dict[str, tuple[str, str, str]]:
    """record id -> (verdict, rule ID, css) on one basis; the first rejection is the reason."""
    marks: dict[str, tuple[str, str, str]] = {}
    for rid in evaluation.get("outside_basis") or ():
        marks[rid] = ("口径外", "", "muted")
    if clause_result:
        for rid in clause_result.get("counted") or ():
            marks[rid] = ("计入", "", "ok")
        for rej in clause_result.get("rejected") or ():
            rid = rej["record"]
            if marks.get(rid, ("", "", ""))[2] != "bad":
                marks[rid] = ("不计入", rej["rule"], "bad")
    return marks


def _clause_result(evaluation: dict, cid: str) -> dict:
    result = (evaluation.get("clauses") or {}).get(cid) or {}
    label, css = STATUS.get(result.get("status", ""), (result.get("status") or EMPTY, "muted"))
    return {
        "status": label,
        "css": css,
        "score": _number(result.get("score", 0)),
        "rejected": [{"record": r["record"], "rule": r["rule"], "message": r["message"]}
                     for r in result.get("rejected") or ()],
        "excluded_by": result.get("score_excluded_by") or "",
        "missing_evidence": "；".join(f"{m['record']}：{m['message']}" for m in result.get("missing_evidence") or ()),
        "raw": result,
    }


def _clause_view(clause: ClauseDef, records: list[dict], snap: ApplicationSnapshot) -> dict:
    specs = list(clause.fields.values())
    as_columns = len(specs) <= MAX_FIELD_COLUMNS and not any(s.type == "text" for s in specs)
    prior = _clause_result(snap.evaluation_prior, clause.id)
    projected = _clause_result(snap.evaluation_projected, clause.id)
    prior_marks = _record_marks(snap.evaluation_prior, prior["raw"])
    projected_marks = _record_marks(snap.evaluation_projected, projected["raw"])
    rows = []
    for r in records:
        cells = [_cell(s, r.get(s.name)) for s in specs]
        rid = str(r.get("id", ""))
        rows.append({
            "id": rid,
            "phase": PHASE_LABELS.get(r.get("phase"), str(r.get("phase") or EMPTY)),
            "date": str(r.get("date") or EMPTY),
            "title": str(r.get("title") or EMPTY),
            "cells": cells if as_columns else [],
            "details": [] if as_columns else [(s.label, c) for s, c in zip(specs, cells, strict=True)
                                               if c.css != "empty"],
            "evidence": len(r.get("evidence") or ()),
            "long": sum(len(c.text) for c in cells) + len(str(r.get("title") or "")) > LONG_ROW,
            "prior": prior_marks.get(rid, NOT_COUNTED),
            "projected": projected_marks.get(rid, NOT_COUNTED),
        })
    free = TEXT_WIDTH - sum(FIXED_COLUMNS.values())
    if as_columns:
        weights = [TITLE_WEIGHT] + [FIELD_WEIGHTS.get(s.type, 1.0) for s in specs]
        widths = [f"{free * w / sum(weights):.1f}" for w in weights]
    else:
        widths = [str(free - DETAILS_WIDTH), str(DETAILS_WIDTH)]
    listed = {r["record"] for r in prior["rejected"]}
    return {
        "id": clause.id,
        "title": clause.title,
        # plan records rejected on the projected basis (their reasons are not in the prior list)
        "projected_only_rejected": [r for r in projected["rejected"] if r["record"] not in listed],
        "basic_condition": clause.basic_condition,
        "title_width": widths[0],
        "columns": list(zip([s.label for s in specs], widths[1:], strict=True)) if as_columns else [],
        "details_width": widths[1] if not as_columns else 0,
        "as_columns": as_columns,
        "fixed": FIXED_COLUMNS,
        "rows": rows,
        "prior": prior,
        "projected": projected,
    }


def _families(snap: ApplicationSnapshot) -> list[dict]:
    prog = snap.programme
    by_clause: dict[str, list[dict]] = {}
    for r in snap.document.get("records") or ():
        by_clause.setdefault(str(r.get("clause")), []).append(r)
    families = []
    for fid, spec in prog.families.items():
        areas = []
        for area in spec["areas"]:
            members = [c for c in prog.clauses.values() if c.area == area]
            areas.append({
                "id": area,
                "title": prog.areas.get(area, ""),
                "single": [c.id for c in members] == [area],  # the area is its own one clause (K2, P1 …)
                "clauses": [_clause_view(c, by_clause.get(c.id, []), snap) for c in members],
            })
        families.append({"id": fid, "name": spec["name"], "areas": areas})
    return families


def _unplaced(snap: ApplicationSnapshot) -> list[dict]:
    known = set(snap.programme.clauses)
    return [r for r in snap.document.get("records") or () if r.get("clause") not in known]


def _choices(snap: ApplicationSnapshot) -> list[dict]:
    prog = snap.programme
    chosen_by_group = snap.document.get("choices") or {}
    groups = []
    for group, members in prog.choice_groups.items():
        chosen = chosen_by_group.get(group)
        gate = next((g for g in prog.gates if g.kind == "choose" and g.group == group), None)
        groups.append({
            "group": group,
            "title": prog.areas.get(group, ""),
            "rule": gate.id if gate else "",
            "quote": gate.ref.quote if gate else "",
            "made": chosen is not None,
            "members": [{"id": cid, "title": prog.clauses[cid].title,
                         "chosen": chosen is not None and cid in chosen} for cid in members],
        })
    return groups


def _gates(snap: ApplicationSnapshot) -> list[dict]:
    """The gates on both bases; a problem under a rule that is not a gate gets a row of its own."""
    rows = [(g.id, g.ref.quote) for g in snap.programme.gates]
    known = {rid for rid, _ in rows}
    for ev in (snap.evaluation_prior, snap.evaluation_projected):
        for p in ev.get("problems") or ():
            if p.get("rule") not in known:
                known.add(p.get("rule"))
                rows.append((p.get("rule"), ""))
    out = []
    for rid, quote in rows:
        row: dict[str, Any] = {"id": rid, "quote": quote}
        for basis, ev in (("prior", snap.evaluation_prior), ("projected", snap.evaluation_projected)):
            problems = [p.get("message", "") for p in ev.get("problems") or () if p.get("rule") == rid]
            # X-K1-TWO / X-K3-TWO are not gates: an unresolved choice is a warning, shown but passed
            warned = [w.get("message", "") for w in ev.get("warnings") or () if w.get("rule") == rid]
            row[basis] = {"passed": not problems, "messages": problems + warned}
        out.append(row)
    return out


def _totals(snap: ApplicationSnapshot) -> list[dict]:
    prog = snap.programme
    rows = [{"label": f"{spec['name']}（{fid}）", "key": fid} for fid, spec in prog.families.items()]
    rows.append({"label": "参考分合计", "key": "total"})
    for row in rows:
        row["prior"] = _number((snap.evaluation_prior.get("score") or {}).get(row["key"], 0))
        row["projected"] = _number((snap.evaluation_projected.get("score") or {}).get(row["key"], 0))
    return rows


def _evidence(snap: ApplicationSnapshot) -> list[dict]:
    rows = []
    for n, e in enumerate(snap.evidence, 1):
        rid = e.get("record_id")
        rows.append({
            "n": n,
            "record": f"{e.get('clause') or ''} {rid}".strip() if rid is not None else "承诺书",
            "name": str(e.get("name") or EMPTY),
            "size": _size(e.get("size")),
            "sha256": str(e.get("sha256") or ""),
            "uploaded": bool(e.get("uploaded")),
        })
    return rows


def _context(snap: ApplicationSnapshot) -> dict[str, Any]:
    doc, org, prog = snap.document, snap.organization, snap.programme
    submitted = snap.submitted_at.astimezone(SHANGHAI)
    yes_no = {True: "是", False: "否"}
    evidence = _evidence(snap)
    org_rows = [
        ("单位名称", org.get("name") or EMPTY),
        ("统一社会信用代码", org.get("credit_code") or EMPTY),
        ("登记类型", str(org.get("registration_type_label") or EMPTY)),
        ("综合类社会组织", yes_no.get(org.get("comprehensive"), EMPTY)),
        ("承担技术合同登记工作", yes_no.get(org.get("registers_tech_contracts"), EMPTY)),
        ("联系人", org.get("contact_name") or EMPTY),
        ("联系电话", org.get("contact_phone") or EMPTY),
        ("联系邮箱", org.get("contact_email") or EMPTY),
        ("申报日期", _date(doc.get("applied_on"))),
        ("合同签署日期", _date(doc.get("contract_signed_on")) if doc.get("contract_signed_on") else "尚未签署"),
    ]
    return {
        "title": prog.title,
        "org_name": org.get("name") or (doc.get("organization") or {}).get("name") or "",
        "credit_code": org.get("credit_code") or (doc.get("organization") or {}).get("credit_code") or "",
        "org_rows": org_rows,
        "submission_number": snap.submission_number,
        "draft": snap.draft,
        "submitted_at": f"{submitted.year}年{submitted.month}月{submitted.day}日 {submitted:%H:%M:%S}（北京时间）",
        "submitted_by": snap.submitted_by,
        "programme_version": snap.programme_version,
        "fingerprint": document_fingerprint(doc),
        "record_count": len(doc.get("records") or ()),
        "choices": _choices(snap),
        "families": _families(snap),
        "unplaced": _unplaced(snap),
        "gates": _gates(snap),
        "totals": _totals(snap),
        "eligible": {"prior": bool(snap.evaluation_prior.get("eligible")),
                     "projected": bool(snap.evaluation_projected.get("eligible"))},
        "deferred": snap.evaluation_prior.get("deferred") or [],
        "engine": {k: snap.evaluation_prior.get(k, "") for k in ("engine_version", "scoring_version", "programme_sha256")},
        "evidence": evidence,
        "evidence_pending": sum(1 for e in evidence if not e["uploaded"]),
        "programme": prog,  # rule names (programme_tags.rule_text): from the frozen programme, never the database
    }


def render_application_html(snapshot: ApplicationSnapshot) -> str:
    """The 申报书 as HTML (what WeasyPrint lays out); always Chinese."""
    with translation.override("zh-hans"):
        return render_to_string(TEMPLATE, _context(snapshot))


def render_application_pdf(snapshot: ApplicationSnapshot) -> bytes:
    """The 申报书 as PDF bytes (A4, Chinese, fonts embedded)."""
    from weasyprint import HTML  # heavy import, only where a PDF is made

    html = render_application_html(snapshot)
    return HTML(string=html, base_url=TEMPLATE_DIR.as_uri() + "/", url_fetcher=_refusing_fetcher()).write_pdf()


def _refusing_fetcher():
    """A WeasyPrint URL fetcher that refuses every URL: the 申报书 depends on nothing outside the snapshot."""
    from weasyprint.urls import URLFetcher

    class RefusingFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"fetching is disabled in the 申报书: {url}")

    return RefusingFetcher(allowed_protocols=(), fail_on_errors=False)
