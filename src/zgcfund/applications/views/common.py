"""Shared view helpers: scoped lookups and the context every editor page needs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404

from zgcfund.accounts.views.access import allowed, get_permitted_or_404
from zgcfund.applications.domain import feedback
from zgcfund.applications.domain.document import assess, programme_of
from zgcfund.applications.domain.editing import edit_refusal, window_for
from zgcfund.applications.interfaces.panel import summary
from zgcfund.applications.models import Application, Record
from zgcfund.programmes.domain.conditions import conditions_notice

__all__ = ["application_context", "get_application", "get_record", "login_required"]


def get_application(request, pk: int, perm: str = "applications.view_application") -> Application:
    """The application if the user holds ``perm`` on it; 404 otherwise (no hint that it exists). The live
    application is its organization's and the office's: an assigned expert reads the frozen submission."""
    return get_permitted_or_404(request, perm, Application.objects.select_related("organization", "programme_year"),
                                pk=pk)


def get_record(request, application: Application, record_pk: int) -> Record:
    """A record of an application already fetched through ``get_application``."""
    return get_object_or_404(application.records.all(), pk=record_pk)


def may_edit(request, application: Application) -> bool:
    return allowed(request.user, "applications.edit_application", application)


def application_context(request, application: Application, *, with_panel: bool = True) -> dict:
    programme = programme_of(application)
    context = {
        "application": application,
        "programme": programme,
        "can_edit": may_edit(request, application),
        "edit_refusal": edit_refusal(application),
        "window": window_for(application),
        "return_review": feedback.open_comments(application),
    }
    if with_panel:
        context.update(panel_context(application, programme))
    return context


def panel_context(application: Application, programme=None) -> dict:
    programme = programme or programme_of(application)
    result = assess(application)
    context = {"assessment": result, "conditions_notice": conditions_notice(application.programme_year)}
    if result.valid:
        context["evaluation"] = summary(programme, result.prior, result.projected, result.document)
    return context
