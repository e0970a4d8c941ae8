from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingRegistration(models.Model):
    """A registration waiting for its e-mail address to be confirmed. Nothing else exists until then:
    no organization, no account (so the registration page answers the same whether or not the address
    already has an account). Only the SHA-256 of the link's token and the password's hash are stored;
    the row is deleted when confirmed and purged once expired."""

    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField(_("登录邮箱"), db_index=True)
    data = models.JSONField(_("注册信息"), default=dict)  # the organization's and the admin's fields, normalised
    password = models.CharField(max_length=128)  # make_password(); never the password itself
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("待确认的注册")
        verbose_name_plural = _("待确认的注册")

    def __str__(self) -> str:
        return f"{self.email} ({self.created_at:%Y-%m-%d %H:%M})"
