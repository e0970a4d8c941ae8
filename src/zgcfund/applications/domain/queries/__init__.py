"""Querysets scoped to what a user may see: an organization's users see only its own data, the office all;
``applications.rules`` holds the same rules per object. An expert sees no live application (the review
page shows it the frozen submission it was assigned)."""

from __future__ import annotations

from django.db.models import QuerySet

from zgcfund.accounts.models.user import Role
from zgcfund.applications.models import Application, EvidenceFile, Record, Submission


def applications_for(user) -> QuerySet[Application]:
    qs = Application.objects.select_related("organization", "programme_year")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_office:
        return qs
    if user.role == Role.EXPERT:
        return qs.none()
    org = user.organization
    return qs.filter(organization=org) if org is not None else qs.none()


def records_for(user) -> QuerySet[Record]:
    return Record.objects.filter(application__in=applications_for(user))


def evidence_for(user) -> QuerySet[EvidenceFile]:
    return EvidenceFile.objects.filter(application__in=applications_for(user)).select_related("application")


def submissions_for(user) -> QuerySet[Submission]:
    return Submission.objects.filter(application__in=applications_for(user))
