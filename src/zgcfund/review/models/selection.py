from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zgcfund.audit.immutable import ConfirmedImmutableQuerySet
from zgcfund.core.bounds import LENGTHS

# fields that may still change after confirmation: publication only
PUBLICATION_FIELDS = frozenset({"published_at", "published_by", "notice_days", "notice_ends_on"})


class SelectionQuerySet(ConfirmedImmutableQuerySet):
    mutable_fields = PUBLICATION_FIELDS


class Selection(models.Model):
    """One selection run over a programme's ranking: the method, its parameters (``spec``, the core's
    declarative form) and the result (core ``SelectionResult.to_dict()``). A draft until confirmed;
    a confirmed selection is immutable except for its publication (公示)."""

    code = models.CharField(_("项目代码"), max_length=64)
    method = models.CharField(_("遴选方式"), max_length=16)
    spec = models.JSONField(_("遴选参数"))
    result = models.JSONField(_("遴选结果"))
    programme_sha256 = models.CharField(max_length=64)
    scoring_version = models.CharField(_("评分方案版本"), max_length=64)
    programme_year = models.ForeignKey("programmes.ProgrammeYear", null=True, on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("项目文件版本"))
    ranking_settings = models.JSONField(_("专家评分汇总与排序设置"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("确认人"))
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("公示发布人"))
    published_at = models.DateTimeField(_("公示发布时间"), null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField(_("公示天数"), default=7)
    notice_ends_on = models.DateField(_("公示截止日"), null=True, blank=True)

    objects = SelectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("遴选结果")
        verbose_name_plural = _("遴选结果")
        ordering = ("code", "-created_at", "-pk")
        constraints = (models.UniqueConstraint(fields=["code"], condition=Q(confirmed_at__isnull=False),
                                               name="one_confirmed_selection_per_programme"),)

    def __str__(self) -> str:
        return f"{self.code} #{self.pk} {self.method}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values_list("confirmed_at", flat=True).first()
            if stored is not None:
                fields = kwargs.get("update_fields")
                if fields is None or set(fields) - PUBLICATION_FIELDS:
                    raise ValueError("a confirmed selection is immutable (only its publication may be recorded)")
        super().save(*args, **kwargs)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Objection(models.Model):
    """An objection received during the notice period, in writing under a real name or a unit's seal
    (anonymous objections are not accepted: docs/policy/context.md)."""

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="objections")
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="objections",
                                    verbose_name=_("所涉申报"))
    received_on = models.DateField(_("收到日期"))
    submitter_name = models.CharField(_("异议人姓名"), max_length=100, blank=True)
    submitter_unit = models.CharField(_("异议单位（加盖公章）"), max_length=200, blank=True)
    content = models.TextField(_("异议内容"), max_length=LENGTHS["objection"])
    handling = models.TextField(_("处理情况"), blank=True, max_length=LENGTHS["objection"])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ("selection", "received_on", "pk")
        constraints = (models.CheckConstraint(condition=~Q(submitter_name="", submitter_unit=""),
                                              name="objection_not_anonymous"),)

    def __str__(self) -> str:
        return f"{self.selection_id}: {self.submitter_name or self.submitter_unit}"
