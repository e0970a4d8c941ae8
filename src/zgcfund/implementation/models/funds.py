from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zgcfund.core.bounds import LENGTHS


class DisbursementStatus(models.TextChoices):
    PROPOSED = "proposed", _("待集体研究")
    APPROVED = "approved", _("已批准待拨付")
    PAID = "paid", _("已拨付")
    CANCELLED = "cancelled", _("已撤销")


class Disbursement(models.Model):
    """One payment (拨付) to the organization under its contract, optionally against a tranche of the payment
    plan: the office proposes it (amount, planned date) to its collective decision (集体研究); approved, finance
    records the payment (date, voucher) and only then it counts as paid. A decision sent back or withdrawn
    cancels it (the decision and the audit keep the history)."""

    contract = models.ForeignKey("implementation.Contract", on_delete=models.PROTECT, related_name="disbursements",
                                 verbose_name=_("支持合同"))
    tranche = models.ForeignKey("implementation.ContractTranche", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="disbursements", verbose_name=_("拨付期次"))
    status = models.CharField(_("状态"), max_length=10, choices=DisbursementStatus.choices,
                              default=DisbursementStatus.PROPOSED)
    amount = models.DecimalField(_("拨付金额（万元）"), max_digits=12, decimal_places=2)
    planned_on = models.DateField(_("计划拨付日期"), null=True, blank=True)
    note = models.TextField(_("提请说明"), blank=True, max_length=LENGTHS["comment"])
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("提请人"))
    proposed_at = models.DateTimeField(_("提请时间"), default=timezone.now)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    reference = models.CharField(_("凭证号"), max_length=LENGTHS["string"], blank=True)
    payment_note = models.TextField(_("拨付备注"), blank=True, max_length=LENGTHS["comment"])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                    blank=True, verbose_name=_("拨付登记人"))
    recorded_at = models.DateTimeField(_("拨付登记时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("拨付")
        verbose_name_plural = _("拨付")
        ordering = ("contract", "proposed_at", "pk")
        constraints = (
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive"),
            # paid: with its date and who recorded it; otherwise neither
            models.CheckConstraint(condition=Q(status="paid", paid_on__isnull=False, recorded_at__isnull=False)
                                   | (~Q(status="paid") & Q(paid_on__isnull=True)),
                                   name="disbursement_paid_has_date"),
        )

    def __str__(self) -> str:
        return f"{self.contract_id} {self.get_status_display()} {self.amount}"

    @property
    def is_paid(self) -> bool:
        return self.status == DisbursementStatus.PAID


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
