"""The office sets the programme's application window (Beijing time, closes after it opens, audited)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from zgcfund.audit.models import AuditEvent
from zgcfund.programmes.models import ApplicationWindow

pytestmark = [pytest.mark.django_db, pytest.mark.any_hour]  # dates are Beijing dates at any hour
SHANGHAI = ZoneInfo("Asia/Shanghai")
WINDOWS = reverse("office:windows")


def edit_url(row):
    return reverse("office:window_edit", args=[row.code])


def test_applicants_get_403_and_anonymous_users_go_to_login(client, applicant, loaded):
    for url in (WINDOWS, edit_url(loaded)):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    client.force_login(applicant)
    assert client.get(WINDOWS).status_code == 403
    assert client.post(edit_url(loaded), {"opens_at": "2025-09-01T09:00", "closes_at": "2025-10-01T17:00"}).status_code == 403
    assert not ApplicationWindow.objects.exists()


def test_page_shows_the_current_programme_and_a_datetime_local_form(client, office_user, loaded):
    client.force_login(office_user)
    page = client.get(WINDOWS).content.decode()
    assert loaded.code in page and "尚未设置申报时间窗口" in page and 'type="datetime-local"' in page


def test_setting_the_window_stores_beijing_time_and_is_audited(client, office_user, loaded):
    client.force_login(office_user)
    response = client.post(edit_url(loaded), {"opens_at": "2025-09-01T09:00", "closes_at": "2025-10-15T17:30"})
    assert response.status_code == 302 and response.url == WINDOWS
    window = ApplicationWindow.objects.get(code=loaded.code)
    assert window.opens_at == dt.datetime(2025, 9, 1, 9, 0, tzinfo=SHANGHAI)
    assert window.closes_at == dt.datetime(2025, 10, 15, 17, 30, tzinfo=SHANGHAI)
    assert window.updated_by == office_user and window.is_open()  # the programme clock shows 2025-09-20
    event = AuditEvent.objects.get(action="window.set")
    assert event.actor == office_user and event.changes["opens_at"] == [None, "2025-09-01T09:00+08:00"]
    page = client.get(WINDOWS).content.decode()
    assert "2025-09-01 09:00" in page and "申报中" in page
    assert 'value="2025-09-01T09:00"' in page  # the form shows the stored Beijing time


def test_changing_the_window_records_old_and_new(client, office_user, open_window, loaded):
    client.force_login(office_user)
    client.post(edit_url(loaded), {"opens_at": "2025-09-01T09:00", "closes_at": "2025-09-19T17:00"})
    open_window.refresh_from_db()
    assert open_window.state() == "closed"
    [event] = AuditEvent.objects.filter(action="window.set")
    assert event.changes["closes_at"][1] == "2025-09-19T17:00+08:00" and event.changes["closes_at"][0] is not None


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"opens_at": "2025-10-01T09:00", "closes_at": "2025-09-01T09:00"}, "closes_at", "申报截止时间须晚于申报开始时间"),
    ({"opens_at": "2025-10-01T09:00", "closes_at": "2025-10-01T09:00"}, "closes_at", "申报截止时间须晚于申报开始时间"),
    ({"opens_at": "", "closes_at": "2025-10-01T09:00"}, "opens_at", "请填写申报开始时间"),
    ({"opens_at": "2025-09-01T09:00", "closes_at": "10月1日"}, "closes_at", "申报截止时间格式不正确"),
    ({"opens_at": "2025-02-30T09:00", "closes_at": "2025-10-01T09:00"}, "opens_at", "申报开始时间格式不正确"),
])
def test_bad_window_input_names_the_field_and_saves_nothing(client, office_user, loaded, data, field, message):
    client.force_login(office_user)
    response = client.post(edit_url(loaded), data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert not ApplicationWindow.objects.exists() and not AuditEvent.objects.filter(action="window.set").exists()


def test_unknown_programme_code_is_404(client, office_user, loaded):
    client.force_login(office_user)
    assert client.get(reverse("office:window_edit", args=["no-such-programme"])).status_code == 404


def test_office_dashboard_links_to_the_window_page(client, office_user, loaded):
    client.force_login(office_user)
    assert WINDOWS in client.get(reverse("office:dashboard")).content.decode()
