"""The in-app inbox (通知): a user sees only their own notices, newest first with the unread marked;
opening one marks it read and links to the page concerned; the navigation shows the unread count."""

from __future__ import annotations

import datetime as dt

import pytest
import rules
from django.urls import reverse
from django.utils import timezone

from zgcfund.accounts.domain import inbox
from zgcfund.accounts.models import InboxNotice
from zgcfund.accounts.models.user import Role

pytestmark = pytest.mark.django_db


def notice(user, title, *, minutes=0, link="/dashboard/", read=False):
    return InboxNotice.objects.create(user=user, key="application.submitted", title=title, body=f"{title}的内容",
                                      link=link, created_at=timezone.now() - dt.timedelta(minutes=minutes),
                                      read_at=timezone.now() if read else None)


@pytest.fixture
def expert(make_user):
    return make_user("expert1@zgc.example", role=Role.EXPERT, full_name="专家1")


def test_the_list_shows_only_my_notices_newest_first_with_the_unread_marked(client, applicant, other_applicant):
    older = notice(applicant, "较早的通知", minutes=30, read=True)
    newer = notice(applicant, "最新的通知", minutes=1)
    theirs = notice(other_applicant, "别人的通知")
    client.force_login(applicant)
    html = client.get(reverse("accounts:inbox")).content.decode()
    assert html.index("最新的通知") < html.index("较早的通知")
    assert f'data-testid="inbox-row-{newer.pk}" class="is-unread"' in html
    assert f'data-testid="inbox-row-{older.pk}">' in html
    assert html.count('data-testid="inbox-unread"') == 1
    assert "别人的通知" not in html and f"inbox-row-{theirs.pk}" not in html


def test_opening_a_notice_marks_it_read_and_links_to_the_page(client, applicant):
    mine = notice(applicant, "申报书已提交", link="/applications/7/status/")
    client.force_login(applicant)
    page = client.get(reverse("accounts:inbox_notice", args=[mine.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "申报书已提交的内容" in html
    assert 'href="/applications/7/status/" data-testid="notice-link"' in html
    mine.refresh_from_db()
    assert mine.is_read
    first_read = mine.read_at
    client.get(reverse("accounts:inbox_notice", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.read_at == first_read  # the first reading counts


def test_nobody_opens_another_users_notice(client, applicant, other_applicant, office_user, expert):
    mine = notice(applicant, "本单位的通知")
    for who in (other_applicant, office_user, expert):
        client.force_login(who)
        assert client.get(reverse("accounts:inbox_notice", args=[mine.pk])).status_code == 404
        assert "本单位的通知" not in client.get(reverse("accounts:inbox")).content.decode()
    client.logout()
    response = client.get(reverse("accounts:inbox_notice", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert client.get(reverse("accounts:inbox")).status_code == 302
    mine.refresh_from_db()
    assert not mine.is_read


def test_the_rules_give_a_notice_to_its_recipient_only(applicant, other_applicant, office_user, expert):
    mine = notice(applicant, "本单位的通知")
    assert rules.has_perm("accounts.read_notice", applicant, mine)
    for who in (other_applicant, office_user, expert):
        assert not rules.has_perm("accounts.read_notice", who, mine)
    applicant.is_active = False
    assert not rules.has_perm("accounts.read_notice", applicant, mine)


def test_the_navigation_shows_the_unread_count(client, applicant, other_applicant):
    first = notice(applicant, "一")
    notice(applicant, "二")
    notice(applicant, "已读", read=True)
    notice(other_applicant, "别人的")
    client.force_login(applicant)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="nav-inbox"' in html and 'data-testid="nav-inbox-unread">2 条未读' in html
    client.get(reverse("accounts:inbox_notice", args=[first.pk]))
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="nav-inbox-unread">1 条未读' in html
    client.post(reverse("accounts:inbox_read_all"))
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="nav-inbox"' in html and "nav-inbox-unread" not in html
    assert inbox.unread_count(other_applicant) == 1  # mark-all-read touches only my own


def test_a_notice_never_links_off_the_site(client, applicant):
    odd = notice(applicant, "外链", link="//evil.example/phish")
    client.force_login(applicant)
    html = client.get(reverse("accounts:inbox_notice", args=[odd.pk])).content.decode()
    assert "evil.example" not in html and 'data-testid="notice-link"' not in html


def test_the_inbox_lists_nothing_for_a_new_user(client, office_user):
    client.force_login(office_user)
    html = client.get(reverse("accounts:inbox")).content.decode()
    assert 'data-testid="inbox-empty"' in html and "nav-inbox-unread" not in html


def test_deliver_writes_inbox_rows_for_active_users_and_mails_every_address_once(applicant, other_applicant, mailoutbox):
    other_applicant.is_active = False
    other_applicant.save()
    sent = inbox.deliver("application_accepted", {"org": applicant.organization, "programme": "示例项目"},
                         key="application.accepted", users=[applicant, other_applicant, applicant],
                         emails=[applicant.email.upper(), "contact@example.org", ""], link="/dashboard/")
    assert sent == 2 and sorted(m.to[0] for m in mailoutbox) == sorted([applicant.email, "contact@example.org"])
    assert [n.user for n in InboxNotice.objects.all()] == [applicant]
    assert "http://127.0.0.1:8000/dashboard/" in mailoutbox[0].body
