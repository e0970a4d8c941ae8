from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申报单位用户")
    OFFICE = "office", _("项目办公室")
    EXPERT = "expert", _("评审专家")
    FINANCE = "finance", _("财务人员")


class EmailUserManager(UserManager):
    """Users log in with their e-mail address; ``username`` is kept equal to it."""

    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email or username)
        return super()._create_user(email, email, password, **extra_fields)

    def create_user(self, email=None, password=None, **extra_fields):  # type: ignore[override]
        return super().create_user(email, email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("role", Role.OFFICE)
        return super().create_superuser(email, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: an applicant organization's user, office staff, an expert, or finance staff."""

    email = models.EmailField(_("电子邮箱"), unique=True)
    full_name = models.CharField(_("姓名"), max_length=60)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.APPLICANT)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return f"{self.full_name or self.email}"

    def get_full_name(self) -> str:
        return self.full_name or self.email

    @property
    def is_office(self) -> bool:
        return self.is_active and self.role == Role.OFFICE

    @property
    def organization(self):
        """The organization this applicant user belongs to, or None."""
        membership = getattr(self, "membership", None)
        return membership.organization if membership is not None else None
