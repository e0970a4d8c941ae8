from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zgcfund.audit.immutable import AppendOnlyQuerySet


class ProgrammeYearQuerySet(AppendOnlyQuerySet):
    mutable_fields = frozenset({"is_current"})  # which version is current changes; a version never does


class ProgrammeYear(models.Model):
    """One version of one programme file, stored verbatim. Rows are never changed
    after they are written, except ``is_current``; a changed file is a new version."""

    code = models.CharField(_("项目代码"), max_length=64)
    version = models.PositiveIntegerField(_("版本"))
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("项目名称"), max_length=200)
    source_text = models.TextField(_("项目文件原文"))
    sha256 = models.CharField(_("文件 SHA-256"), max_length=64)
    scoring_version = models.CharField(_("评分方案版本"), max_length=64)
    origin = models.CharField(_("载入来源"), max_length=500, blank=True)
    loaded_at = models.DateTimeField(_("载入时间"), default=timezone.now)
    is_current = models.BooleanField(_("当前版本"), default=False)
    #: this version changes official conditions (thresholds, dates quoted from the official text)
    changes_conditions = models.BooleanField(_("变更文件规定的条件"), default=False)
    conditions_reason = models.TextField(_("变更条件的理由"), blank=True)

    objects = ProgrammeYearQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目年度")
        verbose_name_plural = _("项目年度")
        ordering = ("-year", "code", "-version")
        constraints = (
            models.UniqueConstraint(fields=["code", "version"], name="programme_year_code_version"),
            models.UniqueConstraint(fields=["code"], condition=Q(is_current=True), name="programme_year_one_current"),
        )

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or set(fields) - {"is_current"}:
                raise ValueError("ProgrammeYear rows are immutable; load a changed file as a new version")
        super().save(*args, **kwargs)

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]
