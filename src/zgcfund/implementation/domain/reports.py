"""Reporting during the implementation period (issue 13 § Reporting during the period).

The office sets report rounds with due dates for a programme and may extend one organization's due date with
a reason, also after it has passed (the latest extension counts). While its application is contracted,
implementing or reporting, the organization reports on its contract: each commitment's delivery (status,
the clause's figures, date, note, evidence files by the clause's evidence kinds) and work done beyond the
commitments (origin ``extra``). Submitting a round's report freezes all of it in a ``ReportSubmission``;
the office returns it with comments (general, per commitment) or accepts it. Every change is audited in the
same transaction; notices go out on commit."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass
from functools import partial
from hashlib import sha256
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from zgcfund.accounts.rules import is_member_of_organization, is_office
from zgcfund.applications.domain import notifications, workflow
from zgcfund.applications.models import Application
from zgcfund.audit.domain import changed_fields, record_event
from zgcfund.audit.models import Visibility
from zgcfund.core import bounds
from zgcfund.core.application import validator_for
from zgcfund.files.images import check_and_thumbnail
from zgcfund.files.names import clean_name, size_text
from zgcfund.files.types import RECORD_TYPES, EvidenceRejected, identify
from zgcfund.implementation.models import (
    Commitment,
    CommitmentEvidence,
    CommitmentOrigin,
    CommitmentStatus,
    Contract,
    DueDateExtension,
    Report,
    ReportReview,
    ReportRound,
    ReportStatus,
    ReportSubmission,
    ReportVerdict,
    RoundKind,
)
from zgcfund.programmes.domain import clock, parsed

#: the phases in which an organization reports (and the office reviews reports)
REPORTING_PHASES = (workflow.CONTRACTED, workflow.IMPLEMENTING, workflow.REPORTING)
#: a report in these states is the organization's to edit and submit
OPEN_STATES = (ReportStatus.DRAFT, ReportStatus.RETURNED)
EXTRA_PREFIX = "X-"
DOCUMENT_FORMAT = "zgc-report/1"


class ReportRefused(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class ReportInvalid(Exception):
    """Form errors keyed by field name."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


# --- rounds (the office) -----------------------------------------------------------------------------------

def rounds(code: str):
    return ReportRound.objects.filter(programme_code=code).order_by("due_on", "pk")


def _round_problems(name: str, kind: str, due_on: dt.date | None, asks: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("名称：请填写报告批次的名称。")
    elif bounds.length_problem(_("名称"), name, "title"):
        errors["name"] = bounds.length_problem(_("名称"), name, "title")
    if kind not in RoundKind.values:
        errors["kind"] = _("类型：请选择报告类型。")
    if due_on is None:
        errors["due_on"] = _("截止日期：请填写日期（年-月-日）。")
    elif bounds.date_problem(_("截止日期"), due_on):
        errors["due_on"] = bounds.date_problem(_("截止日期"), due_on)
    if bounds.length_problem(_("报告要求"), asks, "comment"):
        errors["asks"] = bounds.length_problem(_("报告要求"), asks, "comment")
    return errors


def save_round(code: str, by, *, name: str, kind: str, due_on: dt.date | None, asks: str = "",
               report_round: ReportRound | None = None) -> ReportRound:
    """Create (``report_round`` None) or edit a report round of programme ``code``. Office only; raises
    ReportRefused or ReportInvalid (field errors)."""
    if not is_office(by):
        raise ReportRefused(_("报告批次只能由项目办公室设置。"))
    name, asks = (name or "").strip(), (asks or "").strip()
    errors = _round_problems(name, kind, due_on, asks)
    if errors:
        raise ReportInvalid(errors)
    with transaction.atomic():
        if report_round is None:
            row = ReportRound.objects.create(programme_code=code, name=name, kind=kind, due_on=due_on, asks=asks,
                                             created_by=by, created_at=clock.now())
            record_event("report.round_create", _("设置报告批次“%(name)s”，截止日期 %(due)s") % {
                "name": name, "due": due_on.isoformat()}, actor=by, obj=row,
                changes={"programme": code, "kind": kind, "due_on": due_on.isoformat()}, visibility=Visibility.OFFICE)
            return row
        row = ReportRound.objects.select_for_update().get(pk=report_round.pk)
        before = {"name": row.name, "kind": row.kind, "due_on": row.due_on.isoformat(), "asks": row.asks}
        row.name, row.kind, row.due_on, row.asks = name, kind, due_on, asks
        row.save(update_fields=["name", "kind", "due_on", "asks"])
        after = {"name": name, "kind": kind, "due_on": due_on.isoformat(), "asks": asks}
        record_event("report.round_edit", _("修改报告批次“%(name)s”") % {"name": name}, actor=by, obj=row,
                     changes=changed_fields(before, after), visibility=Visibility.OFFICE)
    report_round.refresh_from_db()
    return report_round


# --- due dates ----------------------------------------------------------------------------------------------

def extension_of(report_round: ReportRound, application) -> DueDateExtension | None:
    """The extension that counts (the latest granted), or None."""
    return (DueDateExtension.objects.filter(round=report_round, application=application)
            .order_by("-granted_at", "-pk").first())


def due_on(report_round: ReportRound, application) -> dt.date:
    """The organization's due date in the round: the latest extension's, else the round's."""
    extension = extension_of(report_round, application)
    return extension.due_on if extension is not None else report_round.due_on


def _ever_submitted(report: Report | None) -> bool:
    return report is not None and report.status != ReportStatus.DRAFT


def is_overdue(report_round: ReportRound, application, today: dt.date | None = None) -> bool:
    """Whether the organization's report of the round is past its (extended) due date and never submitted."""
    today = today or clock.today()
    if application.status not in REPORTING_PHASES:
        return False
    report = Report.objects.filter(round=report_round, contract__application=application).first()
    return not _ever_submitted(report) and today > due_on(report_round, application)


@dataclass(frozen=True)
class Overdue:
    round: ReportRound
    application: Application
    report: Report | None
    due_on: dt.date
    days: int

    @property
    def organization(self):
        return self.application.organization


def reporting_contracts(code: str):
    """The programme's contracts whose application is in a reporting phase."""
    return (Contract.objects.filter(application__programme_code=code, application__status__in=REPORTING_PHASES)
            .select_related("application__organization").order_by("application__organization__name", "pk"))


def round_rows(report_round: ReportRound, today: dt.date | None = None) -> list[dict]:
    """Each reporting organization of the round: its contract, report (or None), due date (``extended``:
    the extension that counts), whether overdue and by how many days."""
    today = today or clock.today()
    reports = {r.contract_id: r for r in Report.objects.filter(round=report_round)}
    extensions: dict[int, DueDateExtension] = {}
    for e in DueDateExtension.objects.filter(round=report_round).order_by("granted_at", "pk"):
        extensions[e.application_id] = e
    out = []
    for contract in reporting_contracts(report_round.programme_code):
        app = contract.application
        extension = extensions.get(app.pk)
        due = extension.due_on if extension else report_round.due_on
        report = reports.get(contract.pk)
        late = not _ever_submitted(report) and today > due
        out.append({"contract": contract, "application": app, "report": report, "due_on": due,
                    "extension": extension, "overdue": late, "days_overdue": (today - due).days if late else 0})
    return out


def overdue(code: str, today: dt.date | None = None) -> list[Overdue]:
    """Every report of the programme past its (extended) due date and never submitted, most overdue first."""
    today = today or clock.today()
    out = []
    for report_round in rounds(code).filter(due_on__lt=today):
        for row in round_rows(report_round, today):
            if row["overdue"]:
                out.append(Overdue(report_round, row["application"], row["report"], row["due_on"],
                                   row["days_overdue"]))
    return sorted(out, key=lambda o: (-o.days, o.application.organization.name, o.round.pk))


def extend(report_round: ReportRound, application, by, *, due_on: dt.date | None, reason: str) -> DueDateExtension:
    """Extend the organization's due date in the round (office; also after the due date has passed)."""
    reason = (reason or "").strip()
    if not is_office(by):
        raise ReportRefused(_("报告截止日期只能由项目办公室延期。"))
    errors: dict[str, str] = {}
    if due_on is None:
        errors["due_on"] = _("延期后截止日期：请填写日期（年-月-日）。")
    elif due_on <= report_round.due_on:
        errors["due_on"] = _("延期后截止日期：须晚于本批次的截止日期 %(day)s。") % {"day": report_round.due_on.isoformat()}
    if not reason:
        errors["reason"] = _("延期理由：请填写延期的理由。")
    elif bounds.length_problem(_("延期理由"), reason, "reason"):
        errors["reason"] = bounds.length_problem(_("延期理由"), reason, "reason")
    if errors:
        raise ReportInvalid(errors)
    with transaction.atomic():
        app = Application.objects.select_for_update().select_related("organization").get(pk=application.pk)
        if app.programme_code != report_round.programme_code or not Contract.objects.filter(application=app).exists():
            raise ReportRefused(_("该单位没有本项目的支持合同。"))
        previous = extension_of(report_round, app)
        before = (previous.due_on if previous else report_round.due_on).isoformat()
        extension = DueDateExtension.objects.create(round=report_round, application=app, due_on=due_on,
                                                    reason=reason, granted_by=by, granted_at=clock.now())
        event = record_event("report.extend", _("“%(round)s”截止日期延至 %(day)s") % {
            "round": report_round.name, "day": due_on.isoformat()}, actor=by, application=app, obj=extension,
            changes={"round": report_round.name, "due_on": [before, due_on.isoformat()], "reason": reason},
            visibility=Visibility.ORGANIZATION)
        _notify("report.extended", app, event)
    return extension


def _notify(key: str, application, event) -> None:
    transaction.on_commit(partial(notifications.dispatch, key, application.pk, event.pk), robust=True)


# --- the organization's side ----------------------------------------------------------------------------------

def contract_of(application) -> Contract | None:
    return Contract.objects.filter(application=application).select_related("application__organization",
                                                                            "programme_year").first()


def phase_refusal(application) -> str | None:
    if application.status not in REPORTING_PHASES:
        return _("申报书当前状态为“%(phase)s”，不在实施期，不能填报或审核实施期报告。") % {
            "phase": workflow.phase(application.status).public_name}
    return None


def _member_refusal(contract: Contract, by) -> str | None:
    if not is_member_of_organization(by, contract.application.organization):
        return _("实施期报告只能由本单位的用户填报。")
    return None


def report_for(report_round: ReportRound, contract: Contract) -> Report:
    """The organization's report of the round, opened as a draft on first use."""
    if report_round.programme_code != contract.application.programme_code:
        raise ReportRefused(_("该报告批次不属于本合同的项目。"))
    report = Report.objects.filter(round=report_round, contract=contract).first()
    if report is not None:
        return report
    refusal = phase_refusal(contract.application)
    if refusal:
        raise ReportRefused(refusal)
    try:
        with transaction.atomic():
            return Report.objects.create(round=report_round, contract=contract, created_at=clock.now())
    except IntegrityError:  # opened by a colleague at the same moment
        return Report.objects.get(round=report_round, contract=contract)


def edit_refusal(contract: Contract) -> str | None:
    """Why the organization may not change its delivery figures, extra work or evidence now (None: it may):
    outside the reporting phases, or while a report awaits the office's review."""
    refusal = phase_refusal(contract.application)
    if refusal:
        return refusal
    waiting = contract.reports.filter(status=ReportStatus.SUBMITTED).select_related("round").first()
    if waiting is not None:
        return _("“%(round)s”已提交，待项目办公室审核；审核前不能修改完成情况。") % {"round": waiting.round.name}
    return None


def _ensure_editable(contract: Contract, by) -> Contract:
    """Lock the application row and check the organization may change its report data."""
    Application.objects.select_for_update().get(pk=contract.application_id)
    contract = Contract.objects.select_related("application__organization", "programme_year").get(pk=contract.pk)
    refusal = _member_refusal(contract, by) or edit_refusal(contract)
    if refusal:
        raise ReportRefused(refusal)
    return contract


def _clause(contract: Contract, clause: str):
    return parsed(contract.programme_year).clauses.get(clause)


def _check_fields(contract: Contract, clause: str, key: str, title: str, day: dt.date, fields: dict[str, Any], *,
                  complete: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """The clause's fields checked by the engine as a plan record (``complete``: required fields must be
    there); returns the stored values (JSON-ready) and errors keyed by field name."""
    definition = _clause(contract, clause)
    if definition is None:
        return {}, {"clause": _("条款：项目文件中没有条款 %(c)s。") % {"c": clause}}
    fields = {k: v for k, v in fields.items() if k in definition.fields and v not in (None, "", [])}
    raw = {"id": key, "clause": clause, "phase": "plan", "date": day.isoformat(), "title": title or "—", **fields}
    rec, problems = validator_for(parsed(contract.programme_year)).check_record(raw)
    errors: dict[str, str] = {}
    for p in problems:
        name = p.path.split(".")[0].split("[")[0]
        if not complete and p.message.startswith("必填"):
            continue
        spec = definition.fields.get(name)
        label = spec.label if spec else name
        errors.setdefault(name if spec else "fields", f"{label}{_('：')}{p.message}")
    out: dict[str, Any] = {}
    for k in fields:
        v = rec.get(k, fields[k])
        if isinstance(v, dt.date):
            v = v.isoformat()
        elif isinstance(v, (set, frozenset)):
            v = sorted(v)
        elif hasattr(v, "is_finite"):  # Decimal
            v = int(v) if v == v.to_integral_value() else float(v)
        out[k] = v
    return out, errors


def update_commitment_delivery(commitment: Commitment, by, *, reported_status: str, delivered: dict[str, Any],
                               delivered_on: dt.date | None, note: str = "") -> Commitment:
    """The organization reports one commitment's delivery: its status, the figures delivered (the clause's
    fields, checked like a record), the date and a note (required unless delivered). Raises ReportRefused
    or ReportInvalid; nothing changes then."""
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if reported_status not in CommitmentStatus.values:
        errors["reported_status"] = _("完成情况：请选择。")
    elif reported_status in (CommitmentStatus.PARTLY_DELIVERED, CommitmentStatus.NOT_DELIVERED) and not note:
        errors["note"] = _("完成情况说明：“%(s)s”时请说明原因。") % {"s": CommitmentStatus(reported_status).label}
    if reported_status in (CommitmentStatus.DELIVERED, CommitmentStatus.PARTLY_DELIVERED) and delivered_on is None:
        errors["delivered_on"] = _("实际完成日期：已完成或部分完成的工作请填写日期。")
    if reported_status == CommitmentStatus.NOT_DELIVERED and delivered_on is not None:
        errors["delivered_on"] = _("实际完成日期：未完成的工作不填写完成日期。")
    if delivered_on is not None and bounds.date_problem(_("实际完成日期"), delivered_on):
        errors["delivered_on"] = bounds.date_problem(_("实际完成日期"), delivered_on)
    if bounds.length_problem(_("完成情况说明"), note, "comment"):
        errors["note"] = bounds.length_problem(_("完成情况说明"), note, "comment")
    contract = commitment.contract
    values, field_errors = _check_fields(contract, commitment.clause, commitment.record_key, commitment.title,
                                         delivered_on or commitment.date, delivered or {},
                                         complete=reported_status == CommitmentStatus.DELIVERED)
    errors.update(field_errors)
    if errors:
        raise ReportInvalid(errors)
    with transaction.atomic():
        contract = _ensure_editable(contract, by)
        row = Commitment.objects.select_for_update().get(pk=commitment.pk, contract=contract)
        before = {"reported_status": row.reported_status, "delivered": row.delivered,
                  "delivered_on": row.delivered_on.isoformat() if row.delivered_on else None, "note": row.delivery_note}
        row.reported_status, row.delivered, row.delivered_on, row.delivery_note = (
            reported_status, values, delivered_on, note)
        row.save(update_fields=["reported_status", "delivered", "delivered_on", "delivery_note"])
        after = {"reported_status": reported_status, "delivered": values,
                 "delivered_on": delivered_on.isoformat() if delivered_on else None, "note": note}
        record_event("report.delivery", _("填报承诺 %(key)s 的完成情况：%(s)s") % {
            "key": row.record_key, "s": CommitmentStatus(reported_status).label}, actor=by,
            application=contract.application, obj=row, changes=changed_fields(before, after),
            visibility=Visibility.ORGANIZATION)
    commitment.refresh_from_db()
    return commitment


def next_extra_key(contract: Contract) -> str:
    """``X-<n>``, one above the highest used so far (a deleted key is not given to other work)."""
    used = contract.commitments.filter(record_key__startswith=EXTRA_PREFIX).values_list("record_key", flat=True)
    numbers = [int(k[len(EXTRA_PREFIX):]) for k in used if k[len(EXTRA_PREFIX):].isdigit()]
    return f"{EXTRA_PREFIX}{max(numbers, default=0) + 1}"


def add_extra_work(contract: Contract, by, *, clause: str, title: str, date: dt.date | None,
                   fields: dict[str, Any], note: str = "") -> Commitment:
    """Work done beyond the commitments (origin ``extra``, key ``X-<n>``): delivered on ``date``, with the
    clause's figures (checked like a record, required fields included)."""
    title, note = (title or "").strip(), (note or "").strip()
    errors: dict[str, str] = {}
    if _clause(contract, clause) is None:
        errors["clause"] = _("条款：请选择项目文件中的条款。")
    if not title:
        errors["title"] = _("名称：请填写工作的名称。")
    elif bounds.length_problem(_("名称"), title, "title"):
        errors["title"] = bounds.length_problem(_("名称"), title, "title")
    if date is None:
        errors["date"] = _("完成日期：请填写日期（年-月-日）。")
    elif bounds.date_problem(_("完成日期"), date):
        errors["date"] = bounds.date_problem(_("完成日期"), date)
    if bounds.length_problem(_("说明"), note, "comment"):
        errors["note"] = bounds.length_problem(_("说明"), note, "comment")
    values: dict[str, Any] = {}
    if not errors:
        values, field_errors = _check_fields(contract, clause, "X", title, date, fields or {}, complete=True)
        errors.update(field_errors)
    if errors:
        raise ReportInvalid(errors)
    with transaction.atomic():
        contract = _ensure_editable(contract, by)
        row = Commitment.objects.create(
            contract=contract, record_key=next_extra_key(contract), origin=CommitmentOrigin.EXTRA, clause=clause,
            title=title, date=date, targets={}, reported_status=CommitmentStatus.DELIVERED, delivered=values,
            delivered_on=date, delivery_note=note)
        record_event("report.extra_add", _("填报实施期新增工作 %(key)s“%(title)s”") % {
            "key": row.record_key, "title": title}, actor=by, application=contract.application, obj=row,
            changes={"clause": clause, "date": date.isoformat(), "fields": values}, visibility=Visibility.ORGANIZATION)
    return row


def delete_extra_work(commitment: Commitment, by) -> None:
    if commitment.origin != CommitmentOrigin.EXTRA:
        raise ReportRefused(_("合同承诺不能删除。"))
    with transaction.atomic():
        contract = _ensure_editable(commitment.contract, by)
        row = Commitment.objects.select_for_update().get(pk=commitment.pk, contract=contract)
        files = list(row.evidence.all())
        record_event("report.extra_delete", _("删除实施期新增工作 %(key)s“%(title)s”") % {
            "key": row.record_key, "title": row.title}, actor=by, application=contract.application, obj=row,
            changes={"clause": row.clause, "files": [f.name for f in files]}, visibility=Visibility.ORGANIZATION)
        row.delete()
        _remove_unlisted_on_commit(contract, files)


# --- evidence of the delivery ------------------------------------------------------------------------------------

def evidence_kinds(commitment: Commitment) -> list[tuple[str, str, str]]:
    """The clause's kinds of supporting material as (key, label, hint)."""
    definition = _clause(commitment.contract, commitment.clause)
    if definition is None:
        return []
    return [(k.key, k.label, k.hint) for k in definition.evidence_kinds.values()]


def store_evidence(commitment: Commitment, by, uploaded_file, *, kind: str = "") -> CommitmentEvidence:
    """Store a supporting file of the commitment's delivery, identified by its content (the application's
    evidence types); ``kind`` one of the clause's evidence kinds (or blank). Raises EvidenceRejected or
    ReportRefused."""
    contract = commitment.contract
    refusal = _member_refusal(contract, by) or edit_refusal(contract)
    if refusal:
        raise ReportRefused(refusal)
    if kind and kind not in {k for k, _label, _hint in evidence_kinds(commitment)}:
        raise ReportInvalid({"kind": _("材料类型：条款 %(c)s 没有这类材料。") % {"c": commitment.clause}})
    name = clean_name(getattr(uploaded_file, "name", ""))
    limit = settings.EVIDENCE_MAX_BYTES
    digest, size = sha256(), 0
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        size += len(chunk)
        if size > limit:
            raise EvidenceRejected(_("文件“%(name)s”超过 %(limit)s 上限，未保存。") % {
                "name": name, "limit": size_text(limit)})
        digest.update(chunk)
    if size == 0:
        raise EvidenceRejected(_("文件“%(name)s”是空文件（0 字节），未保存。") % {"name": name})
    ftype = identify(uploaded_file, name, RECORD_TYPES)
    if ftype.is_image:
        check_and_thumbnail(uploaded_file, ftype, name)  # decodes the whole image: a broken one is refused
    digest_hex = digest.hexdigest()
    if CommitmentEvidence.objects.filter(commitment=commitment, sha256=digest_hex).exists():
        raise EvidenceRejected(_("该承诺已上传相同文件“%(name)s”，未重复保存。") % {"name": name})
    stem, ext = os.path.splitext(name)
    if ext.lower() not in ftype.extensions:
        name = f"{stem or name}{ftype.extensions[0]}"
    row = CommitmentEvidence(commitment=commitment, kind=kind, name=name, sha256=digest_hex, size=size,
                             content_type=ftype.mime, uploaded_by=by, uploaded_at=clock.now())
    uploaded_file.seek(0)
    row.file.save(uuid.uuid4().hex + ftype.extensions[0], uploaded_file, save=False)
    try:
        with transaction.atomic():
            _ensure_editable(contract, by)
            row.save()
            record_event("report.evidence_upload", _("上传承诺 %(key)s 的完成情况支撑材料“%(name)s”") % {
                "key": commitment.record_key, "name": name}, actor=by, application=contract.application, obj=row,
                changes={"name": name, "sha256": digest_hex, "size": size, "kind": kind},
                visibility=Visibility.ORGANIZATION)
    except IntegrityError:
        row.file.storage.delete(row.file.name)
        raise EvidenceRejected(_("该承诺已上传相同文件“%(name)s”，未重复保存。") % {"name": name}) from None
    except BaseException:
        row.file.storage.delete(row.file.name)
        raise
    return row


def _listed(contract: Contract, digest: str) -> bool:
    """Whether a report submission of the contract names a file with this checksum (it stays stored)."""
    for doc in ReportSubmission.objects.filter(report__contract=contract).values_list("document", flat=True):
        for c in [*doc.get("commitments", []), *doc.get("extra_work", [])]:
            if any(e.get("sha256") == digest for e in c.get("evidence", [])):
                return True
    return False


def _remove_unlisted_on_commit(contract: Contract, files: list[CommitmentEvidence]) -> None:
    for f in files:
        if not _listed(contract, f.sha256):
            transaction.on_commit(partial(f.file.storage.delete, f.file.name))


def delete_evidence(evidence: CommitmentEvidence, by) -> None:
    """Remove a file from the commitment's delivery (the stored file stays while a submission names it)."""
    with transaction.atomic():
        contract = _ensure_editable(evidence.commitment.contract, by)
        row = CommitmentEvidence.objects.select_for_update().get(pk=evidence.pk)
        record_event("report.evidence_delete", _("删除承诺 %(key)s 的支撑材料“%(name)s”") % {
            "key": row.commitment.record_key, "name": row.name}, actor=by, application=contract.application,
            obj=row, changes={"name": row.name, "sha256": row.sha256}, visibility=Visibility.ORGANIZATION)
        row.delete()
        _remove_unlisted_on_commit(contract, [row])


def find_listed_file(contract: Contract, record_key: str, digest: str) -> CommitmentEvidence | None:
    return CommitmentEvidence.objects.filter(commitment__contract=contract, commitment__record_key=record_key,
                                             sha256=digest).first()


# --- submitting and reviewing -------------------------------------------------------------------------------------

def _commitment_document(c: Commitment) -> dict[str, Any]:
    return {"record_key": c.record_key, "origin": c.origin, "clause": c.clause, "title": c.title,
            "date": c.date.isoformat(), "targets": c.targets, "reported_status": c.reported_status,
            "delivered": c.delivered, "delivered_on": c.delivered_on.isoformat() if c.delivered_on else None,
            "note": c.delivery_note,
            "evidence": [{"name": e.name, "sha256": e.sha256, "kind": e.kind, "size": e.size}
                         for e in c.evidence.all()]}


def build_document(report: Report) -> dict[str, Any]:
    """Everything the report states, as the JSON frozen on submission."""
    contract = report.contract
    rows = list(contract.commitments.prefetch_related("evidence").order_by("clause", "date", "pk"))
    return {
        "format": DOCUMENT_FORMAT, "programme": contract.application.programme_code,
        "round": {"id": report.round_id, "name": report.round.name, "kind": report.round.kind,
                  "due_on": report.round.due_on.isoformat()},
        "contract": {"signed_on": contract.signed_on.isoformat(), "amount": str(contract.amount)},
        "summary": report.summary,
        "commitments": [_commitment_document(c) for c in rows if c.origin == CommitmentOrigin.CONTRACT],
        "extra_work": [_commitment_document(c) for c in rows if c.origin == CommitmentOrigin.EXTRA],
    }


def submit_refusal(report: Report, by) -> str | None:
    contract = report.contract
    refusal = _member_refusal(contract, by) or phase_refusal(contract.application)
    if refusal:
        return refusal
    if report.status == ReportStatus.ACCEPTED:
        return _("“%(round)s”已通过审核，不能再次提交。") % {"round": report.round.name}
    if report.status == ReportStatus.SUBMITTED:
        return _("“%(round)s”已提交，待项目办公室审核。") % {"round": report.round.name}
    other = contract.reports.filter(status=ReportStatus.SUBMITTED).exclude(pk=report.pk).select_related("round").first()
    if other is not None:
        return _("“%(round)s”已提交，待项目办公室审核；审核后再提交本报告。") % {"round": other.round.name}
    return None


def save_summary(report: Report, by, summary: str) -> Report:
    summary = (summary or "").strip()
    problem = bounds.length_problem(_("报告说明"), summary, "comment")
    if problem:
        raise ReportInvalid({"summary": problem})
    with transaction.atomic():
        _ensure_editable(report.contract, by)
        row = Report.objects.select_for_update().get(pk=report.pk)
        if row.status not in OPEN_STATES:
            raise ReportRefused(_("本报告当前不能修改。"))
        if row.summary != summary:
            row.summary = summary
            row.save(update_fields=["summary", "updated_at"])
    report.refresh_from_db()
    return report


def submit_report(report: Report, by, *, summary: str | None = None) -> ReportSubmission:
    """Freeze and submit the report (also after the due date: marked late). The document is built before
    the row lock is taken; under the lock the report must still be open and its contents unchanged."""
    if summary is not None:
        save_summary(report, by, summary)
    current = Report.objects.select_related("round", "contract__application__organization").get(pk=report.pk)
    refusal = submit_refusal(current, by)
    if refusal:
        raise ReportRefused(refusal)
    document = build_document(current)
    app = current.contract.application
    with transaction.atomic():
        Application.objects.select_for_update().get(pk=app.pk)
        locked = Report.objects.select_for_update().select_related("round", "contract__application__organization").get(
            pk=report.pk)
        refusal = submit_refusal(locked, by)
        if refusal:
            raise ReportRefused(refusal)
        if build_document(locked) != document:
            raise ReportRefused(_("提交过程中报告内容被修改，请重新检查后再提交。"))
        due = due_on(locked.round, app)
        today = clock.today()
        number = locked.submissions.count() + 1
        submission = ReportSubmission.objects.create(
            report=locked, number=number, document=document, programme_sha256=locked.contract.programme_sha256,
            late=today > due, submitted_by=by, submitted_at=clock.now())
        locked.status = ReportStatus.SUBMITTED
        locked.save(update_fields=["status", "updated_at"])
        event = record_event("report.submit", _("提交“%(round)s”（第 %(n)s 次提交）%(late)s") % {
            "round": locked.round.name, "n": number, "late": _("，逾期提交") if submission.late else ""},
            actor=by, application=app, obj=submission,
            changes={"round": locked.round.name, "number": number, "late": submission.late, "due_on": due.isoformat(),
                     "report": locked.pk}, visibility=Visibility.ORGANIZATION)
        _notify("report.submitted", app, event)
    report.refresh_from_db()
    return submission


def latest_submission(report: Report) -> ReportSubmission | None:
    return report.submissions.order_by("-number").first()


def latest_review(report: Report) -> ReportReview | None:
    return ReportReview.objects.filter(submission__report=report).order_by("-reviewed_at", "-pk").first()


def _review_refusal(submission: ReportSubmission, by) -> str | None:
    if not is_office(by):
        return _("实施期报告只能由项目办公室审核。")
    report = submission.report
    refusal = phase_refusal(report.contract.application)
    if refusal:
        return refusal
    if report.status != ReportStatus.SUBMITTED or latest_submission(report).pk != submission.pk:
        return _("本报告当前不在待审核状态。")
    return None


def _review(submission: ReportSubmission, by, verdict: str, comment: str, comments: dict[str, str]) -> ReportReview:
    app = submission.report.contract.application
    with transaction.atomic():
        Application.objects.select_for_update().get(pk=app.pk)
        report = Report.objects.select_for_update().get(pk=submission.report_id)
        submission = ReportSubmission.objects.select_related("report__round", "report__contract__application").get(
            pk=submission.pk)
        refusal = _review_refusal(submission, by)
        if refusal:
            raise ReportRefused(refusal)
        review = ReportReview.objects.create(submission=submission, verdict=verdict, comment=comment,
                                             commitment_comments=comments, reviewed_by=by, reviewed_at=clock.now())
        report.status = ReportStatus.RETURNED if verdict == ReportVerdict.RETURNED else ReportStatus.ACCEPTED
        report.save(update_fields=["status", "updated_at"])
        name = report.round.name
        doc = submission.document
        titles = {c["record_key"]: c["title"] for c in [*doc.get("commitments", []), *doc.get("extra_work", [])]}
        if verdict == ReportVerdict.RETURNED:
            summary, action, key = _("“%(round)s”退回修改（第 %(n)s 次提交）"), "report.return", "report.returned"
        else:
            summary, action, key = _("“%(round)s”审核通过（第 %(n)s 次提交）"), "report.accept", "report.accepted"
        event = record_event(action, summary % {"round": name, "n": submission.number}, actor=by, application=app,
                             obj=review, changes={"round": name, "number": submission.number, "comment": comment,
                                                  "commitment_comments": comments, "titles": {
                                                      k: titles.get(k, "") for k in comments},
                                                  "report": report.pk, "round_id": report.round_id},
                             visibility=Visibility.ORGANIZATION)
        _notify(key, app, event)
    return review


def return_report(submission: ReportSubmission, by, *, comment: str,
                  per_commitment_comments: dict[str, str] | None = None) -> ReportReview:
    """Return the submitted report with the office's comments (a general comment is required); the
    organization may edit and submit again."""
    comment = (comment or "").strip()
    keys = {c["record_key"] for c in [*submission.document.get("commitments", []),
                                      *submission.document.get("extra_work", [])]}
    comments = {k: v.strip() for k, v in (per_commitment_comments or {}).items() if k in keys and (v or "").strip()}
    errors: dict[str, str] = {}
    if not comment:
        errors["comment"] = _("总体意见：退回修改时请填写意见。")
    elif bounds.length_problem(_("总体意见"), comment, "comment"):
        errors["comment"] = bounds.length_problem(_("总体意见"), comment, "comment")
    for k, v in comments.items():
        problem = bounds.length_problem(_("对 %(k)s 的意见") % {"k": k}, v, "comment")
        if problem:
            errors[f"comment_{k}"] = problem
    if errors:
        raise ReportInvalid(errors)
    return _review(submission, by, ReportVerdict.RETURNED, comment, comments)


def accept_report(submission: ReportSubmission, by, *, comment: str = "") -> ReportReview:
    comment = (comment or "").strip()
    problem = bounds.length_problem(_("总体意见"), comment, "comment")
    if problem:
        raise ReportInvalid({"comment": problem})
    return _review(submission, by, ReportVerdict.ACCEPTED, comment, {})


# --- the application's phase ------------------------------------------------------------------------------------

def start_implementation(application, by) -> None:
    """The contract's implementation starts (``start_implementation``; office, or the system once the signing
    date has passed)."""
    try:
        workflow.transition(application, "start_implementation", by)
    except workflow.TransitionRefused as exc:
        raise ReportRefused(exc.message) from None


def final_round(code: str) -> ReportRound | None:
    return rounds(code).filter(kind=RoundKind.FINAL).order_by("-due_on", "-pk").first()


def request_report(application, by) -> None:
    """The implementation period ends: the organization is asked for its final report (``request_report``);
    only once the programme's final report round exists."""
    report_round = final_round(application.programme_code)
    if report_round is None:
        raise ReportRefused(_("请先设置“实施期总结报告”批次，再转入验收。"))
    try:
        workflow.transition(application, "request_report", by, changes={"round": report_round.name,
                                                                        "due_on": report_round.due_on.isoformat()})
    except workflow.TransitionRefused as exc:
        raise ReportRefused(exc.message) from None


def start_due_implementations(today: dt.date | None = None) -> int:
    """The system starts the implementation of every contracted application whose signing date has passed."""
    today = today or clock.today()
    started = 0
    for app in Application.objects.filter(status=workflow.CONTRACTED, contract__signed_on__lt=today):
        try:
            workflow.transition(app, "start_implementation", None)
        except workflow.TransitionRefused:
            continue
        started += 1
    return started


# --- counts for pages ---------------------------------------------------------------------------------------------

def round_counts(code: str) -> dict[int, dict[str, int]]:
    """Per round: how many reports are submitted (awaiting review), returned, accepted."""
    rows = (Report.objects.filter(round__programme_code=code).values("round_id")
            .annotate(submitted=Count("pk", filter=Q(status=ReportStatus.SUBMITTED)),
                      returned=Count("pk", filter=Q(status=ReportStatus.RETURNED)),
                      accepted=Count("pk", filter=Q(status=ReportStatus.ACCEPTED))))
    return {r["round_id"]: r for r in rows}
