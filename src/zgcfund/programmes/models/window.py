from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationWindow(models.Model):
    """The office's application window (申报时间) for a programme, in Asia/Shanghai; one per programme code."""

    code = models.CharField(_("项目代码"), max_length=64, unique=True)
    opens_at = models.DateTimeField(_("申报开始时间"))
    closes_at = models.DateTimeField(_("申报截止时间"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("设置人"))
    updated_at = models.DateTimeField(_("设置时间"), auto_now=True)

    class Meta:
        verbose_name = _("申报时间窗口")
        verbose_name_plural = _("申报时间窗口")
        constraints = (models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")),
                                              name="application_window_closes_after_opening"),)

    def __str__(self) -> str:
        return f"{self.code}: {self.opens_at:%Y-%m-%d %H:%M} – {self.closes_at:%Y-%m-%d %H:%M}"

    def state(self, now=None) -> str:
        """``not_open``, ``open`` or ``closed``."""
        from zgcfund.programmes.domain import clock

        now = now or clock.now()
        if now < self.opens_at:
            return "not_open"
        return "open" if now < self.closes_at else "closed"

    def is_open(self, now=None) -> bool:
        return self.state(now) == "open"


class WindowExtension(models.Model):
    """A single organization's extension after the window closes, granted by the office with a reason."""

    code = models.CharField(_("项目代码"), max_length=64)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="window_extensions",
                                     verbose_name=_("申报单位"))
    until = models.DateTimeField(_("延长至"))
    reason = models.CharField(_("理由"), max_length=500)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("批准人"))
    granted_at = models.DateTimeField(_("批准时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申报延期")
        verbose_name_plural = _("申报延期")
        ordering = ("-granted_at",)

    def __str__(self) -> str:
        return f"{self.code} {self.organization} → {self.until:%Y-%m-%d %H:%M}"
