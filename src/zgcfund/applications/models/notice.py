from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zgcfund.core.numbers import display_number


class RegistrationNotice(models.Model):
    """企业注册前信息报送 (K3.2/K3.3): an organization gives the office a future enterprise's name,
    place, capital and scope before it registers. Stamped with the moment it arrived; never edited
    (a correction is a new notice with its own date), so the working-day check can rely on it."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT,
                                     related_name="registration_notices", verbose_name=_("申报单位"))
    programme_code = models.CharField(_("项目代码"), max_length=64)
    number = models.CharField(_("报送编号"), max_length=32, unique=True)
    enterprise_name = models.CharField(_("企业名称"), max_length=200)
    registered_in = models.CharField(_("拟注册地"), max_length=200)
    registered_capital = models.DecimalField(_("注册资金（万元）"), max_digits=14, decimal_places=2)
    foreign = models.BooleanField(_("外资企业"), default=False)
    business_scope = models.TextField(_("业务范围"))
    received_at = models.DateTimeField(_("送达时间"), default=timezone.now, editable=False)
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("报送人"))

    class Meta:
        verbose_name = _("企业注册前信息报送")
        verbose_name_plural = _("企业注册前信息报送")
        ordering = ("-received_at", "-id")
        indexes = (models.Index(fields=["organization", "programme_code"], name="notice_org_programme"),)

    def __str__(self) -> str:
        return f"{self.number} {self.enterprise_name}"

    @property
    def received_on(self):
        """The Beijing date the notice arrived: the start of the K3.2 working-day count."""
        return timezone.localdate(self.received_at)

    @property
    def capital_text(self) -> str:
        """The registered capital without trailing zeros (500, 12.5), as typed into a form."""
        return display_number(self.registered_capital)
