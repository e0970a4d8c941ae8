from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zgcfund.core.bounds import LENGTHS
from zgcfund.files.storage import private_storage

#: the four K1.3 figures (zgc-application/1 record fields), in the template's order
FIGURES = ("revenue_2024_jan_nov", "revenue_2025_jan_nov", "revenue_2025_jan_feb", "revenue_2026_jan_feb")


class RevenueTable(models.Model):
    """K1.3 营收情况表 of one performance enterprise under a contract: the four period figures (万元; None = not
    in yet), the monthly rows they were summed from, and the uploaded workbook (private storage, SHA-256).
    A re-upload replaces the figures; the audit entry keeps the old and new values."""

    contract = models.ForeignKey("implementation.Contract", on_delete=models.CASCADE, related_name="revenue_tables")
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    enterprise_name = models.CharField(_("绩效企业"), max_length=LENGTHS["name"])
    revenue_2024_jan_nov = models.DecimalField(_("2024年1-11月营收（万元）"), max_digits=14, decimal_places=2,
                                               null=True, blank=True)
    revenue_2025_jan_nov = models.DecimalField(_("2025年1-11月营收（万元）"), max_digits=14, decimal_places=2,
                                               null=True, blank=True)
    revenue_2025_jan_feb = models.DecimalField(_("2025年1-2月营收（万元）"), max_digits=14, decimal_places=2,
                                               null=True, blank=True)
    revenue_2026_jan_feb = models.DecimalField(_("2026年1-2月营收（万元）"), max_digits=14, decimal_places=2,
                                               null=True, blank=True)
    months = models.JSONField(_("月度营收"), default=dict, blank=True)  # {"revenue_2025_jan_nov": {"2025-01": "12.5"}}
    file = models.FileField(storage=private_storage, upload_to="revenue/%Y/%m/", max_length=300)
    file_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("K1.3 营收情况表")
        verbose_name_plural = _("K1.3 营收情况表")
        ordering = ("contract", "enterprise_name", "pk")
        constraints = (models.UniqueConstraint(fields=["contract", "credit_code"], name="revenue_table_once"),)

    def __str__(self) -> str:
        return f"{self.enterprise_name}（{self.credit_code}）"

    def figures(self) -> dict:
        return {name: getattr(self, name) for name in FIGURES}
