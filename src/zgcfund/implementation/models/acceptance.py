from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zgcfund.core.bounds import LENGTHS


class AcceptanceConclusion(models.TextChoices):
    PASSED = "passed", _("通过")
    PASSED_AFTER_RECTIFICATION = "passed_after_rectification", _("整改后通过")
    FAILED = "failed", _("不通过")


class AcceptanceStatus(models.TextChoices):
    DRAFT = "draft", _("验收中")
    PROPOSED = "proposed", _("验收结论待集体研究")
    CONCLUDED = "concluded", _("已作出验收结论")


class Acceptance(models.Model):
    """The acceptance (验收) of one contract: the as-of date, the office's conclusion with its comments
    (and the rectification required for 整改后通过), and — stored as computed at the conclusion, never
    recomputed — the acceptance copy of the application (zgc-application/1 with ``accepted_on`` and each
    commitment's ``delivery``), the engine's evaluation on the ``final`` basis (zgc-evaluation/1) and the
    X-P-GROW result, with the programme-file hash they were computed under. The conclusion is ``proposed`` to
    the office's collective decision (集体研究) first; approved, it is ``concluded``; sent back or withdrawn,
    the acceptance is a draft again."""

    contract = models.OneToOneField("implementation.Contract", on_delete=models.PROTECT, related_name="acceptance",
                                    verbose_name=_("支持合同"))
    status = models.CharField(_("状态"), max_length=10, choices=AcceptanceStatus.choices,
                              default=AcceptanceStatus.DRAFT)
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)
    conclusion = models.CharField(_("验收结论"), max_length=30, choices=AcceptanceConclusion.choices, blank=True)
    comments = models.TextField(_("验收意见"), blank=True, max_length=LENGTHS["comment"])
    rectification = models.TextField(_("整改要求"), blank=True, max_length=LENGTHS["comment"])
    document = models.JSONField(_("验收版申报数据（zgc-application/1）"), null=True, blank=True)
    evaluation = models.JSONField(_("验收口径评估结果（zgc-evaluation/1）"), null=True, blank=True)
    pgrow = models.JSONField(_("专业服务能力提升（X-P-GROW）"), null=True, blank=True)
    programme_sha256 = models.CharField(max_length=64, blank=True)
    concluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     null=True, blank=True, verbose_name=_("验收结论登记人"))
    concluded_at = models.DateTimeField(_("验收结论登记时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("验收")
        verbose_name_plural = _("验收")
        ordering = ("-concluded_at", "pk")
        constraints = (
            models.CheckConstraint(
                name="acceptance_concluded_complete",
                condition=Q(status="draft") | (Q(accepted_on__isnull=False) & ~Q(conclusion="")
                                               & Q(evaluation__isnull=False) & Q(document__isnull=False)
                                               & Q(concluded_at__isnull=False))),
        )

    def __str__(self) -> str:
        return f"{self.contract} · {self.get_conclusion_display() or self.get_status_display()}"

    @property
    def concluded(self) -> bool:
        return self.status == AcceptanceStatus.CONCLUDED

    @property
    def proposed(self) -> bool:
        return self.status == AcceptanceStatus.PROPOSED

    @property
    def frozen(self) -> bool:
        """Proposed or concluded: the stored copy and evaluation stand, the commitments cannot change."""
        return self.status in (AcceptanceStatus.PROPOSED, AcceptanceStatus.CONCLUDED)
