"""Formal review (形式审查): per-record checks of a submitted version, then pass or return with
comments. Returning reopens the application for the applicant; every version stays kept."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zgcfund.applications.domain import workflow
from zgcfund.applications.domain.document import programme_of
from zgcfund.applications.models import Application, EvidenceFile, Submission
from zgcfund.core import bounds
from zgcfund.core.diff import DocumentDiff, diff_documents
from zgcfund.core.programme import Programme
from zgcfund.review.models import FormalReview, RecordComment
from zgcfund.review.models.formal import FormalOutcome


class DecisionRefused(Exception):
    """``field``: the form field the refusal is about ("outcome", "comment"; "" for the whole decision)."""

    def __init__(self, message: str, field: str = ""):
        self.message = message
        self.field = field
        super().__init__(message)


def queue(programme_code: str | None = None) -> QuerySet[Application]:
    """Submitted applications awaiting formal review, oldest submission first."""
    qs = workflow.awaiting_formal_review().select_related("organization")
    if programme_code:
        qs = qs.filter(programme_code=programme_code)
    return qs.order_by("updated_at")


def latest_submission(application: Application) -> Submission | None:
    return application.submissions.order_by("-number").first()


@dataclass
class RecordCheck:
    """What the reviewer sees per record: evidence present and readable, the engine's verdicts."""

    record: dict
    evidence: list[dict] = field(default_factory=list)  # {name, sha256, stored: bool, readable: bool, pk}
    problems: list[str] = field(default_factory=list)
    engine: list[str] = field(default_factory=list)  # rejections by the engine, "RULE: message"
    comment: str = ""  # the reviewer's draft comment (kept when a decision is refused)
    clause_title: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def record_checks(submission: Submission, programme: Programme | None = None) -> list[RecordCheck]:
    """One check per record of the submitted version, in the programme's clause order: its files
    (with the kind of material each is filed as), the kinds the engine found missing, the engine's
    rejections. ``programme`` gives clause order and kind labels (default: the application's version)."""
    programme = programme or programme_of(submission.application)
    files: dict[tuple[str, str], EvidenceFile] = {}
    for f in EvidenceFile.objects.filter(application=submission.application, kind="record").select_related("record"):
        if f.record is not None:
            files[(f.record.key, f.sha256)] = f
    rejected: dict[str, list[str]] = {}
    for evaluation in (submission.evaluation_prior, submission.evaluation_projected):
        for clause in evaluation["clauses"].values():
            for r in clause.get("rejected", []):
                text = f"{r['rule']}{pgettext('label separator', '：')}{r['message']}"
                if text not in rejected.setdefault(r["record"], []):
                    rejected[r["record"]].append(text)
    missing = {m["record"]: m for clause in submission.evaluation_prior["clauses"].values()
               for m in clause.get("missing_evidence", ())}
    order = {cid: i for i, cid in enumerate(programme.clauses)}
    records = sorted(submission.document["records"], key=lambda r: order.get(r["clause"], len(order)))
    out = []
    for rec in records:
        clause = programme.clauses.get(rec["clause"])
        kinds = clause.evidence_kinds if clause else {}
        check = RecordCheck(rec, engine=rejected.get(rec["id"], []), clause_title=clause.title if clause else "")
        items = rec.get("evidence") or []
        if rec["id"] in missing:
            check.problems.append(missing[rec["id"]]["message"])
        elif not items and rec.get("phase") == "prior":
            check.problems.append(_("未提供支撑材料"))
        for item in items:
            f = files.get((rec["id"], item["sha256"]))
            stored = bool(f and f.file)
            readable = stored and f.file.storage.exists(f.file.name)
            kind = kinds.get(item.get("kind", ""))
            check.evidence.append({"name": item["name"], "sha256": item["sha256"], "stored": stored,
                                   "readable": readable, "pk": f.pk if f else None,
                                   "kind": kind.label if kind else ""})
            if not readable:
                check.problems.append(_("支撑材料“%(name)s”无法读取") % {"name": item["name"]})
        out.append(check)
    return out


def version_diff(application: Application) -> tuple[Submission | None, Submission | None, DocumentDiff | None]:
    """The latest submitted version against the one before it (None when there is only one)."""
    latest_two = list(application.submissions.order_by("-number")[:2])
    if len(latest_two) < 2:
        return (latest_two[0] if latest_two else None), None, None
    new, old = latest_two
    return new, old, diff_documents(old.document, new.document)


def decide(application: Application, reviewer, outcome: str, comment: str,
           record_comments: dict[str, str]) -> FormalReview:
    """Pass or return the latest submitted version. Returning needs a reason (overall or per record)."""
    comment = (comment or "").strip()
    record_comments = {k: v.strip() for k, v in record_comments.items() if v and v.strip()}
    if outcome not in FormalOutcome.values:
        raise DecisionRefused(_("请选择审查结论。"), "outcome")
    if outcome == FormalOutcome.RETURNED and not comment and not record_comments:
        raise DecisionRefused(_("退回修改时请填写审查意见（总体意见或针对记录的意见）。"), "comment")
    too_long = [m for m in (bounds.length_problem(_("审查意见"), comment, "comment"),
                            *(bounds.length_problem(_("记录 %(key)s 的意见") % {"key": k[:bounds.limit("id")]}, v, "comment")
                              for k, v in sorted(record_comments.items()))) if m]
    if too_long:
        raise DecisionRefused(pgettext("list separator", "；").join(too_long) + _("。未保存，已填写的内容保留在下方。"),
                              "comment")
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk)
        if not app.phase.formal_review:
            raise DecisionRefused(_("该申报书当前状态为“%(phase)s”，不在形式审查中。") % {"phase": app.phase.staff_name})
        submission = latest_submission(app)
        keys = {r["id"]: r["clause"] for r in submission.document["records"]}
        unknown = sorted(set(record_comments) - set(keys))
        if unknown:
            raise DecisionRefused(_("意见所指的记录不在本次提交中：%(keys)s")
                                  % {"keys": pgettext("list separator", "、").join(unknown)})
        review = FormalReview.objects.create(application=app, submission=submission, outcome=outcome,
                                             comment=comment, reviewer=reviewer)
        RecordComment.objects.bulk_create([RecordComment(review=review, record_key=k, clause=keys[k], comment=v)
                                           for k, v in sorted(record_comments.items())])
        move = "pass_formal" if outcome == FormalOutcome.PASSED else "return_formal"
        try:
            workflow.transition(app, move, reviewer, obj=review, n=submission.number,
                                changes={"comment": comment, "record_comments": record_comments})
        except workflow.TransitionRefused as exc:
            raise DecisionRefused(exc.message) from None
    application.refresh_from_db()
    return review


def open_comments(application: Application) -> FormalReview | None:
    """The return the applicant is answering now (only while the application is returned)."""
    if not workflow.reached_by(application, "return_formal"):
        return None
    return (application.formal_reviews.filter(outcome=FormalOutcome.RETURNED).order_by("-decided_at")
            .prefetch_related("record_comments").first())
