from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zgcfund.core.bounds import LENGTHS


class Disbursement(models.Model):
    """One payment (拨付) made to the organization under its contract, recorded by finance; optionally the
    tranche of the payment plan it pays."""

    contract = models.ForeignKey("implementation.Contract", on_delete=models.PROTECT, related_name="disbursements",
                                 verbose_name=_("支持合同"))
    tranche = models.ForeignKey("implementation.ContractTranche", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="disbursements", verbose_name=_("拨付期次"))
    paid_on = models.DateField(_("拨付日期"))
    amount = models.DecimalField(_("拨付金额（万元）"), max_digits=12, decimal_places=2)
    reference = models.CharField(_("凭证号"), max_length=LENGTHS["string"], blank=True)
    note = models.TextField(_("备注"), blank=True, max_length=LENGTHS["comment"])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("拨付")
        verbose_name_plural = _("拨付")
        ordering = ("contract", "paid_on", "pk")
        constraints = (models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive"),)

    def __str__(self) -> str:
        return f"{self.contract_id} {self.paid_on} {self.amount}"


class Refund(models.Model):
    """An amount the organization must return (退回), decided after a failed acceptance; finance records
    when it came back and how much."""

    contract = models.ForeignKey("implementation.Contract", on_delete=models.PROTECT, related_name="refunds",
                                 verbose_name=_("支持合同"))
    amount_due = models.DecimalField(_("应退回金额（万元）"), max_digits=12, decimal_places=2)
    decided_on = models.DateField(_("决定日期"))
    reason = models.TextField(_("退回原因"), max_length=LENGTHS["reason"])
    returned_on = models.DateField(_("退回日期"), null=True, blank=True)
    returned_amount = models.DecimalField(_("实际退回金额（万元）"), max_digits=12, decimal_places=2, null=True,
                                          blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                    blank=True, verbose_name=_("退回登记人"))
    returned_at = models.DateTimeField(_("退回登记时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("退回")
        verbose_name_plural = _("退回")
        ordering = ("contract", "decided_on", "pk")
        constraints = (
            models.CheckConstraint(condition=Q(amount_due__gt=0), name="refund_amount_due_positive"),
            models.CheckConstraint(condition=Q(returned_amount__isnull=True) | Q(returned_amount__gt=0),
                                   name="refund_returned_amount_positive"),
            models.CheckConstraint(condition=Q(returned_on__isnull=True, returned_amount__isnull=True)
                                   | Q(returned_on__isnull=False, returned_amount__isnull=False),
                                   name="refund_returned_both_or_neither"),
        )

    def __str__(self) -> str:
        return f"{self.contract_id} {self.decided_on} {self.amount_due}"

    @property
    def is_returned(self) -> bool:
        return self.returned_on is not None
