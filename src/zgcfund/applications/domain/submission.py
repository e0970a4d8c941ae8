"""Submitting an application: checks, the frozen snapshot, the 申报书 PDF, the phase change.

Double submissions (double clicks, two tabs, two colleagues) are stopped by a row lock on the
application and the ``lock_version`` the submit page was opened with.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from zgcfund.applications.domain import workflow
from zgcfund.applications.domain.document import assess, build_document, programme_of
from zgcfund.applications.domain.editing import window_for
from zgcfund.applications.models import Application, EvidenceFile, Submission
from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility
from zgcfund.core import ENGINE_VERSION as engine_version
from zgcfund.core import bounds
from zgcfund.programmes.domain import clock
from zgcfund.programmes.domain.extensions import extension_for

# The commitment the organization seals is an official Chinese text: never translated.
COMMITMENT_TEXT = (
    "本单位郑重承诺：所提交的申报材料及支撑材料真实、准确、完整，不存在虚报、伪造、重复申报等情况；"
    "同一工作事项不在多个条款中重复计算；如有不实，本单位愿承担取消支持资格、退回资金等相应责任，"
    "并接受相关部门依法依规处理。"
)


class SubmissionRefused(Exception):
    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("；".join(messages))


def _fmt(value) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def blockers(application: Application, *, now=None) -> list[str]:
    """Why the application cannot be submitted now ([] when it can)."""
    out = []
    org = application.organization
    if not org.is_approved:
        out.append(_("本单位注册信息尚未通过项目办公室审核，审核通过后才能提交。"))
    if not application.phase.applicant_can_submit:
        last = application.submissions.order_by("-number").first()
        out.append(_("申报书已于 %(at)s 提交，无需重复提交。") % {"at": _fmt(last.submitted_at)} if last
                   else _("申报书当前状态不能提交。"))
        return out
    if application.phase.window_bound:
        window = window_for(application)
        state = window.state(now) if window else None
        if window is None:
            out.append(_("项目办公室尚未公布申报时间。"))
        elif state == "not_open":
            out.append(_("申报尚未开始，开始时间为 %(at)s。") % {"at": _fmt(window.opens_at)})
        elif state == "closed" and extension_for(application.programme_code, application.organization, now) is None:
            out.append(_("申报已于 %(at)s 截止。") % {"at": _fmt(window.closes_at)})
    if not application.records.exists():
        out.append(_("申报书还没有任何记录。"))
    missing = (EvidenceFile.objects.filter(application=application, kind="record", file="")
               .select_related("record").order_by("record__key")[:10])
    for f in missing:
        out.append(_("记录 %(key)s 的支撑材料“%(name)s”尚未上传文件。") % {"key": f.record.key, "name": f.name})
    return out


# The bases whose unresolved X-K1-TWO / X-K3-TWO choice refuses a submission. Only the prior basis:
# a sub-item touched only by plan records is not touched there, so a planned third item does not block
# (the projected evaluation still warns, and counts the two best).
CHOICE_BASES = ("prior",)


def unresolved_choices(application: Application, result) -> list[dict]:
    """The K1/K3 choices the applicant must still make before submitting (from ``assess``'s result):
    ``[{"rule", "group", "limit", "members": [(clause id, title), ...]}]``."""
    if not result.valid:
        return []
    rules = {w["rule"] for basis in CHOICE_BASES for w in (getattr(result, basis) or {}).get("warnings", ())}
    programme = programme_of(application)
    return [{"rule": gate.id, "group": gate.group, "limit": gate.choose,
             "members": [(cid, programme.clauses[cid].title) for cid in programme.choice_groups[gate.group]]}
            for gate in programme.gates if gate.kind == "choose" and gate.id in rules]


def materials_missing(application: Application, result) -> list[dict]:
    """Counted prior records lacking a required kind of supporting material (not a refusal: the formal
    review decides), per clause in programme order: ``[{"clause", "title", "items": [{record, message}]}]``."""
    if not result.valid:
        return []
    programme = programme_of(application)
    out = []
    for cid, clause in programme.clauses.items():
        items = result.prior["clauses"].get(cid, {}).get("missing_evidence", [])
        if items:
            out.append({"clause": cid, "title": clause.title, "items": items})
    return out


def choice_refusals(groups: list[dict]) -> list[str]:
    return [_("%(group)s 的 %(members)s 都有记录，最多只能计入 %(limit)s 项（%(rule)s）：请先在申报书概览页的"
              "“K1、K3 选项”中选定计入的 %(limit)s 项，再提交。")
            % {"group": g["group"], "members": "、".join(cid for cid, _title in g["members"]),
               "limit": g["limit"], "rule": g["rule"]}
            for g in groups]


def latest_commitment(application: Application) -> EvidenceFile | None:
    return (EvidenceFile.objects.filter(application=application, kind="commitment").exclude(file="")
            .order_by("-uploaded_at", "-id").first())


def content_version(application: Application) -> str:
    """Changes whenever anything in the application changes (records, evidence, choices)."""
    return f"{application.lock_version}:{application.updated_at.isoformat()}"


def fingerprint(document: dict) -> str:
    from zgcfund.applications.interfaces.pdf import document_fingerprint

    return document_fingerprint(document)


def submit_application(application: Application, user, *, commitment_accepted: bool,
                       commitment: EvidenceFile | None, opened_version: str) -> Submission:
    """Freeze and submit. Raises SubmissionRefused with every reason; nothing changes then.

    The PDF (seconds for a large application) is rendered before the row lock is taken; under the
    lock the application must still be exactly what was rendered, else the submission is refused.
    """
    problems = []
    if not commitment_accepted:
        problems.append(_("请阅读并勾选承诺书。"))
    if commitment is None or commitment.application_id != application.pk or commitment.kind != "commitment":
        problems.append(_("请上传加盖单位公章的承诺书扫描件（PDF 或图片）。"))
    app = Application.objects.select_related("organization", "programme_year").get(pk=application.pk)
    problems.extend(blockers(app))
    if not problems and opened_version != content_version(app):
        problems.append(_("申报书在您打开提交页面后已被修改，请重新检查评估结果后再提交。"))
    if problems:
        raise SubmissionRefused(problems)

    app.applied_on = app.applied_on or clock.today()
    document = build_document(app)
    result = assess(app, document)
    if not result.valid:
        raise SubmissionRefused([_("申报数据有误：%(p)s") % {"p": p} for p in result.problems[:10]])
    choices = choice_refusals(unresolved_choices(app, result))
    if choices:
        raise SubmissionRefused(choices)
    number = app.submissions.count() + 1
    submitted_at = timezone.now()
    pdf = _render_pdf(app, user, document, result, number, submitted_at, commitment)
    submission = Submission(
        application=app, number=number, submitted_at=submitted_at, submitted_by=user, document=document,
        evaluation_prior=result.prior, evaluation_projected=result.projected,
        programme_sha256=app.programme_year.sha256, engine_version=engine_version, commitment=commitment,
        pdf_sha256=hashlib.sha256(pdf).hexdigest())
    submission.pdf.save(f"{app.organization.credit_code}-{app.programme_code}-{number}.pdf", ContentFile(pdf),
                        save=False)
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().select_related("organization").get(pk=app.pk)
            late = blockers(locked)
            # the choices were checked on ``document`` (outside the lock): they must still be those
            if not late and (content_version(locked) != opened_version or locked.choices != document["choices"]):
                late = [_("提交过程中申报书被修改，请重新检查后再提交。")]
            if late:
                raise SubmissionRefused(late)
            submission.application = locked
            submission.save()
            locked.applied_on = app.applied_on
            locked.updated_by = user
            locked.save(update_fields=["applied_on", "updated_by", "updated_at"])
            try:
                workflow.transition(locked, "submit", user, obj=submission, n=number,
                                    changes={"number": number, "fingerprint": fingerprint(document),
                                             "score_prior": result.prior["score"], "eligible": result.prior["eligible"]})
            except workflow.TransitionRefused as exc:
                raise SubmissionRefused([exc.message]) from None
    except BaseException:
        submission.pdf.storage.delete(submission.pdf.name)
        raise
    application.refresh_from_db()
    return submission


def withdraw_application(application: Application, user, reason: str, *, confirmed: bool) -> None:
    """The organization withdraws its application (``withdraw``: from filling until expert review ends).
    Needs the reason and an explicit confirmation; irreversible. Raises SubmissionRefused."""
    reason = (reason or "").strip()
    problems = []
    if not reason:
        problems.append(_("撤回理由：请填写。"))
    else:
        too_long = bounds.length_problem(_("撤回理由"), reason, "reason")
        if too_long:
            problems.append(too_long + _("。"))
    if not confirmed:
        problems.append(_("请勾选“我确认撤回本申报书，撤回后不能恢复”。"))
    if problems:
        raise SubmissionRefused(problems)
    try:
        workflow.transition(application, "withdraw", user, reason=reason)
    except workflow.TransitionRefused as exc:
        raise SubmissionRefused([exc.message]) from None


def draft_pdf(application: Application, user) -> bytes:
    """A 草稿-watermarked preview of the application as it stands (nothing is stored)."""
    app = Application.objects.select_related("organization", "programme_year").get(pk=application.pk)
    app.applied_on = app.applied_on or clock.today()
    document = build_document(app)
    result = assess(app, document)
    if not result.valid:
        raise SubmissionRefused([_("申报数据有误：%(p)s") % {"p": p} for p in result.problems[:10]])
    record_event("application.preview", _("生成申报书草稿 PDF"), actor=user, application=app, obj=app,
                 visibility=Visibility.OFFICE)
    return _render_pdf(app, user, document, result, 0, timezone.now(), latest_commitment(app), draft=True)


def _render_pdf(app: Application, user, document, result, number, submitted_at, commitment, draft=False) -> bytes:
    from zgcfund.applications.interfaces.pdf import ApplicationSnapshot, render_application_pdf

    org = app.organization
    evidence = [{"record_id": f.record.key if f.record else None, "clause": f.record.clause if f.record else None,
                 "name": f.name, "sha256": f.sha256, "size": f.size, "content_type": f.content_type,
                 "uploaded": bool(f.file)}
                for f in EvidenceFile.objects.filter(application=app, kind="record").select_related("record")
                .order_by("record__clause", "record__key", "id")]
    if commitment is not None:
        evidence.append({"record_id": None, "clause": None, "name": commitment.name, "sha256": commitment.sha256,
                         "size": commitment.size, "content_type": commitment.content_type, "uploaded": True})
    row = app.programme_year
    snapshot = ApplicationSnapshot(
        document=document, evaluation_prior=result.prior, evaluation_projected=result.projected,
        programme=programme_of(app),
        organization={"name": org.name, "credit_code": org.credit_code,
                      "registration_type_label": org.get_registration_type_display(),
                      "comprehensive": org.comprehensive, "registers_tech_contracts": org.registers_tech_contracts,
                      "contact_name": org.contact_name, "contact_phone": org.contact_phone,
                      "contact_email": org.contact_email},
        submission_number=number, submitted_at=submitted_at, submitted_by=user.get_full_name(),
        programme_version=f"{row.code} 第{row.version}版 · SHA-256 {row.sha256[:16]}…",
        evidence=evidence, draft=draft)
    return render_application_pdf(snapshot)
