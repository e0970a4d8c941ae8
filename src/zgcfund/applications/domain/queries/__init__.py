"""Querysets scoped to what a user may see: an organization's users see only its own data, the office all;
``applications.rules`` holds the same rules per object. An expert sees no live application (the review
page shows it the frozen submission it was assigned)."""

from __future__ import annotations

from django.db.models import QuerySet

from zgcfund.accounts.rules import is_expert, is_office, is_signed_in
from zgcfund.applications.models import Application, EvidenceFile, Record, Submission


def applications_for(user) -> QuerySet[Application]:
    qs = Application.objects.select_related("organization", "programme_year")
    if not is_signed_in(user) or is_expert(user):
        return qs.none()
    if is_office(user):
        return qs
    org = user.organization
    return qs.filter(organization=org) if org is not None else qs.none()


def records_for(user) -> QuerySet[Record]:
    return Record.objects.filter(application__in=applications_for(user))


def evidence_for(user) -> QuerySet[EvidenceFile]:
    return EvidenceFile.objects.filter(application__in=applications_for(user)).select_related("application")


def submissions_for(user) -> QuerySet[Submission]:
    return Submission.objects.filter(application__in=applications_for(user))
