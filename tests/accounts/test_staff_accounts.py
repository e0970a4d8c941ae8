"""The office creates expert and office accounts (no Django admin site): the account has no usable
password and its owner is mailed a one-time link to set one; the office can mail a new link while no
password is set. Audited and in the security log. Office only; ``manage.py create_staff_account`` for
the first office user of an installation."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from tests.web.test_english import check_english

from zgcfund.accounts.domain import staff
from zgcfund.accounts.models import User
from zgcfund.accounts.models.user import Role
from zgcfund.audit.models import AuditEvent, SecurityEvent, SecurityEventKind, Visibility

pytestmark = pytest.mark.django_db

NEW = reverse("office:account_new")
NEW_PASSWORD = "Gutachter-2025-neu"
LINK = re.compile(r"https?://\S+/accounts/set-password/\S+/\S+/")


def new_expert_data(**overrides) -> dict:
    data = {"role": "expert", "full_name": "孙评审", "email": "Sun.Expert@Univ.example", "phone": "138 1234 5678"}
    data.update(overrides)
    return data


@pytest.fixture
def expert(make_user):
    return make_user("expert@zgc.example", role=Role.EXPERT, full_name="钱专家")


def create(client, office_user, capture, **overrides):
    client.force_login(office_user)
    with capture(execute=True):
        return client.post(NEW, new_expert_data(**overrides))


def link_in(message) -> str:
    return LINK.search(message.body).group(0)


def set_password(client, link: str, password: str = NEW_PASSWORD):
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    return client.post(form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})


# --- the office creates an expert ------------------------------------------------------------------

def test_the_office_creates_an_expert_who_is_mailed_a_link_to_set_a_password(
        client, office_user, django_capture_on_commit_callbacks):
    client.force_login(office_user)
    page = client.get(reverse("office:accounts")).content.decode()
    assert NEW in page and "新建专家或办公室账号" in page
    form = client.get(NEW).content.decode()
    assert "评审专家" in form and "项目办公室" in form and "手机号码" in form

    response = create(client, office_user, django_capture_on_commit_callbacks)
    user = User.objects.get(email="sun.expert@univ.example")
    assert response.status_code == 302 and response.url == reverse("office:account_detail", args=[user.pk])
    assert (user.role, user.full_name, user.phone, user.is_active) == (Role.EXPERT, "孙评审", "13812345678", True)
    assert not user.has_usable_password() and user.organization is None

    [message] = mail.outbox
    assert message.to == ["sun.expert@univ.example"]
    assert "\n" not in message.subject and "设置评审专家账户密码" in message.subject
    assert "新建评审专家账户" in message.body and "3天内" in message.body and "&" not in message.body
    assert link_in(message).startswith("http://testserver/accounts/set-password/")

    detail = client.get(response.url).content.decode()
    assert "设置密码的链接已发送至该邮箱" in detail and "尚未设置" in detail and "重新发送设置密码链接" in detail


def test_following_the_link_sets_a_password_and_the_expert_lands_on_its_tasks(
        client, office_user, django_capture_on_commit_callbacks):
    create(client, office_user, django_capture_on_commit_callbacks)
    client.logout()
    link = link_in(mail.outbox[0])
    assert "设置登录密码" in client.get(link, follow=True).content.decode()
    weak = client.get(link, follow=True)
    short = client.post(weak.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"})
    assert "密码太短" in " ".join(short.context["form"].errors["new_password1"])

    done = set_password(client, link)
    assert done.status_code == 302 and done.url == reverse("accounts:set_password_complete")
    assert "密码已设置" in client.get(done.url).content.decode()
    user = User.objects.get(email="sun.expert@univ.example")
    assert user.check_password(NEW_PASSWORD)
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.ACCOUNT, user=user,
                                        detail__contains="first password set").exists()

    login = client.post(reverse("accounts:login"), {"username": "Sun.Expert@univ.example", "password": NEW_PASSWORD},
                        follow=True)
    assert login.redirect_chain[-1][0] == reverse("expert:tasks") and login.status_code == 200
    client.logout()
    assert not client.get(link, follow=True).context["validlink"]  # used once


def test_the_office_creates_another_office_user(client, office_user, django_capture_on_commit_callbacks):
    create(client, office_user, django_capture_on_commit_callbacks, role="office", email="colleague@zgc.example",
           full_name="周办公室", phone="")
    colleague = User.objects.get(email="colleague@zgc.example")
    assert colleague.role == Role.OFFICE and colleague.phone == "" and not colleague.has_usable_password()
    assert "设置项目办公室账户密码" in mail.outbox[0].subject
    client.logout()
    set_password(client, link_in(mail.outbox[0]))
    login = client.post(reverse("accounts:login"), {"username": colleague.email, "password": NEW_PASSWORD}, follow=True)
    assert login.redirect_chain[-1][0] == reverse("office:dashboard")


def test_the_link_expires_after_three_days(client, office_user, django_capture_on_commit_callbacks, monkeypatch):
    create(client, office_user, django_capture_on_commit_callbacks)
    client.logout()
    link = link_in(mail.outbox[0])
    later = dt.datetime.now() + dt.timedelta(days=staff.SET_PASSWORD_DAYS) - dt.timedelta(hours=1)
    monkeypatch.setattr(staff.SetPasswordTokenGenerator, "_now", lambda self: later)
    assert client.get(link, follow=True).context["validlink"]  # longer than a password reset's 2 hours
    too_late = later + dt.timedelta(hours=2)
    monkeypatch.setattr(staff.SetPasswordTokenGenerator, "_now", lambda self: too_late)
    page = client.get(link, follow=True)
    assert not page.context["validlink"] and "请联系项目办公室重新发送" in page.content.decode()


def test_the_link_is_not_a_password_reset_link_and_ends_when_the_account_is_deactivated(
        client, office_user, django_capture_on_commit_callbacks):
    create(client, office_user, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    assert not client.get(link.replace("/set-password/", "/password-reset/"), follow=True).context["validlink"]
    user = User.objects.get(email="sun.expert@univ.example")
    user.is_active = False
    user.save(update_fields=["is_active"])
    client.logout()
    assert not client.get(link, follow=True).context["validlink"]


# --- refusals ----------------------------------------------------------------------------------------

def test_an_existing_email_is_refused_naming_the_field_and_keeping_the_input(
        client, office_user, expert, django_capture_on_commit_callbacks):
    response = create(client, office_user, django_capture_on_commit_callbacks, email="Expert@ZGC.example",
                      full_name="重复的人", phone="010-62345678")
    assert response.status_code == 200
    errors = response.context["form"].errors["email"]
    assert errors == ["该电子邮箱已有账户（评审专家），不能重复新建；可在账户列表中按邮箱查找该账户。"]
    page = response.content.decode()
    assert "电子邮箱" in page and "该电子邮箱已有账户" in page
    assert 'value="重复的人"' in page and 'value="010-62345678"' in page and 'value="Expert@ZGC.example"' in page
    assert 'value="expert" checked' in page or re.search(r'value="expert"[^>]*checked', page)
    assert User.objects.count() == 2 and not mail.outbox
    assert not AuditEvent.objects.filter(action="account.create").exists()


def test_the_service_refuses_a_duplicate_a_bad_role_and_a_bad_phone(office_user, expert):
    make = staff.create_staff_account
    url = "http://testserver".__add__
    with pytest.raises(staff.StaffAccountRefused) as refused:
        make(office_user, Role.OFFICE, " EXPERT@zgc.example ", "某人", absolute_url=url)
    assert refused.value.field == "email" and "电子邮箱" in refused.value.message
    with pytest.raises(staff.StaffAccountRefused) as refused:
        make(office_user, Role.APPLICANT, "new@zgc.example", "某人", absolute_url=url)
    assert refused.value.field == "role"
    with pytest.raises(staff.StaffAccountRefused) as refused:
        make(office_user, Role.EXPERT, "new@zgc.example", "某人", "12345", absolute_url=url)
    assert refused.value.field == "phone"
    assert not User.objects.filter(email="new@zgc.example").exists()


def test_an_invalid_form_keeps_the_input(client, office_user, django_capture_on_commit_callbacks):
    response = create(client, office_user, django_capture_on_commit_callbacks, phone="12345", full_name="")
    errors = response.context["form"].errors
    assert "phone" in errors and "full_name" in errors
    assert 'value="Sun.Expert@Univ.example"' in response.content.decode()
    assert not User.objects.filter(email="sun.expert@univ.example").exists()


@pytest.mark.parametrize("who", ["applicant", "expert"])
def test_applicants_and_experts_cannot_open_or_post_the_form(client, request, who):
    client.force_login(request.getfixturevalue(who))
    before = User.objects.count()
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, new_expert_data()).status_code == 403
    assert "新建专家或办公室账号" not in client.get(reverse("office:accounts")).content.decode()
    assert User.objects.count() == before and not mail.outbox
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PERMISSION_DENIED).count() >= 2


def test_anonymous_users_are_sent_to_login_and_nothing_is_created(client, db):
    for response in (client.get(NEW), client.post(NEW, new_expert_data())):
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert not User.objects.exists() and not mail.outbox


def test_the_services_refuse_anyone_but_the_office(applicant, expert, office_user):
    url = "http://testserver".__add__
    waiting = staff.create_staff_account(office_user, Role.EXPERT, "waiting@zgc.example", "等待", absolute_url=url).user
    for actor in (applicant, expert, None):
        with pytest.raises(PermissionDenied):
            staff.create_staff_account(actor, Role.EXPERT, "x@zgc.example", "某人", absolute_url=url)
        with pytest.raises(PermissionDenied):
            staff.resend_set_password_link(waiting, actor, absolute_url=url)
    assert not User.objects.filter(email="x@zgc.example").exists()


# --- audit and security log --------------------------------------------------------------------------

def test_creation_is_audited_for_the_office_and_in_the_security_log(
        client, office_user, django_capture_on_commit_callbacks):
    create(client, office_user, django_capture_on_commit_callbacks)
    user = User.objects.get(email="sun.expert@univ.example")
    event = AuditEvent.objects.get(action="account.create")
    assert (event.actor, event.visibility, event.object_type, event.object_id) == (
        office_user, Visibility.OFFICE, "User", str(user.pk))
    assert event.changes["role"] == "expert" and event.changes["email"] == user.email
    security = SecurityEvent.objects.get(kind=SecurityEventKind.ACCOUNT, identity=user.email)
    assert security.user == office_user and "expert account created" in security.detail
    assert security.address == "127.0.0.1" and security.path == NEW
    detail = client.get(reverse("office:account_detail", args=[user.pk])).content.decode()
    assert "新建评审专家账户" in detail


# --- a new link --------------------------------------------------------------------------------------

def test_the_office_resends_the_link_and_only_the_newest_works(
        client, office_user, django_capture_on_commit_callbacks):
    create(client, office_user, django_capture_on_commit_callbacks)
    user = User.objects.get(email="sun.expert@univ.example")
    first = link_in(mail.outbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("office:account_send_link", args=[user.pk]), follow=True)
    assert "已向 sun.expert@univ.example 重新发送设置密码链接" in response.content.decode()
    assert len(mail.outbox) == 2 and "重新发送了设置密码的链接" in mail.outbox[1].body
    second = link_in(mail.outbox[1])
    assert AuditEvent.objects.filter(action="account.set_password_link", actor=office_user,
                                     visibility=Visibility.OFFICE).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.ACCOUNT, identity=user.email,
                                        detail__contains="mailed again").exists()
    client.logout()
    assert not client.get(first, follow=True).context["validlink"]
    set_password(client, second)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_no_new_link_for_an_account_with_a_password_or_a_deactivated_one(
        client, office_user, expert, applicant, django_capture_on_commit_callbacks):
    client.force_login(office_user)
    for account in (expert, applicant, office_user):
        page = client.get(reverse("office:account_detail", args=[account.pk])).content.decode()
        assert "重新发送设置密码链接" not in page
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("office:account_send_link", args=[account.pk]), follow=True)
        assert "该账户已设置密码，无需发送设置密码链接" in response.content.decode()
        account.refresh_from_db()
        assert account.check_password("Passw0rd-test")
    waiting = staff.create_staff_account(office_user, Role.EXPERT, "waiting@zgc.example", "等待",
                                         absolute_url="http://testserver".__add__).user
    waiting.is_active = False
    waiting.save(update_fields=["is_active"])
    assert "重新发送设置密码链接" not in client.get(reverse("office:account_detail", args=[waiting.pk])).content.decode()
    response = client.post(reverse("office:account_send_link", args=[waiting.pk]), follow=True)
    assert "该账户已停用" in response.content.decode()
    assert not mail.outbox and not AuditEvent.objects.filter(action="account.set_password_link").exists()


def test_only_the_office_may_ask_for_a_new_link(client, office_user, expert):
    waiting = staff.create_staff_account(office_user, Role.EXPERT, "waiting@zgc.example", "等待",
                                         absolute_url="http://testserver".__add__).user
    url = reverse("office:account_send_link", args=[waiting.pk])
    assert client.post(url).status_code == 302  # to the login page
    client.force_login(expert)
    assert client.post(url).status_code == 403
    client.force_login(office_user)
    assert client.get(url).status_code == 405
    assert not AuditEvent.objects.filter(action="account.set_password_link").exists()


# --- the command -------------------------------------------------------------------------------------

def test_the_command_creates_the_first_office_user(db, django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_staff_account", "--role", "office", "--email", "First@ZGC.example", "--name", "吴主任",
                     stdout=out)
    user = User.objects.get(email="first@zgc.example")
    assert user.role == Role.OFFICE and user.is_office and not user.has_usable_password()
    assert "was mailed to first@zgc.example" in out.getvalue()
    [message] = mail.outbox
    assert link_in(message).startswith("http://127.0.0.1:8000/accounts/set-password/")
    event = AuditEvent.objects.get(action="account.create")
    assert event.actor is None and event.changes["via"] == staff.COMMAND
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.ACCOUNT, identity=user.email).exists()


def test_the_command_takes_the_site_url_and_refuses_a_duplicate(db, expert, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_staff_account", "--role", "expert", "--email", "e2@zgc.example", "--name", "李专家",
                     "--site-url", "https://zgcfund.example.cn/", stdout=StringIO())
    assert link_in(mail.outbox[0]).startswith("https://zgcfund.example.cn/accounts/set-password/")
    with pytest.raises(CommandError, match="该电子邮箱已有账户"):
        call_command("create_staff_account", "--role", "office", "--email", expert.email, "--name", "x",
                     stdout=StringIO())
    with pytest.raises(CommandError, match="电子邮箱格式不正确"):
        call_command("create_staff_account", "--role", "office", "--email", "not-an-address", "--name", "x",
                     stdout=StringIO())
    assert User.objects.get(email=expert.email).role == Role.EXPERT


# --- English -----------------------------------------------------------------------------------------

def test_the_new_pages_in_english(client, office_user, django_capture_on_commit_callbacks):
    create(client, office_user, django_capture_on_commit_callbacks)
    user = User.objects.get(email="sun.expert@univ.example")
    check_english(client, [NEW, reverse("office:account_detail", args=[user.pk])])
    client.logout()
    link = link_in(mail.outbox[0])
    form_page = client.get(link, follow=True)
    check_english(client, [form_page.redirect_chain[-1][0], reverse("accounts:set_password_complete")])
