from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zgcfund.core.bounds import LENGTHS


class ContractStatus(models.TextChoices):
    """A recorded contract is ``proposed`` until the office's collective decision (集体研究) approves it."""
    PROPOSED = "proposed", _("未生效")
    SIGNED = "signed", _("已签订")


class Contract(models.Model):
    """The support contract (任务书/合同) of one selected application: when it was signed, the amount, the
    conditions, and the submission (and so the programme-file version) its commitments rest on. Recorded
    as ``proposed``; ``signed`` once the collective decision approves it (the applicant sees it only then)."""

    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT, related_name="contract",
                                       verbose_name=_("申报书"))
    submission = models.ForeignKey("applications.Submission", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("所依据的提交记录"))
    programme_year = models.ForeignKey("programmes.ProgrammeYear", on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("项目文件版本"))
    programme_sha256 = models.CharField(max_length=64)
    status = models.CharField(_("状态"), max_length=10, choices=ContractStatus.choices,
                              default=ContractStatus.PROPOSED)
    signed_on = models.DateField(_("合同签署日"))
    amount = models.DecimalField(_("合同金额（万元）"), max_digits=12, decimal_places=2)
    awarded_amount = models.DecimalField(_("遴选支持金额（万元）"), max_digits=12, decimal_places=2, null=True,
                                         blank=True)
    conditions = models.TextField(_("合同条件"), blank=True, max_length=LENGTHS["comment"])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("支持合同")
        verbose_name_plural = _("支持合同")
        ordering = ("-signed_on", "pk")
        constraints = (models.CheckConstraint(condition=Q(amount__gt=0), name="contract_amount_positive"),)

    def __str__(self) -> str:
        return f"{self.application} · {self.signed_on}"


class ContractTranche(models.Model):
    """One payment of the contract's plan (拨付计划): its order, planned date, amount and condition."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="tranches")
    sequence = models.PositiveSmallIntegerField(_("期次"))
    planned_on = models.DateField(_("计划拨付日期"))
    amount = models.DecimalField(_("拨付金额（万元）"), max_digits=12, decimal_places=2)
    condition = models.CharField(_("拨付条件"), max_length=LENGTHS["string"], blank=True)

    class Meta:
        verbose_name = _("拨付计划")
        verbose_name_plural = _("拨付计划")
        ordering = ("contract", "sequence")
        constraints = (models.UniqueConstraint(fields=["contract", "sequence"], name="tranche_sequence_unique"),
                       models.CheckConstraint(condition=Q(amount__gt=0), name="tranche_amount_positive"))

    def __str__(self) -> str:
        return f"{self.contract_id} #{self.sequence}"


class CommitmentStatus(models.TextChoices):
    """Delivery of a commitment (zgc-application/1 ``delivery.status``; ``pending`` = not yet stated)."""
    PENDING = "pending", _("待实施")
    DELIVERED = "delivered", _("已完成")
    PARTLY_DELIVERED = "partly_delivered", _("部分完成")
    NOT_DELIVERED = "not_delivered", _("未完成")


class CommitmentOrigin(models.TextChoices):
    CONTRACT = "contract", _("合同承诺")  # a plan record of the submission the contract rests on
    EXTRA = "extra", _("实施期新增工作")   # work the organization reports beyond its commitments


class Commitment(models.Model):
    """One planned piece of work the contract binds the organization to: a frozen copy of a plan record
    of the submission the contract rests on (its key, clause, title, date and the clause's own fields,
    the target quantities) — or (origin ``extra``) work the organization reports beyond them.

    Two sides of its delivery: what the organization **reports** (``reported_status``, the ``delivered``
    figures with the same keys as ``targets``, ``delivered_on``, ``delivery_note``; edited in its open report,
    frozen in each report submission), and what the office **verifies** at acceptance (``status``, ``reason``,
    ``verified``, the delivered figures and date as verified — ``office_delivered``, ``office_delivered_on``,
    prefilled from the report —, who and when). The acceptance copy of the application takes the office's side
    (zgc-application/1 ``delivery``)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="commitments")
    record_key = models.CharField(_("记录编号"), max_length=LENGTHS["id"])
    origin = models.CharField(_("来源"), max_length=10, choices=CommitmentOrigin.choices,
                              default=CommitmentOrigin.CONTRACT)
    clause = models.CharField(_("条款"), max_length=10)
    title = models.CharField(_("名称"), max_length=LENGTHS["title"])
    date = models.DateField(_("计划日期"))
    targets = models.JSONField(_("目标"), default=dict, blank=True)
    # the organization's report
    reported_status = models.CharField(_("报告的完成情况"), max_length=20, choices=CommitmentStatus.choices,
                                       default=CommitmentStatus.PENDING)
    delivered = models.JSONField(_("实际完成"), default=dict, blank=True)
    delivered_on = models.DateField(_("实际完成日期"), null=True, blank=True)
    delivery_note = models.TextField(_("完成情况说明"), blank=True, max_length=LENGTHS["comment"])
    # the office's verification at acceptance
    status = models.CharField(_("完成情况"), max_length=20, choices=CommitmentStatus.choices,
                              default=CommitmentStatus.PENDING)
    reason = models.TextField(_("说明"), blank=True, max_length=LENGTHS["reason"])
    verified = models.BooleanField(_("验收核实"), default=False)
    office_delivered = models.JSONField(_("核实的完成数量"), default=dict, blank=True)  # same keys as targets
    office_delivered_on = models.DateField(_("核实的完成日期"), null=True, blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True, verbose_name=_("核实人"))
    assessed_at = models.DateTimeField(_("核实时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("实施承诺")
        verbose_name_plural = _("实施承诺")
        ordering = ("contract", "clause", "date", "pk")
        constraints = (models.UniqueConstraint(fields=["contract", "record_key"], name="commitment_record_unique"),)

    def __str__(self) -> str:
        return f"{self.clause} {self.record_key} {self.title}"
