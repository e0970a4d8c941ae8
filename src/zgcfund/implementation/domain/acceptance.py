"""Acceptance (验收): the office verifies each commitment's delivery (delivered / partly delivered / not
delivered, with the reason), the engine evaluates the acceptance copy of the application on the ``final``
basis (prior records plus the delivered, verified commitments, as of the acceptance date), X-P-GROW
compares the professional capability at acceptance with the application, and the office proposes the
conclusion (通过 / 整改后通过 / 不通过) to its collective decision (集体研究, ``review.domain.decisions``
subject ``acceptance``); approved (``conclude_effect``), the acceptance is concluded and the application
moves by ``accept`` or ``fail`` (the organization's notice); sent back or withdrawn (``reopen``), it is a
draft again. The applicant sees nothing of a proposed conclusion.

The proposal stores the copy, the evaluation and the X-P-GROW result as computed then: they are never
recomputed, and the commitments cannot be changed while it is proposed or once it is concluded.

Phases: commitments may be assessed while the application is ``implementing`` or ``reporting``; the
conclusion needs ``reporting`` (the implementation period closed by ``request_report``). ``conclude``
does not take ``request_report`` itself: that move tells the organization to hand in its report
(notice ``application.report_due``), which must not be skipped by a conclusion."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zgcfund.accounts.rules import is_office
from zgcfund.applications.domain import workflow
from zgcfund.applications.domain.document import accepted_credit_codes
from zgcfund.applications.models import Application
from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility
from zgcfund.core import bounds
from zgcfund.core.application import validate
from zgcfund.core.engine import evaluate_application
from zgcfund.core.errors import InvalidDocument
from zgcfund.core.pgrow import EVALUATION_FORMAT, PGrowInputError, p_growth
from zgcfund.core.programme import Programme
from zgcfund.implementation.domain.contracts import COMMON_FIELDS
from zgcfund.implementation.models import (
    Acceptance,
    AcceptanceConclusion,
    AcceptanceStatus,
    Commitment,
    CommitmentOrigin,
    CommitmentStatus,
    Contract,
    RevenueTable,
)
from zgcfund.implementation.models.revenue import FIGURES as REVENUE_FIELDS
from zgcfund.programmes.domain import clock, parsed
from zgcfund.review.domain import decisions
from zgcfund.review.domain.rescoring import evaluation_under

FINAL = "final"
#: phases in which the office may verify deliveries
OPEN_PHASES = (workflow.IMPLEMENTING, workflow.REPORTING)
ASSESSED = (CommitmentStatus.DELIVERED, CommitmentStatus.PARTLY_DELIVERED, CommitmentStatus.NOT_DELIVERED)
#: figure field types the office may state for a partly delivered commitment
FIGURE_TYPES = ("count", "amount")


class AcceptanceRefused(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class AcceptanceInvalid(Exception):
    """Form errors keyed by field name."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


# --- what the pages ask -----------------------------------------------------------------------------

def acceptance_of(contract: Contract) -> Acceptance | None:
    return Acceptance.objects.filter(contract=contract).select_related("concluded_by").first()


def concluded_acceptance(contract: Contract) -> Acceptance | None:
    return Acceptance.objects.filter(contract=contract, status=AcceptanceStatus.CONCLUDED).first()


def programme_of(contract: Contract) -> Programme:
    return parsed(contract.programme_year)


def office_side(c: Commitment) -> dict[str, Any]:
    """The office's verification as the form shows it: what it recorded, else prefilled from the
    organization's report (status, figures, date; the report's note as the reason)."""
    if c.assessed_at is not None:
        return {"status": c.status, "reason": c.reason, "verified": c.verified, "delivered": dict(c.office_delivered),
                "delivered_on": c.office_delivered_on, "assessed": True}
    return {"status": c.reported_status if c.reported_status != CommitmentStatus.PENDING else "",
            "reason": c.delivery_note if c.reported_status != CommitmentStatus.DELIVERED else "",
            "verified": False, "delivered": dict(c.delivered), "delivered_on": c.delivered_on, "assessed": False}


def figure_fields(programme: Programme, c: Commitment) -> list[tuple[str, str]]:
    """(name, label) of the clause's figure fields (counts, amounts) a partly delivered commitment states:
    those among its targets (for extra work: all of the clause's)."""
    clause = programme.clauses.get(c.clause)
    if clause is None:
        return []
    names = [n for n, spec in clause.fields.items() if spec.type in FIGURE_TYPES]
    if c.origin == CommitmentOrigin.CONTRACT:
        names = [n for n in names if n in c.targets]
    return [(n, clause.fields[n].label) for n in names]


# --- the acceptance copy ----------------------------------------------------------------------------------

def _delivery(c: Commitment) -> dict[str, Any] | None:
    if c.status not in ASSESSED:
        return None
    delivery: dict[str, Any] = {"status": str(c.status)}
    if c.reason:
        delivery["reason"] = c.reason
    delivery["verified"] = bool(c.verified)
    if c.office_delivered_on and c.status != CommitmentStatus.NOT_DELIVERED:
        delivery["delivered_on"] = c.office_delivered_on.isoformat()
    return delivery


def _figures(c: Commitment) -> dict[str, Any]:
    """The record's own fields: the targets (for extra work, the whole record the organization reported);
    the office's verified figures replace them when it recorded any (a partly delivered commitment states
    what was delivered; a delivered one what was actually done)."""
    fields = {k: v for k, v in (c.targets or {}).items() if k not in COMMON_FIELDS}
    if c.origin == CommitmentOrigin.EXTRA:
        fields.update({k: v for k, v in (c.delivered or {}).items() if k not in COMMON_FIELDS})
    if c.status in (CommitmentStatus.DELIVERED, CommitmentStatus.PARTLY_DELIVERED) \
            or c.origin == CommitmentOrigin.EXTRA:
        fields.update({k: v for k, v in (c.office_delivered or {}).items()
                       if k not in COMMON_FIELDS and v not in (None, "")})
    return fields


def _revenue_figures(contract: Contract) -> dict[str, dict[str, Any]]:
    """The K1.3 revenue figures the organization uploaded (营收情况表), by enterprise credit code: at
    acceptance they are the K1.3 records' revenue fields (the periods have ended; W-K13)."""
    out: dict[str, dict[str, Any]] = {}
    for table in RevenueTable.objects.filter(contract=contract):
        figures = {}
        for name in REVENUE_FIELDS:
            value = getattr(table, name)
            if value is not None:
                figures[name] = int(value) if value == value.to_integral_value() else float(value)
        out[table.credit_code] = figures
    return out


def _with_revenue(record: dict[str, Any], revenue: dict[str, dict[str, Any]]) -> dict[str, Any]:
    party = record.get("enterprise") if record.get("clause") == "K1.3" else None
    code = party.get("credit_code") if isinstance(party, dict) else None
    if code and code in revenue:
        record = {**record, **revenue[code]}
    return record


def commitment_record(c: Commitment, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The plan record of ``c`` in the acceptance copy: the submission's record (its evidence, a reviewer's
    verdict) or, for extra work, one built from the commitment; with the office's ``delivery``."""
    record = {k: v for k, v in (base or {}).items() if k in COMMON_FIELDS - {"delivery"}}
    record.update({"id": c.record_key, "clause": c.clause, "phase": "plan",
                   "date": record.get("date") or c.date.isoformat(), "title": record.get("title") or c.title})
    record.update(_figures(c))
    delivery = _delivery(c)
    if delivery is not None:
        record["delivery"] = delivery
    return record


def acceptance_copy(contract: Contract, accepted_on: dt.date, *, commitments: list[Commitment] | None = None) -> dict:
    """The zgc-application/1 document the ``final`` basis reads: the contract's submission document, with
    ``contract_signed_on`` and ``accepted_on``; each plan record that is a commitment carries the office's
    ``delivery`` (a partly delivered one states the delivered figures); plan records that are not commitments
    are left out; extra work (commitments of origin ``extra``) becomes plan records too; the K1.3 records
    (prior and plan) take the revenue figures of the tables the organization uploaded."""
    doc = copy.deepcopy(contract.submission.document or {})
    rows = commitments if commitments is not None else list(contract.commitments.order_by("pk"))
    by_key = {c.record_key: c for c in rows}
    records = []
    for r in doc.get("records", []):
        if r.get("phase") != "plan":
            records.append(r)
        elif r.get("id") in by_key and by_key[r["id"]].origin == CommitmentOrigin.CONTRACT:
            records.append(commitment_record(by_key.pop(r["id"]), r))
    for c in rows:  # extra work, and a commitment whose record the document no longer holds
        if c.record_key in by_key:
            records.append(commitment_record(c))
    revenue = _revenue_figures(contract)
    doc["records"] = [_with_revenue(r, revenue) for r in records]
    doc["contract_signed_on"] = contract.signed_on.isoformat()
    doc["accepted_on"] = accepted_on.isoformat()
    return doc


# --- the final evaluation ----------------------------------------------------------------------------------

@dataclass
class FinalAssessment:
    """The engine's view at acceptance: the copy, its evaluation on ``final``, the application's own
    evaluation on ``prior`` (under the contract's programme-file version), X-P-GROW; or the copy's problems."""

    document: dict
    evaluation: dict | None
    prior: dict | None
    pgrow: dict | None
    problems: list = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


def prior_evaluation(contract: Contract, programme: Programme | None = None) -> dict:
    evaluation, _source = evaluation_under(contract.submission, programme or programme_of(contract))
    return evaluation


def evaluate_final(contract: Contract, accepted_on: dt.date, *, commitments: list[Commitment] | None = None) -> FinalAssessment:
    """Evaluate the acceptance copy as of ``accepted_on`` on the ``final`` basis and X-P-GROW (the copy
    against the contract's submission, each side restricted to what the engine counted)."""
    programme = programme_of(contract)
    doc = acceptance_copy(contract, accepted_on, commitments=commitments)
    codes = accepted_credit_codes(contract.application)
    try:
        app = validate(doc, programme, codes)
    except InvalidDocument as exc:
        return FinalAssessment(doc, None, None, None, list(exc.problems))
    evaluation = evaluate_application(programme, app, FINAL)
    prior = prior_evaluation(contract, programme)
    try:
        counted = prior if prior.get("format") == EVALUATION_FORMAT else None  # a stand-in has no records counted
        growth = p_growth(contract.submission.document, doc, programme, counted, evaluation).to_dict()
    except PGrowInputError as exc:
        growth = {"rule": "X-P-GROW", "verdict": None, "error": str(exc), "areas": [], "reasons": []}
    return FinalAssessment(doc, evaluation, prior, growth)


# --- the office's verification of one commitment ---------------------------------------------------------

def _refusal_to_change(app: Application, acceptance: Acceptance | None, by) -> str | None:
    if not is_office(by):
        return _("只有项目办公室可以核实承诺的完成情况。")
    if acceptance is not None and acceptance.concluded:
        return _("验收结论已作出（%(c)s），承诺的完成情况不能再修改。") % {"c": acceptance.get_conclusion_display()}
    if acceptance is not None and acceptance.proposed:
        return _("验收结论（%(c)s）已提请集体研究，承诺的完成情况不能修改；如需修改，请提请人先撤回。") % {
            "c": acceptance.get_conclusion_display()}
    if app.status not in OPEN_PHASES:
        return _("申报书当前状态为“%(phase)s”，不能核实承诺的完成情况（实施中或待验收时才可以）。") % {
            "phase": app.phase.staff_name}
    return None


def _figure(raw) -> Decimal | int | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise ValueError
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite() or value < 0 or value > bounds.AMOUNT_MAX * 10000:
        raise ValueError
    return int(value) if value == value.to_integral_value() else value


def _problems(c: Commitment, programme: Programme, *, status, reason, delivered, delivered_on) -> tuple[dict, dict]:
    errors: dict[str, str] = {}
    if status not in ASSESSED:
        errors["status"] = _("完成情况：请选择已完成、部分完成或未完成。")
    if status != CommitmentStatus.DELIVERED and not reason:
        errors["reason"] = _("说明：未全部完成时请填写原因（部分完成的写明未完成的部分）。")
    too_long = bounds.length_problem(_("说明"), reason, "reason")
    if too_long:
        errors["reason"] = too_long
    if delivered_on is not None:
        if status == CommitmentStatus.NOT_DELIVERED:
            errors["delivered_on"] = _("实际完成日期：未完成的承诺不填写完成日期。")
        elif delivered_on > clock.today():
            errors["delivered_on"] = _("实际完成日期：不得晚于今天（%(day)s）。") % {"day": clock.today().isoformat()}
        elif delivered_on < c.contract.signed_on:
            errors["delivered_on"] = _("实际完成日期：不得早于合同签署日 %(day)s。") % {"day": c.contract.signed_on.isoformat()}
    figures: dict[str, Any] = {}
    if status in (CommitmentStatus.DELIVERED, CommitmentStatus.PARTLY_DELIVERED) or c.origin == CommitmentOrigin.EXTRA:
        labels = dict(figure_fields(programme, c))
        for name, raw in (delivered or {}).items():
            if name not in labels:
                continue
            try:
                value = _figure(raw)
            except ValueError:
                errors[f"fig_{name}"] = _("%(label)s：须为不小于 0 的数字。") % {"label": labels[name]}
                continue
            if value is not None:
                figures[name] = value
        if status == CommitmentStatus.PARTLY_DELIVERED and labels and not figures and not errors:
            errors[f"fig_{next(iter(labels))}"] = _("部分完成：请填写实际完成的数量。")
    return errors, figures


def _record_problems(contract: Contract, c: Commitment, programme: Programme) -> dict[str, str]:
    """Whether the commitment as changed makes a valid record of the acceptance copy (field types, the
    clause's own constraints); problems keyed by form field."""
    rows = [c if x.pk == c.pk else x for x in contract.commitments.order_by("pk")]
    doc = acceptance_copy(contract, clock.today(), commitments=rows)
    index = next((i for i, r in enumerate(doc["records"]) if r.get("id") == c.record_key), None)
    try:
        validate(doc, programme, accepted_credit_codes(contract.application))
    except InvalidDocument as exc:
        prefix = f"records[{index}]"
        errors = {}
        for p in exc.problems:
            if index is None or not p.path.startswith(prefix):
                continue
            rest = p.path[len(prefix):].lstrip(".")
            key = {"delivery.reason": "reason", "delivery.delivered_on": "delivered_on",
                   "delivery.status": "status"}.get(rest, f"fig_{rest}" if rest else "status")
            errors.setdefault(key, p.message)
        return errors
    return {}


def assess_commitment(commitment: Commitment, by, *, status: str, reason: str = "", verified: bool = False,
                      delivered: dict | None = None, delivered_on: dt.date | None = None) -> Commitment:
    """The office's verification of one commitment: delivered / partly delivered (with the delivered
    figures) / not delivered, the reason (required unless delivered), whether the delivery was verified,
    when it was done. Only while the application is implementing or reporting and the acceptance is not
    concluded. Raises AcceptanceRefused or AcceptanceInvalid (nothing changes then)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        contract = Contract.objects.select_related("application__organization", "programme_year", "submission").get(
            pk=commitment.contract_id)
        app = Application.objects.select_for_update().select_related("organization").get(pk=contract.application_id)
        acceptance = Acceptance.objects.select_for_update().filter(contract=contract).first()
        refusal = _refusal_to_change(app, acceptance, by)
        if refusal:
            raise AcceptanceRefused(refusal)
        c = Commitment.objects.select_for_update().get(pk=commitment.pk)
        c.contract = contract
        programme = programme_of(contract)
        errors, figures = _problems(c, programme, status=status, reason=reason, delivered=delivered,
                                    delivered_on=delivered_on)
        if errors:
            raise AcceptanceInvalid(errors)
        before = {"status": c.status, "reason": c.reason, "verified": c.verified, "delivered": c.office_delivered,
                  "delivered_on": c.office_delivered_on.isoformat() if c.office_delivered_on else None}
        c.status, c.reason = status, reason
        c.verified = bool(verified) and status != CommitmentStatus.NOT_DELIVERED
        c.office_delivered = figures
        c.office_delivered_on = delivered_on if status != CommitmentStatus.NOT_DELIVERED else None
        errors = _record_problems(contract, c, programme)
        if errors:
            raise AcceptanceInvalid(errors)
        c.assessed_by, c.assessed_at = by, clock.now()
        c.save(update_fields=["status", "reason", "verified", "office_delivered", "office_delivered_on",
                              "assessed_by", "assessed_at"])
        after = {"status": c.status, "reason": c.reason, "verified": c.verified, "delivered": c.office_delivered,
                 "delivered_on": c.office_delivered_on.isoformat() if c.office_delivered_on else None}
        record_event("acceptance.assess_commitment",
                     _("核实承诺完成情况：%(key)s %(title)s（%(status)s）") % {
                         "key": c.record_key, "title": c.title, "status": c.get_status_display()},
                     actor=by, application=app, obj=c,
                     changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
                     visibility=Visibility.OFFICE)
    commitment.refresh_from_db()
    return commitment


# --- the conclusion --------------------------------------------------------------------------------------------

def accepted_on_bounds(contract: Contract) -> tuple[dt.date, dt.date]:
    return contract.signed_on, clock.today()


def _conclusion_problems(contract: Contract, *, accepted_on, conclusion, comments, rectification) -> dict[str, str]:
    errors: dict[str, str] = {}
    first, last = accepted_on_bounds(contract)
    if accepted_on is None:
        errors["accepted_on"] = _("验收日期：请填写日期（年-月-日）。")
    elif not first <= accepted_on <= last:
        errors["accepted_on"] = _("验收日期：须在合同签署日 %(first)s 至今天 %(last)s 之间。") % {
            "first": first.isoformat(), "last": last.isoformat()}
    if conclusion not in AcceptanceConclusion.values:
        errors["conclusion"] = _("验收结论：请选择通过、整改后通过或不通过。")
    if not comments:
        errors["comments"] = _("验收意见：请填写。")
    elif bounds.length_problem(_("验收意见"), comments, "comment"):
        errors["comments"] = bounds.length_problem(_("验收意见"), comments, "comment")
    if conclusion == AcceptanceConclusion.PASSED_AFTER_RECTIFICATION and not rectification:
        errors["rectification"] = _("整改要求：结论为“整改后通过”时请填写整改要求。")
    elif bounds.length_problem(_("整改要求"), rectification, "comment"):
        errors["rectification"] = bounds.length_problem(_("整改要求"), rectification, "comment")
    return errors


def _move(conclusion: str) -> str:
    return "fail" if conclusion == AcceptanceConclusion.FAILED else "accept"


def conclude(contract: Contract, by, *, accepted_on: dt.date | None, conclusion: str, comments: str,
             rectification: str = "", note: str = "") -> Acceptance:
    """Propose the acceptance conclusion of ``contract`` to the collective decision (``note``: the proposal's
    note): every commitment verified; ``accepted_on`` between the signing date and today; comments (the
    rectification required for 整改后通过). Evaluates the acceptance copy on ``final`` and X-P-GROW and stores
    them with the copy; the acceptance is ``proposed`` (commitments frozen) until the decision is approved
    (``conclude_effect``: ``accept`` or ``fail``; at once when the programme asks for one approval). The
    application must be ``reporting``. Raises AcceptanceRefused / AcceptanceInvalid; nothing changes then."""
    comments, rectification = (comments or "").strip(), (rectification or "").strip()
    move = _move(conclusion)
    with transaction.atomic():
        app = (Application.objects.select_for_update().select_related("organization", "programme_year")
               .get(pk=contract.application_id))
        contract = Contract.objects.select_related("submission", "programme_year").get(pk=contract.pk)
        contract.application = app
        acceptance, _created = Acceptance.objects.get_or_create(contract=contract)
        acceptance = Acceptance.objects.select_for_update().get(pk=acceptance.pk)
        if acceptance.concluded:
            raise AcceptanceRefused(_("验收结论已于 %(day)s 作出（%(c)s），不能重复登记。") % {
                "day": acceptance.accepted_on.isoformat(), "c": acceptance.get_conclusion_display()})
        if acceptance.proposed:
            raise AcceptanceRefused(_("验收结论（%(c)s）已提请集体研究，尚待研究结果；如需修改，请提请人先撤回。") % {
                "c": acceptance.get_conclusion_display()})
        if not is_office(by):
            raise AcceptanceRefused(_("只有项目办公室可以登记验收结论。"))
        if app.status == workflow.IMPLEMENTING:
            raise AcceptanceRefused(_("项目仍在实施中：请先结束实施期（“进入验收”，通知申报单位提交实施期报告），"
                                      "再登记验收结论。"))
        refusal = workflow.refusal(app, move, by)
        if refusal:
            raise AcceptanceRefused(refusal)
        errors = _conclusion_problems(contract, accepted_on=accepted_on, conclusion=conclusion, comments=comments,
                                      rectification=rectification)
        commitments = list(contract.commitments.order_by("pk"))
        pending = [c for c in commitments if c.status not in ASSESSED]
        if pending:
            errors["commitments"] = _("还有 %(n)s 项承诺未核实完成情况：%(keys)s。") % {
                "n": len(pending), "keys": "、".join(f"{c.record_key} {c.title}" for c in pending[:5])}
        too_long = bounds.length_problem(_("提请说明"), (note or "").strip(), "reason")
        if too_long:
            errors["note"] = too_long
        if errors:
            raise AcceptanceInvalid(errors)
        result = evaluate_final(contract, accepted_on, commitments=commitments)
        if not result.valid:
            raise AcceptanceRefused(_("验收版申报数据不符合格式，不能评估：%(p)s") % {
                "p": "；".join(str(p) for p in result.problems[:5])})
        acceptance.accepted_on, acceptance.conclusion = accepted_on, conclusion
        acceptance.comments = comments
        acceptance.rectification = rectification if conclusion == AcceptanceConclusion.PASSED_AFTER_RECTIFICATION else ""
        acceptance.document, acceptance.evaluation, acceptance.pgrow = result.document, result.evaluation, result.pgrow
        acceptance.programme_sha256 = contract.programme_year.sha256
        acceptance.status = AcceptanceStatus.PROPOSED
        acceptance.concluded_by, acceptance.concluded_at = by, clock.now()
        acceptance.save()
        try:
            decisions.propose("acceptance", acceptance, by, note)
        except decisions.DecisionInvalid as exc:
            raise AcceptanceInvalid(exc.errors) from None
        except decisions.DecisionRefused as exc:
            raise AcceptanceRefused(exc.message) from None
    acceptance.refresh_from_db()
    return acceptance


def conclude_effect(acceptance: Acceptance, by, decision=None) -> Acceptance:
    """The effect of the approved collective decision ``acceptance``: the proposed conclusion is concluded
    and the application moves by ``accept`` (通过, 整改后通过) or ``fail`` (不通过; the comments are its
    reason), which audits and notifies the organization. Raises AcceptanceRefused (not proposed, or the
    application can no longer take the move)."""
    with transaction.atomic():
        app = (Application.objects.select_for_update().select_related("organization", "programme_year")
               .get(pk=acceptance.contract.application_id))
        locked = Acceptance.objects.select_for_update().get(pk=acceptance.pk)
        if not locked.proposed:
            raise AcceptanceRefused(_("验收结论%(status)s，不能作出。") % {"status": locked.get_status_display()})
        move = _move(locked.conclusion)
        refusal = workflow.refusal(app, move, by)
        if refusal:
            raise AcceptanceRefused(refusal)
        locked.status = AcceptanceStatus.CONCLUDED
        locked.concluded_by, locked.concluded_at = by, clock.now()
        locked.save(update_fields=["status", "concluded_by", "concluded_at"])
        label = str(AcceptanceConclusion(locked.conclusion).label)
        workflow.transition(app, move, by, reason=locked.comments if move == "fail" else "", obj=locked,
                            changes={"conclusion": locked.conclusion, "conclusion_label": label,
                                     "accepted_on": locked.accepted_on.isoformat(), "comments": locked.comments,
                                     "rectification": locked.rectification,
                                     "score": (locked.evaluation.get("score") or {}).get("total"),
                                     "pgrow": (locked.pgrow or {}).get("verdict"),
                                     "decision": decision.pk if decision is not None else None})
    acceptance.refresh_from_db()
    return acceptance


def reopen(acceptance: Acceptance, by, decision=None) -> Acceptance:
    """The decision about the proposed conclusion ended unapproved (sent back, withdrawn): the acceptance is a
    draft again (the commitments may be changed; the form keeps the proposed conclusion and comments)."""
    with transaction.atomic():
        locked = Acceptance.objects.select_for_update().get(pk=acceptance.pk)
        if not locked.proposed:
            return locked
        locked.status = AcceptanceStatus.DRAFT
        locked.document = locked.evaluation = locked.pgrow = None
        locked.programme_sha256 = ""
        locked.concluded_by = locked.concluded_at = None
        locked.save(update_fields=["status", "document", "evaluation", "pgrow", "programme_sha256", "concluded_by",
                                   "concluded_at"])
    acceptance.refresh_from_db()
    return acceptance


def decision_label(acceptance: Acceptance) -> str:
    return _("%(org)s 验收结论：%(c)s") % {"org": acceptance.contract.application.organization.name,
                                       "c": acceptance.get_conclusion_display()}


def decision_summary(acceptance: Acceptance) -> list[tuple[str, str]]:
    """The lines the decision page shows about the proposed conclusion."""
    contract = acceptance.contract
    counts = {s: contract.commitments.filter(status=s).count() for s in ASSESSED}
    verdict = {"grew": _("专业服务能力有提升"), "did_not_grow": _("专业服务能力未见提升")}.get(
        (acceptance.pgrow or {}).get("verdict"), "—")
    score = ((acceptance.evaluation or {}).get("score") or {}).get("total")
    return [(_("申报单位"), contract.application.organization.name),
            (_("验收日期"), acceptance.accepted_on.isoformat() if acceptance.accepted_on else "—"),
            (_("验收结论"), acceptance.get_conclusion_display() or "—"),
            (_("验收意见"), acceptance.comments or "—"),
            (_("整改要求"), acceptance.rectification or "—"),
            (_("实施承诺完成情况"), _("已完成 %(d)s 项，部分完成 %(p)s 项，未完成 %(n)s 项") % {
                "d": counts[CommitmentStatus.DELIVERED], "p": counts[CommitmentStatus.PARTLY_DELIVERED],
                "n": counts[CommitmentStatus.NOT_DELIVERED]}),
            (_("验收时得分"), str(score) if score is not None else "—"),
            (_("专业服务能力提升（X-P-GROW）"), verdict)]
