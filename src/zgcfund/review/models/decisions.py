from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zgcfund.core.bounds import LENGTHS


class DecisionSubject(models.TextChoices):
    """The decisions that commit public money (core ``programme.DECISION_SUBJECTS``)."""
    SELECTION = "selection", _("确认遴选结果")
    CONTRACT = "contract", _("签订支持合同")
    DISBURSEMENT = "disbursement", _("拨付资金")
    ACCEPTANCE = "acceptance", _("验收结论")


class DecisionStatus(models.TextChoices):
    PENDING = "pending", _("待集体研究")
    APPROVED = "approved", _("已同意")
    CHANGES_REQUESTED = "changes_requested", _("退回修改")
    WITHDRAWN = "withdrawn", _("已撤回")


class Decision(models.Model):
    """One proposal put to the office's collective decision (集体研究): what it is about (``subject`` and the
    object's id and label), who proposed it, how many office approvals it needs (the programme file's number
    at proposal time, the proposer's own included), and how it ended. Office only: the applicant learns
    only the outcome, from the effect's own transition and notice."""

    subject = models.CharField(_("事项"), max_length=20, choices=DecisionSubject.choices)
    programme_code = models.CharField(_("项目代码"), max_length=64)
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    object_label = models.CharField(_("对象"), max_length=LENGTHS["title"])
    payload = models.JSONField(_("提请内容"), default=dict, blank=True)  # {"summary": [[label, text]]} as proposed
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("提请人"))
    proposed_at = models.DateTimeField(_("提请时间"), default=timezone.now)
    note = models.TextField(_("提请说明"), blank=True, max_length=LENGTHS["reason"])
    required = models.PositiveSmallIntegerField(_("所需同意人数"))
    status = models.CharField(_("状态"), max_length=20, choices=DecisionStatus.choices,
                              default=DecisionStatus.PENDING)
    decided_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("集体研究事项")
        verbose_name_plural = _("集体研究事项")
        ordering = ("-proposed_at", "-pk")
        constraints = (
            models.CheckConstraint(condition=Q(required__gte=1), name="decision_required_positive"),
            # one open proposal per object
            models.UniqueConstraint(fields=["subject", "object_id"], condition=Q(status="pending"),
                                    name="decision_one_pending_per_object"),
        )

    def __str__(self) -> str:
        return f"{self.get_subject_display()} · {self.object_label}"

    @property
    def is_pending(self) -> bool:
        return self.status == DecisionStatus.PENDING


class Verdict(models.TextChoices):
    APPROVE = "approve", _("同意")
    REQUEST_CHANGES = "request_changes", _("退回修改")


class Approval(models.Model):
    """One office user's verdict on a decision: who, when, which, and why (required to send it back)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="approvals")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("研究人"))
    verdict = models.CharField(_("意见"), max_length=20, choices=Verdict.choices)
    reason = models.TextField(_("理由"), blank=True, max_length=LENGTHS["reason"])
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("集体研究意见")
        verbose_name_plural = _("集体研究意见")
        ordering = ("decision", "at", "pk")
        constraints = (
            models.UniqueConstraint(fields=["decision", "by"], name="approval_once_per_person"),
            models.CheckConstraint(condition=Q(verdict="approve") | ~Q(reason=""), name="approval_changes_have_reason"),
        )

    def __str__(self) -> str:
        return f"{self.decision_id} {self.by_id} {self.verdict}"
