from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zgcfund.audit.immutable import AppendOnlyQuerySet


class Visibility(models.TextChoices):
    """Who may read an activity entry besides the office (which reads all of them).

    OFFICE entries (the default: what is not declared visible stays with the office) name experts,
    objectors and internal decisions; ORGANIZATION entries are the applicant's own actions and the
    outcomes the office tells it. An expert reads only the entries it made itself (audit.rules)."""

    OFFICE = "office", _("仅项目办公室")
    ORGANIZATION = "organization", _("项目办公室与申报单位")


class AuditEvent(models.Model):
    """Who did what to which object, when, and what changed. Append-only."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    # SET_NULL: an entry outlives what it describes (its summary names it)
    organization = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="audit_events")
    application = models.ForeignKey("applications.Application", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="audit_events")
    action = models.CharField(_("操作"), max_length=40)
    summary = models.CharField(_("摘要"), max_length=300)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    visibility = models.CharField(_("可见范围"), max_length=16, choices=Visibility.choices, default=Visibility.OFFICE)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ("-at", "-id")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.summary}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("audit events are append-only")
        super().save(*args, **kwargs)
