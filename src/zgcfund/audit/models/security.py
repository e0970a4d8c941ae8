from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SecurityEventKind(models.TextChoices):
    LOGIN = "login", _("登录成功")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKOUT = "lockout", _("登录锁定")
    LOGOUT = "logout", _("退出登录")
    PERMISSION_DENIED = "permission_denied", _("越权访问被拒绝")
    RATE_LIMITED = "rate_limited", _("操作过于频繁被拒绝")
    SERVER_ERROR = "server_error", _("服务器错误")
    PERSONAL_DATA = "personal_data", _("导出或下载个人信息")
    ACCOUNT = "account", _("账号变更")


class SecurityEvent(models.Model):
    """Security log (网络安全法 §21(3), 等保 2.0 audit records): time, user, address, event type and
    outcome. Append-only; kept at least six months (``SECURITY_LOG_RETENTION_DAYS``)."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    kind = models.CharField(_("事件类型"), max_length=24, choices=SecurityEventKind.choices, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    identity = models.CharField(_("登录名"), max_length=254, blank=True,
                                help_text=_("登录失败时所用的邮箱（可能不存在对应账号）"))
    address = models.GenericIPAddressField(_("客户端地址"), null=True, blank=True)
    method = models.CharField(_("请求方法"), max_length=8, blank=True)
    path = models.CharField(_("请求路径"), max_length=300, blank=True)
    status = models.PositiveSmallIntegerField(_("响应状态"), null=True, blank=True)
    detail = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("安全日志")
        verbose_name_plural = _("安全日志")
        ordering = ("-at", "-id")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.identity or self.user_id or ''} {self.address or ''}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("security events are append-only")
        super().save(*args, **kwargs)
