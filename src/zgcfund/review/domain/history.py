"""One application's decision history for the office: who decided what, when and why.

Merged, in time order, from:

* the decision rows themselves where they hold who/when/why: formal reviews (``FormalReview`` with
  its record comments), submitted expert reviews (``Assignment.submitted_at`` with the expert's
  ``RecordVerdict`` rows, rejection reasons included, and ``ClauseScore`` rows), objections
  (``Objection``). The matching audit events are not shown twice;
* the application's other ``AuditEvent`` rows (editing, submission, assignment, drafts …), the
  organization's conflict-of-interest declarations and deadline extensions for this programme;
* the selection events (draft / confirm / publish) of the selections that list this application,
  phrased for it from ``Selection.result`` ("确认遴选结果：入选，第 3 名，20 万元"). A stage whose
  audit event is missing is taken from the ``Selection`` row.

A fixed number of queries whatever the length of the history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from zgcfund.accounts.models.user import Role
from zgcfund.applications.domain import workflow
from zgcfund.applications.models import Application
from zgcfund.audit.models import AuditEvent
from zgcfund.programmes.models import WindowExtension
from zgcfund.review.models import Assignment, FormalReview, Objection, Selection
from zgcfund.review.models.formal import FormalOutcome

__all__ = ["KINDS", "Entry", "history_for", "outcome_text"]

FORMAL, EXPERT, SELECTION, APPLICATION, OTHER = "formal", "expert", "selection", "application", "other"

#: The kinds the history page filters by (GET ``kind``), in display order.
KINDS: dict[str, Any] = {
    FORMAL: gettext_lazy("形式审查"),
    EXPERT: gettext_lazy("专家评审"),
    SELECTION: gettext_lazy("遴选与公示"),
    APPLICATION: gettext_lazy("申报填报"),
}

PREFIX_KINDS = {"formal": FORMAL, "review": EXPERT, "selection": SELECTION, "application": APPLICATION,
                "record": APPLICATION, "records": APPLICATION, "evidence": APPLICATION, "window": APPLICATION}

ACTION_LABELS: dict[str, Any] = {
    "application.create": gettext_lazy("创建申报书"),
    "application.submit": gettext_lazy("提交申报书"),
    "application.preview": gettext_lazy("生成草稿 PDF"),
    "application.export": gettext_lazy("导出申报数据"),
    "download.evidence": gettext_lazy("下载支撑材料"),
    "download.submission_pdf": gettext_lazy("下载申报书 PDF"),
    "download.list": gettext_lazy("下载记录清单"),
    "export.review_report": gettext_lazy("导出评审报告"),
    "application.import": gettext_lazy("导入申报数据"),
    "application.choices": gettext_lazy("修改申报选项"),
    "record.create": gettext_lazy("新增记录"),
    "record.update": gettext_lazy("修改记录"),
    "record.delete": gettext_lazy("删除记录"),
    "records.import_list": gettext_lazy("导入记录清单"),
    "evidence.upload": gettext_lazy("上传支撑材料"),
    "evidence.commitment": gettext_lazy("上传承诺书"),
    "evidence.delete": gettext_lazy("删除支撑材料"),
    "window.extend": gettext_lazy("延长申报时间"),
    "formal.passed": gettext_lazy("形式审查通过"),
    "formal.returned": gettext_lazy("形式审查退回修改"),
    "review.assign": gettext_lazy("分配评审专家"),
    "review.unassign": gettext_lazy("取消分配评审专家"),
    "review.conflict": gettext_lazy("专家声明利益冲突"),
    "review.save": gettext_lazy("专家保存评审草稿"),
    "review.submit": gettext_lazy("专家提交评审意见"),
    "selection.draft": gettext_lazy("保存遴选草稿"),
    "selection.confirm": gettext_lazy("确认遴选结果"),
    "selection.publish": gettext_lazy("发布遴选结果公示"),
    "selection.objection": gettext_lazy("登记公示异议"),
}

OUTCOME_MOVES = tuple(workflow.TRANSITIONS[name].action for name in ("select", "not_select"))
OUTCOME_STATUS = {"selected": gettext_lazy("入选"), "not_selected": gettext_lazy("未入选"),
                  "tie_at_cut": gettext_lazy("入选线上并列，待决定"), "unranked": gettext_lazy("未参加排名")}
METHOD_NAMES = {"by_count": gettext_lazy("按数量"), "by_budget": gettext_lazy("按预算"), "by_bands": gettext_lazy("按档次")}
ROLE_LABELS = dict(Role.choices)


@dataclass(frozen=True)
class Entry:
    """One line of the history."""

    at: dt.datetime
    kind: str  # one of KINDS (or "other")
    action: str  # the audit action code, e.g. "formal.returned"
    label: str  # what happened, in Chinese
    actor: str  # who: a person's name ("" when the system did it)
    role: str  # their role, in Chinese
    summary: str
    details: tuple[str, ...] = ()  # why: comments, reasons, scores
    order: int = 0  # tie-break between entries at the same moment

    @property
    def kind_label(self) -> str:
        return str(KINDS.get(self.kind, _("其他")))


def _who(user) -> tuple[str, str]:
    if user is None:
        return "", str(_("系统"))
    return user.get_full_name(), str(ROLE_LABELS.get(user.role, user.role))


def _kind(action: str) -> str:
    return PREFIX_KINDS.get(action.split(".", 1)[0], OTHER)


def _label(action: str) -> str:
    return str(ACTION_LABELS.get(action) or workflow.action_label(action) or action)


# --- phrasing ----------------------------------------------------------------------------------

def outcome_text(outcome: dict[str, Any] | None) -> str:
    """An application's outcome in a selection result, e.g. "入选，第 3 名，一档，20 万元"."""
    if outcome is None:
        return _("未列入本次遴选")
    status = outcome.get("status", "")
    parts = [str(OUTCOME_STATUS.get(status, status))]
    if outcome.get("rank"):
        parts.append(_("第 %(rank)s 名") % {"rank": outcome["rank"]})
    if outcome.get("band"):
        parts.append(str(outcome["band"]))
    if outcome.get("amount") not in (None, ""):
        parts.append(_("%(amount)s 万元") % {"amount": outcome["amount"]})
    text = pgettext("list separator", "，").join(parts)
    if outcome.get("capped") and outcome.get("nominal_amount") not in (None, ""):
        text += _("（受单位年度支持上限限制，原金额 %(nominal)s 万元）") % {"nominal": outcome["nominal_amount"]}
    if status != "selected" and outcome.get("reason"):
        text += _("（%(detail)s）") % {"detail": outcome["reason"]}
    return text


def _outcome_of(selection: Selection, application_id: int) -> dict[str, Any] | None:
    result = selection.result or {}
    for o in (*result.get("selected", []), *result.get("not_selected", [])):
        if o.get("application_id") == application_id:
            return o
    return None


def _lists(selection: Selection, application_id: int) -> bool:
    return _outcome_of(selection, application_id) is not None


def _submission_details(changes: dict) -> tuple[str, ...]:
    score = changes.get("score_prior") or {}
    if not isinstance(score, dict) or "total" not in score:
        return ()
    families = " · ".join(f"{k} {v}" for k, v in score.items() if k != "total")
    gate = _("满足申报门槛") if changes.get("eligible") else _("不满足申报门槛")
    return (_("系统评估（提交时）：%(families)s · 合计 %(total)s；%(gate)s")
            % {"families": families, "total": score["total"], "gate": gate},)


def _event_details(event: AuditEvent) -> tuple[str, ...]:
    changes = event.changes if isinstance(event.changes, dict) else {}
    action = event.action
    if action == "application.submit":
        return _submission_details(changes)
    if action in ("formal.passed", "formal.returned"):  # only when the FormalReview row is gone
        out = [_("总体意见：%(c)s") % {"c": changes["comment"]}] if changes.get("comment") else []
        out += [f"{k}{pgettext('label separator', '：')}{v}" for k, v in sorted((changes.get("record_comments") or {}).items())]
        return tuple(out)
    if action == "review.assign":
        how = {"manual": _("逐份分配"), "bulk": _("批量分配")}.get(changes.get("how"))
        return (how,) if how else ()
    if action == "review.unassign" and (changes.get("verdicts") or changes.get("scores")):
        return (_("未提交的草稿一并删除：%(v)s 条记录核实、%(s)s 项条款评分")
                % {"v": changes.get("verdicts", 0), "s": changes.get("scores", 0)},)
    if action == "review.conflict" and changes.get("withdrawn"):
        return (_("撤回该专家对本单位未提交的评审分配 %(n)s 项") % {"n": len(changes["withdrawn"])},)
    if action == "window.extend" and changes.get("reason"):
        return (_("理由：%(r)s") % {"r": changes["reason"]},)
    return ()


# --- the sources -------------------------------------------------------------------------------

def _formal_entries(application: Application) -> list[Entry]:
    out = []
    for review in (FormalReview.objects.filter(application=application).select_related("reviewer", "submission")
                   .prefetch_related("record_comments")):
        name, role = _who(review.reviewer)
        passed = review.outcome == FormalOutcome.PASSED
        label = _label("formal.passed" if passed else "formal.returned")
        summary = (_("形式审查通过（第 %(n)s 次提交）") if passed else _("形式审查退回修改（第 %(n)s 次提交）")) \
            % {"n": review.submission.number}
        details = [_("总体意见：%(c)s") % {"c": review.comment}] if review.comment else []
        details += [_("%(key)s（%(clause)s）：%(comment)s") % {"key": c.record_key, "clause": c.clause, "comment": c.comment}
                    for c in review.record_comments.all()]
        out.append(Entry(review.decided_at, FORMAL, f"formal.{review.outcome}", label, name, role, summary,
                         tuple(details), order=review.pk))
    return out


def _expert_entries(application: Application) -> list[Entry]:
    out = []
    for a in (Assignment.objects.filter(application=application, submitted_at__isnull=False)
              .select_related("expert", "submission").prefetch_related("verdicts", "scores")):
        name, role = _who(a.expert)
        verdicts = sorted(a.verdicts.all(), key=lambda v: v.record_key)
        rejected = [v for v in verdicts if not v.accepted]
        scores = sorted(a.scores.all(), key=lambda s: s.clause)
        details = ([_("记录核实：认可 %(a)s 条，不认可 %(r)s 条") % {"a": len(verdicts) - len(rejected), "r": len(rejected)}]
                   if verdicts else [])
        details += [_("不认可 %(key)s：%(reason)s") % {"key": v.record_key, "reason": v.reason} for v in rejected]
        if scores:
            total = sum((s.score for s in scores), Decimal(0))
            details.append(_("评分：%(scores)s（合计 %(total)s）")
                           % {"scores": pgettext("list separator", "，").join(f"{s.clause} {s.score}" for s in scores),
                              "total": total})
        details += [_("%(clause)s 评语：%(comment)s") % {"clause": s.clause, "comment": s.comment}
                    for s in scores if s.comment]
        summary = _("评审专家%(expert)s提交评审意见（评审第 %(n)s 次提交）") % {"expert": name, "n": a.submission.number}
        out.append(Entry(a.submitted_at, EXPERT, "review.submit", _label("review.submit"), name, role, summary,
                         tuple(details), order=a.pk))
    return out


def _objection_entries(application: Application) -> list[Entry]:
    out = []
    for o in Objection.objects.filter(application=application).select_related("recorded_by", "selection"):
        name, role = _who(o.recorded_by)
        who = pgettext("list separator", "、").join(x for x in (o.submitter_name, o.submitter_unit) if x)
        summary = (_("登记公示异议（%(who)s，%(day)s 收到，遴选 #%(sel)s）")
                   % {"who": who, "day": o.received_on.isoformat(), "sel": o.selection_id})
        details = [_("异议内容：%(c)s") % {"c": o.content}]
        if o.handling:
            details.append(_("处理情况：%(h)s") % {"h": o.handling})
        out.append(Entry(o.recorded_at, SELECTION, "selection.objection", _label("selection.objection"), name, role,
                         summary, tuple(details), order=o.pk))
    return out


def _selection_summary(stage: str, selection: Selection, outcome: str) -> str:
    if stage == "draft":
        return _("保存遴选草稿 #%(pk)s（%(method)s）：%(outcome)s") % {
            "pk": selection.pk, "method": METHOD_NAMES.get(selection.method, selection.method), "outcome": outcome}
    if stage == "confirm":
        return _("确认遴选结果：%(outcome)s") % {"outcome": outcome}
    return _("发布遴选结果公示：%(outcome)s") % {"outcome": outcome}


def _selection_details(stage: str, selection: Selection, changes: dict) -> tuple[str, ...]:
    if stage == "confirm" and changes.get("reason"):
        return (_("确认说明：%(r)s") % {"r": changes["reason"]},)
    if stage == "publish" and selection.notice_ends_on:
        return (_("公示期 %(days)s 天，至 %(end)s") % {"days": selection.notice_days,
                                                 "end": selection.notice_ends_on.isoformat()},)
    return ()


def history_for(application: Application) -> list[Entry]:
    """The application's history, oldest first (the office's view: experts are named)."""
    entries = _formal_entries(application) + _expert_entries(application) + _objection_entries(application)
    shown_formal = {str(e.order) for e in entries if e.kind == FORMAL}
    shown_submits = {str(e.order) for e in entries if e.action == "review.submit"}
    shown_objections = {str(e.order) for e in entries if e.action == "selection.objection"}

    selections = {str(s.pk): s for s in Selection.objects.filter(code=application.programme_code)
                  .select_related("created_by", "confirmed_by", "published_by")
                  if _lists(s, application.pk)}
    extensions = [str(pk) for pk in WindowExtension.objects.filter(code=application.programme_code,
                                                                   organization=application.organization_id)
                  .values_list("pk", flat=True)]
    query = (Q(application=application)
             | Q(application__isnull=True, organization=application.organization_id, action="review.conflict")
             | Q(action="window.extend", object_type="WindowExtension", object_id__in=extensions)
             | Q(action__in=("selection.draft", "selection.confirm", "selection.publish"), object_type="Selection",
                 object_id__in=list(selections)))
    seen_stages: set[tuple[str, str]] = set()
    for event in AuditEvent.objects.filter(query).select_related("actor").order_by("at", "pk"):
        action = event.action
        if ((action.startswith("formal.") and event.object_id in shown_formal)
                or (action == "review.submit" and event.object_id in shown_submits)
                or (action == "selection.objection" and event.object_id in shown_objections)
                # the phase change at publication: the publication entry already gives the outcome
                or (action in OUTCOME_MOVES and event.object_type == "Selection" and event.object_id in selections)):
            continue
        name, role = _who(event.actor)
        if action in ("selection.draft", "selection.confirm", "selection.publish"):
            selection = selections[event.object_id]
            stage = action.split(".", 1)[1]
            seen_stages.add((event.object_id, stage))
            changes = event.changes if isinstance(event.changes, dict) else {}
            outcome = outcome_text(_outcome_of(selection, application.pk))
            entries.append(Entry(event.at, SELECTION, action, _label(action), name, role,
                                 _selection_summary(stage, selection, outcome),
                                 _selection_details(stage, selection, changes), order=event.pk))
            continue
        entries.append(Entry(event.at, _kind(action), action, _label(action), name, role, event.summary,
                             _event_details(event), order=event.pk))

    # selection stages recorded on the row but not audited
    for pk, selection in selections.items():
        outcome = outcome_text(_outcome_of(selection, application.pk))
        for stage, at, user in (("draft", selection.created_at, selection.created_by),
                                ("confirm", selection.confirmed_at, selection.confirmed_by),
                                ("publish", selection.published_at, selection.published_by)):
            if at is None or (pk, stage) in seen_stages:
                continue
            name, role = _who(user)
            action = f"selection.{stage}"
            entries.append(Entry(at, SELECTION, action, _label(action), name, role,
                                 _selection_summary(stage, selection, outcome), _selection_details(stage, selection, {}),
                                 order=selection.pk))
    entries.sort(key=lambda e: (e.at, e.order))
    return entries
