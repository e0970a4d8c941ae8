from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zgcfund.audit.immutable import AppendOnlyQuerySet
from zgcfund.core.bounds import LENGTHS


class FormalOutcome(models.TextChoices):
    PASSED = "passed", _("形式审查通过")
    RETURNED = "returned", _("退回修改")


class FormalReview(models.Model):
    """The office's formal review (形式审查) of one submitted version. Append-only."""

    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="formal_reviews")
    submission = models.OneToOneField("applications.Submission", on_delete=models.PROTECT, related_name="formal_review")
    outcome = models.CharField(_("审查结论"), max_length=16, choices=FormalOutcome.choices)
    comment = models.TextField(_("审查意见"), blank=True, max_length=LENGTHS["comment"])
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("审查人"))
    decided_at = models.DateTimeField(_("审查时间"), default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("形式审查")
        verbose_name_plural = _("形式审查")
        ordering = ("-decided_at",)

    def __str__(self) -> str:
        return f"{self.application} #{self.submission.number}: {self.outcome}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("formal reviews are append-only")
        super().save(*args, **kwargs)


class RecordComment(models.Model):
    """A formal-review comment attached to one record (by its format id) of the reviewed version."""

    review = models.ForeignKey(FormalReview, on_delete=models.CASCADE, related_name="record_comments")
    record_key = models.CharField(_("记录编号"), max_length=LENGTHS["id"])
    clause = models.CharField(_("条款"), max_length=10)
    comment = models.TextField(_("意见"), max_length=LENGTHS["comment"])

    class Meta:
        verbose_name = _("记录审查意见")
        verbose_name_plural = _("记录审查意见")
        ordering = ("clause", "record_key")
        constraints = (models.UniqueConstraint(fields=["review", "record_key"], name="one_comment_per_record_and_review"),)

    def __str__(self) -> str:
        return f"{self.record_key}: {self.comment[:40]}"
