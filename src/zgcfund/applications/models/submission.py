from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zgcfund.audit.immutable import AppendOnlyQuerySet
from zgcfund.files.storage import private_storage


class Submission(models.Model):
    """An immutable snapshot of an application as submitted: the zgc-application/1 document, the
    engine's evaluations, and the generated 申报书 PDF. Every submission is kept."""

    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="submissions")
    number = models.PositiveIntegerField(_("提交序号"))
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("提交人"))
    document = models.JSONField(_("申报数据（zgc-application/1）"))
    evaluation_prior = models.JSONField(_("评估结果（前期绩效）"))
    evaluation_projected = models.JSONField(_("评估结果（含实施期内工作计划）"))
    programme_sha256 = models.CharField(max_length=64)
    engine_version = models.CharField(max_length=40)
    commitment = models.ForeignKey("applications.EvidenceFile", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("承诺书盖章扫描件"))
    pdf = models.FileField(storage=private_storage, upload_to="submissions/%Y/", max_length=300)
    pdf_sha256 = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("提交记录")
        verbose_name_plural = _("提交记录")
        ordering = ("application", "-number")
        constraints = (models.UniqueConstraint(fields=["application", "number"], name="submission_number_unique"),)

    def __str__(self) -> str:
        return f"{self.application} #{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("submissions are immutable")
        super().save(*args, **kwargs)
