"""Issue 4 programme set-up: after the window closes, the office may grant a single organization a
recorded, reasoned extension; only that organization may then edit and submit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zgcfund.applications.domain.editing import EditRefused, application_for, save_record
from zgcfund.applications.domain.submission import blockers
from zgcfund.audit.models import AuditEvent
from zgcfund.programmes.domain import clock
from zgcfund.programmes.domain.extensions import ExtensionRefused, grant_extension
from zgcfund.programmes.models import WindowExtension

pytestmark = [pytest.mark.django_db, pytest.mark.any_hour]  # dates are Beijing dates at any hour

K31 = {"phase": "prior", "date": "2025-03-02", "title": "对接会", "park": "海淀园", "participants": 85}


@pytest.fixture
def closed(open_window):
    open_window.opens_at = clock.now() - dt.timedelta(days=30)
    open_window.closes_at = clock.now() - dt.timedelta(hours=1)
    open_window.save()
    return open_window


def test_extension_reopens_editing_and_submission_for_that_organization_only(
        closed, application, applicant, office_user, other_org, make_user):
    with pytest.raises(EditRefused):
        save_record(application, applicant, "K3.1", K31)
    grant_extension(closed.code, application.organization, clock.now() + dt.timedelta(days=2), "系统故障未能按时提交",
                    office_user)
    save_record(application, applicant, "K3.1", K31)
    assert not any("截止" in b for b in blockers(application))
    other_user = make_user("x@other.example", organization=other_org)
    other_app = application_for(other_org, other_user)
    with pytest.raises(EditRefused):
        save_record(other_app, other_user, "K3.1", K31)
    assert AuditEvent.objects.filter(action="window.extend", organization=application.organization).exists()


def test_extension_needs_a_reason_and_a_time_after_the_close(closed, application, office_user):
    with pytest.raises(ExtensionRefused, match="理由"):
        grant_extension(closed.code, application.organization, clock.now() + dt.timedelta(days=1), " ", office_user)
    with pytest.raises(ExtensionRefused, match="晚于"):
        grant_extension(closed.code, application.organization, closed.closes_at - dt.timedelta(minutes=1), "x", office_user)
    assert not WindowExtension.objects.exists()


def test_an_expired_extension_no_longer_helps(closed, application, applicant, office_user):
    ext = grant_extension(closed.code, application.organization, clock.now() + dt.timedelta(days=1), "理由", office_user)
    WindowExtension.objects.filter(pk=ext.pk).update(until=clock.now() - dt.timedelta(minutes=1))
    with pytest.raises(EditRefused):
        save_record(application, applicant, "K3.1", K31)


def test_office_page_grants_and_lists_and_others_get_403(client, closed, application, office_user, applicant, settings):
    settings.ZGCFUND_CLOCK_DATE = ""  # the form's datetime-local is read as real Beijing time here
    closed.closes_at = clock.now() - dt.timedelta(hours=1)
    closed.opens_at = clock.now() - dt.timedelta(days=30)
    closed.save()
    url = reverse("office:window_extensions", args=[closed.code])
    client.force_login(applicant)
    assert client.get(url).status_code == 403
    client.force_login(office_user)
    until = (clock.now() + dt.timedelta(days=3)).astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"organization": application.organization.pk, "until": until, "reason": "系统故障"})
    assert response.status_code == 302
    assert "系统故障" in client.get(url).content.decode()
    response = client.post(url, {"organization": application.organization.pk, "until": until, "reason": ""})
    assert response.status_code == 422 and "理由" in response.content.decode()
