from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InboxNotice(models.Model):
    """One notice in a user's in-app inbox (通知), written with the e-mail of the same notice
    (``accounts.domain.inbox.deliver``). Only its recipient ever sees it; it names no other person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_notices",
                             verbose_name=_("收件人"))
    key = models.CharField(_("通知类型"), max_length=60)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(_("相关页面"), max_length=300, blank=True)  # a path on this site
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ("-created_at", "-pk")
        indexes = (models.Index(fields=["user", "read_at"], name="inbox_user_unread"),)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
