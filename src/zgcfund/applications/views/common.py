"""Shared view helpers: scoped lookups and the context every editor page needs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode

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
    review = feedback.open_comments(application)
    context = {
        "application": application,
        "programme": programme,
        "can_edit": may_edit(request, application),
        "edit_refusal": edit_refusal(application),
        "window": window_for(application),
        "return_review": review,
        "return_comments": comment_links(application, review),
    }
    if with_panel:
        context.update(panel_context(application, programme))
    return context


def comment_links(application: Application, review) -> list[dict]:
    """The returning review's comments on records, each with the URL opening its record on the clause
    page (a list clause: the table page holding it, the row opened)."""
    if review is None:
        return []
    comments = list(review.record_comments.all())
    pks = dict(application.records.filter(key__in=[c.record_key for c in comments]).values_list("key", "pk"))
    out = []
    for c in comments:
        url = reverse("applications:clause", kwargs={"pk": application.pk, "clause": c.clause})
        if c.record_key in pks:
            url += "?" + urlencode({"record": c.record_key}) + f"#record-{pks[c.record_key]}"
        out.append({"comment": c, "url": url, "exists": c.record_key in pks})
    return out


def panel_context(application: Application, programme=None) -> dict:
    programme = programme or programme_of(application)
    result = assess(application)
    context = {"assessment": result, "conditions_notice": conditions_notice(application.programme_year)}
    if result.valid:
        context["evaluation"] = summary(programme, result.prior, result.projected, result.document)
    return context
