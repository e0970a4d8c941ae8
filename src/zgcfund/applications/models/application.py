from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zgcfund.applications.domain.workflow import DRAFT, PHASE_CHOICES, PHASES


class Application(models.Model):
    """One organization's application to one programme year (zgc-application/1 top level)."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="applications",
                                     verbose_name=_("申报单位"))
    programme_code = models.CharField(_("项目代码"), max_length=64)
    # The programme-file version the application was written under (stored content is sacred).
    programme_year = models.ForeignKey("programmes.ProgrammeYear", on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("项目文件版本"))
    status = models.CharField(_("状态"), max_length=24, choices=PHASE_CHOICES, default=DRAFT)
    applied_on = models.DateField(_("申报日"), null=True, blank=True)
    contract_signed_on = models.DateField(_("合同签署日"), null=True, blank=True)
    choices = models.JSONField(_("K1/K3 选项"), default=dict, blank=True)
    lock_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("最后修改人"))

    class Meta:
        verbose_name = _("申报书")
        verbose_name_plural = _("申报书")
        ordering = ("-updated_at",)
        constraints = (models.UniqueConstraint(fields=["organization", "programme_code"],
                                               name="one_application_per_organization_and_programme"),)

    def __str__(self) -> str:
        return f"{self.organization} · {self.programme_code}"

    @property
    def phase(self):
        return PHASES[self.status]
