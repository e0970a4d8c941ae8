"""Reporting during the implementation period: the office's report rounds (with due dates, extendable per
organization), each contracted organization's report in a round (its commitments' delivery, extra work,
evidence), the frozen submissions and the office's reviews of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zgcfund.core.bounds import LENGTHS
from zgcfund.files.storage import private_storage


class RoundKind(models.TextChoices):
    PROGRESS = "progress", _("进度报告")
    K13_2025 = "k13_2025", _("K1.3 2025年1—11月营收表")
    K13_2026 = "k13_2026", _("K1.3 2026年1—2月营收表")
    FINAL = "final", _("实施期总结报告")


class ReportRound(models.Model):
    """A report the office asks of every contracted organization of a programme, due on a date."""

    programme_code = models.CharField(_("项目代码"), max_length=64, db_index=True)
    name = models.CharField(_("名称"), max_length=LENGTHS["title"])
    kind = models.CharField(_("类型"), max_length=20, choices=RoundKind.choices, default=RoundKind.PROGRESS)
    due_on = models.DateField(_("截止日期"))
    asks = models.TextField(_("报告要求"), blank=True, max_length=LENGTHS["comment"])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("设置人"))
    created_at = models.DateTimeField(_("设置时间"), default=timezone.now)

    class Meta:
        verbose_name = _("报告批次")
        verbose_name_plural = _("报告批次")
        ordering = ("programme_code", "due_on", "pk")

    def __str__(self) -> str:
        return f"{self.name} ({self.due_on})"


class DueDateExtension(models.Model):
    """A new due date of one round for one organization (its application), with the office's reason; may be
    granted also after the due date has passed. The latest one counts."""

    round = models.ForeignKey(ReportRound, on_delete=models.CASCADE, related_name="extensions")
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField(_("延期后截止日期"))
    reason = models.TextField(_("延期理由"), max_length=LENGTHS["reason"])
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("批准人"))
    granted_at = models.DateTimeField(_("批准时间"), default=timezone.now)

    class Meta:
        verbose_name = _("报告延期")
        verbose_name_plural = _("报告延期")
        ordering = ("round", "application", "granted_at", "pk")

    def __str__(self) -> str:
        return f"{self.round_id} · {self.application_id} → {self.due_on}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("已提交，待审核")
    RETURNED = "returned", _("退回修改")
    ACCEPTED = "accepted", _("已通过")


class Report(models.Model):
    """One organization's report in one round (over its contract): opened as a draft, submitted (frozen in a
    ``ReportSubmission``), returned or accepted by the office."""

    round = models.ForeignKey(ReportRound, on_delete=models.PROTECT, related_name="reports")
    contract = models.ForeignKey("implementation.Contract", on_delete=models.CASCADE, related_name="reports")
    status = models.CharField(_("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    summary = models.TextField(_("报告说明"), blank=True, max_length=LENGTHS["comment"])
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("实施期报告")
        verbose_name_plural = _("实施期报告")
        ordering = ("round", "contract")
        constraints = (models.UniqueConstraint(fields=["round", "contract"], name="report_once_per_round"),)

    def __str__(self) -> str:
        return f"{self.round} · {self.contract_id}"


class ReportSubmission(models.Model):
    """A submitted report, frozen: everything reported as one JSON document; never changed after."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="submissions")
    number = models.PositiveSmallIntegerField(_("提交次数"))
    document = models.JSONField(_("报告内容"))
    programme_sha256 = models.CharField(max_length=64)
    late = models.BooleanField(_("逾期提交"), default=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    class Meta:
        verbose_name = _("报告提交记录")
        verbose_name_plural = _("报告提交记录")
        ordering = ("report", "number")
        constraints = (models.UniqueConstraint(fields=["report", "number"], name="report_submission_number_unique"),)

    def __str__(self) -> str:
        return f"{self.report_id} #{self.number}"


class ReportVerdict(models.TextChoices):
    RETURNED = "returned", _("退回修改")
    ACCEPTED = "accepted", _("通过")


class ReportReview(models.Model):
    """The office's review of one report submission: returned with comments (general and per commitment,
    keyed by record key) or accepted."""

    submission = models.OneToOneField(ReportSubmission, on_delete=models.CASCADE, related_name="review")
    verdict = models.CharField(_("审核结论"), max_length=20, choices=ReportVerdict.choices)
    comment = models.TextField(_("总体意见"), blank=True, max_length=LENGTHS["comment"])
    commitment_comments = models.JSONField(_("针对承诺的意见"), default=dict, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), default=timezone.now)

    class Meta:
        verbose_name = _("报告审核")
        verbose_name_plural = _("报告审核")

    def __str__(self) -> str:
        return f"{self.submission_id} {self.verdict}"


class CommitmentEvidence(models.Model):
    """A supporting file of a commitment's delivery, checked by content like an application's evidence;
    ``kind`` is the clause's evidence kind key from the programme file (blank: not classified)."""

    commitment = models.ForeignKey("implementation.Commitment", on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("材料类型"), max_length=40, blank=True, default="")
    name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    file = models.FileField(storage=private_storage, upload_to="delivery/%Y/%m/", max_length=300)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("完成情况支撑材料")
        verbose_name_plural = _("完成情况支撑材料")
        ordering = ("commitment", "uploaded_at", "pk")
        constraints = (models.UniqueConstraint(fields=["commitment", "sha256"], name="delivery_evidence_once"),)

    def __str__(self) -> str:
        return self.name


class ReportReminder(models.Model):
    """A reminder sent (``zgcfund remind``): once per round, application and due date (an extension reminds
    again)."""

    round = models.ForeignKey(ReportRound, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["round", "application", "due_on"], name="report_reminded_once"),)

    def __str__(self) -> str:
        return f"{self.round_id} · {self.application_id} · {self.due_on}"
