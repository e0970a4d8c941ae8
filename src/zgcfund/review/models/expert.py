from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zgcfund.core.bounds import LENGTHS


class ConflictOfInterest(models.Model):
    """An expert's declared conflict with an organization: blocks assigning that expert to it."""

    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts",
                               verbose_name=_("评审专家"))
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="expert_conflicts",
                                     verbose_name=_("申报单位"))
    reason = models.CharField(_("回避理由"), max_length=300)
    declared_at = models.DateTimeField(_("声明时间"), default=timezone.now)

    class Meta:
        verbose_name = _("利益冲突声明")
        verbose_name_plural = _("利益冲突声明")
        constraints = (models.UniqueConstraint(fields=["expert", "organization"], name="one_conflict_per_expert_and_org"),)

    def __str__(self) -> str:
        return f"{self.expert} ↔ {self.organization}"


class Assignment(models.Model):
    """An expert assigned to review one application (its latest submitted version)."""

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments",
                               verbose_name=_("评审专家"))
    submission = models.ForeignKey("applications.Submission", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("评审的提交版本"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(_("评分提交时间"), null=True, blank=True)
    # the programme-file version (scheme and its hash) the expert's scores were last saved under
    scored_under = models.ForeignKey("programmes.ProgrammeYear", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("评分所依据的项目文件版本"))
    # the review due date the expert was last reminded of (``review.domain.reminders``): one reminder per date
    reminded_for = models.DateField(_("已提醒的评审截止日"), null=True, blank=True)

    class Meta:
        verbose_name = _("评审分配")
        verbose_name_plural = _("评审分配")
        ordering = ("application", "assigned_at")
        constraints = (models.UniqueConstraint(fields=["application", "expert"], name="one_assignment_per_expert"),)

    def __str__(self) -> str:
        return f"{self.expert} → {self.application}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class RecordVerdict(models.Model):
    """An expert's verification of one record: accepted, or rejected with a reason (verified:false
    for this expert's view of the engine's evaluation)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="verdicts")
    record_key = models.CharField(_("记录编号"), max_length=LENGTHS["id"])
    accepted = models.BooleanField(_("认可"))
    reason = models.CharField(_("不认可理由"), max_length=LENGTHS["reason"], blank=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["assignment", "record_key"], name="one_verdict_per_record"),)

    def __str__(self) -> str:
        return f"{self.record_key}: {'✓' if self.accepted else '✗'}"


class ClauseScore(models.Model):
    """An expert's score for one clause, within the scheme's range, with a comment."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores")
    clause = models.CharField(_("条款"), max_length=10)
    score = models.DecimalField(_("分数"), max_digits=7, decimal_places=2)
    comment = models.TextField(_("评语"), blank=True, max_length=LENGTHS["comment"])
    # the top of the scheme's range when the score was given (None: uncapped); the ranking rescales a
    # score given under another scheme version by new maximum / this maximum
    max_score = models.DecimalField(_("评分时满分"), max_digits=7, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["assignment", "clause"], name="one_score_per_clause"),)

    def __str__(self) -> str:
        return f"{self.clause}: {self.score}"
