from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RankingEvaluation(models.Model):
    """The engine's evaluation (basis prior) of one submitted version under one programme-file version:
    the ranking's eligibility and reference score. Computed once per (submission, version) and kept:
    the submission's own evaluation when the versions match, else re-scored from it (only the
    scheme's numbers changed) or evaluated afresh. Compact columns serve the ranking page."""

    SOURCES = (("submission", _("提交时的评估")), ("rescored", _("按新评分方案重新计分")),
               ("evaluated", _("按新版本重新评估")))

    submission = models.ForeignKey("applications.Submission", on_delete=models.CASCADE, related_name="ranking_evaluations")
    programme_year = models.ForeignKey("programmes.ProgrammeYear", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=12, choices=SOURCES)
    eligible = models.BooleanField()
    problems = models.JSONField(default=list)
    k_total = models.DecimalField(max_digits=9, decimal_places=2)
    p_total = models.DecimalField(max_digits=9, decimal_places=2)
    total = models.DecimalField(max_digits=9, decimal_places=2)
    clauses_met = models.PositiveSmallIntegerField(default=0)
    # the full evaluation when evaluated afresh; None for the submission's own and for a re-scoring
    # (both rebuilt exactly on demand: review.domain.rescoring.stored_evaluation)
    evaluation = models.JSONField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["submission", "programme_year"], name="one_ranking_evaluation"),)

    def __str__(self) -> str:
        return f"{self.submission_id} @ {self.programme_year_id}: {self.total}"


class SelectionPlan(models.Model):
    """The office's plan for a programme's selection: how many or how much to fund (the selection
    page's defaults, in the core's spec form) and how experts' scores are aggregated and ranked.
    One per programme; every change is audited."""

    code = models.CharField(_("项目代码"), max_length=64, unique=True)
    selection_spec = models.JSONField(_("遴选方式与参数"), default=dict, blank=True)
    ranking_settings = models.JSONField(_("专家评分汇总与排序设置"), default=dict, blank=True)
    # optional: the day experts should have submitted their reviews by (reminders: ``zgcfund remind``)
    review_due_on = models.DateField(_("专家评审截止日"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("遴选计划")
        verbose_name_plural = _("遴选计划")

    def __str__(self) -> str:
        return self.code
