from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zgcfund.core.bounds import LENGTHS


class RecordPhase(models.TextChoices):
    """The record phases: the core's ``application.PHASES`` (a test keeps them equal), translatable."""

    PRIOR = "prior", _("前期工作绩效")
    PLAN = "plan", _("实施期内工作计划")


class Record(models.Model):
    """One declared piece of work (a zgc-application/1 record). The common fields are columns;
    the clause's own fields are stored under their format names in ``fields``."""

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="records")
    key = models.CharField(_("记录编号"), max_length=LENGTHS["id"])  # the format's "id"
    clause = models.CharField(_("条款"), max_length=10)
    phase = models.CharField(_("阶段"), max_length=8, choices=RecordPhase.choices)
    date = models.DateField(_("日期"))
    title = models.CharField(_("名称"), max_length=LENGTHS["title"])
    fields = models.JSONField(_("条款字段"), default=dict, blank=True)
    verified = models.BooleanField(_("审核确认"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking: two editors, one record
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("申报记录")
        verbose_name_plural = _("申报记录")
        ordering = ("clause", "date", "id")
        constraints = (models.UniqueConstraint(fields=["application", "key"], name="record_key_unique_in_application"),)
        indexes = (models.Index(fields=["application", "clause"]),)

    def __str__(self) -> str:
        return f"{self.clause} {self.key} {self.title}"
