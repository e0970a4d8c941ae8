"""Registration of an organization and its admin user: happy path (form, mailed link, confirmation),
every bad input, the credit-code override, duplicates, password rules, the privacy notice."""

from __future__ import annotations

import re

import pytest
from accountkit import (
    COMPANY_CODE,
    NON_ENTERPRISE_CODE,
    SOCIAL_GROUP_CODE,
    bad_check_character,
    registration_data,
)
from django.core import mail
from django.urls import reverse

from zgcfund.accounts.domain import PRIVACY_NOTICE_VERSION
from zgcfund.accounts.models import Membership, Organization, User
from zgcfund.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = reverse("accounts:register")


def confirm_path(message) -> str | None:
    found = re.search(r"http://testserver(/accounts/register/confirm/[^/\s]+/)", message.body)
    return found[1] if found else None


def post(client, **overrides):
    """Submit the form and, when it is accepted, confirm through the mailed link as the applicant does."""
    response = client.post(URL, registration_data(**overrides))
    if response.status_code == 302 and mail.outbox and (link := confirm_path(mail.outbox[-1])):
        mail.outbox.clear()
        client.post(link)
    return response


def errors(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def nothing_saved():
    return not Organization.objects.exists() and not User.objects.exists()


def test_registration_page_has_the_four_sections_password_rules_and_the_notice(client):
    page = client.get(URL).content.decode()
    for heading in ("单位信息", "联系人", "账户", "个人信息告知"):
        assert f">{heading}</h2>" in page
    assert "产业技术联盟按社会团体登记" in page
    assert "密码须同时包含字母和数字" in page  # AUTH_PASSWORD_VALIDATORS help texts
    assert "保存至本年度项目验收完成后满5年，期满后删除" in page
    assert f"版本 {PRIVACY_NOTICE_VERSION}" in page


def test_registration_mails_a_link_whose_confirmation_creates_the_organization_and_logs_in(client):
    response = client.post(URL, registration_data())
    assert response.status_code == 302 and response.url == reverse("accounts:register_sent")
    assert nothing_saved()  # nothing but the pending request until the address is confirmed
    [message] = mail.outbox
    assert message.to == ["admin@alliance.example"] and "北京市中关村智能制造产业技术联盟" in message.body
    link = confirm_path(message)
    assert client.get(link).status_code == 200 and nothing_saved()  # opening the link (a mail scanner) changes nothing
    response = client.post(link)
    assert response.status_code == 302 and response.url == reverse("accounts:organization")
    org = Organization.objects.get()
    assert org.credit_code == SOCIAL_GROUP_CODE and org.status == "pending" and not org.is_approved
    assert not org.credit_code_check_failed and org.credit_code_applicant_note == ""
    assert org.registers_tech_contracts and not org.comprehensive
    assert org.contact_phone == "13812345678" and org.contact_email == "contact@alliance.example"
    assert org.privacy_notice_version == PRIVACY_NOTICE_VERSION and org.privacy_accepted_at is not None
    user = User.objects.get()
    assert user.email == "admin@alliance.example" and user.full_name == "刘管理" and user.role == "applicant"
    assert user.phone == ""  # nothing more than needed
    assert Membership.objects.get(user=user).role == "admin" and user.organization == org
    assert AuditEvent.objects.filter(action="organization.register", organization=org, actor=user).exists()
    page = client.get(response.url).content.decode()  # logged in, status shown
    assert "待审核" in page and "不能正式提交" in page


def test_lower_case_code_with_spaces_is_normalised(client):
    spaced = " ".join([SOCIAL_GROUP_CODE[:6].lower(), SOCIAL_GROUP_CODE[6:].lower()])
    assert post(client, credit_code=spaced).status_code == 302
    assert Organization.objects.get().credit_code == SOCIAL_GROUP_CODE


def test_wrong_check_character_is_refused_naming_the_field_and_offering_the_override(client):
    response = post(client, credit_code=bad_check_character(SOCIAL_GROUP_CODE))
    assert response.status_code == 200 and nothing_saved()
    [message] = errors(response, "credit_code")
    assert "统一社会信用代码未通过校验" in message and "校验码应为" in message
    page = response.content.decode()
    assert '<a href="#field-credit_code">统一社会信用代码</a>' in page  # error summary names the field
    assert "代码与登记证书一致，申请人工核验" in page and '<div class="override-box" id="override-box">' in page  # shown
    assert 'value="Zhongguancun2025"' not in page  # passwords are not echoed back


def test_company_code_is_refused_because_social_organizations_start_with_5(client):
    response = post(client, credit_code=COMPANY_CODE)
    [message] = errors(response, "credit_code")
    assert "应以“5”（民政）开头" in message and nothing_saved()


def test_code_type_digit_must_match_the_registration_type(client):
    response = post(client, credit_code=NON_ENTERPRISE_CODE, registration_type="social_group")
    [message] = errors(response, "credit_code")
    assert "民办非企业单位" in message and "不一致" in message
    assert post(client, credit_code=NON_ENTERPRISE_CODE, registration_type="private_non_enterprise").status_code == 302


def test_malformed_code_cannot_be_overridden(client):
    response = post(client, credit_code="51110108MJ00", credit_code_override="on", credit_code_applicant_note="证书如此")
    [message] = errors(response, "credit_code")
    assert "统一社会信用代码有误" in message and "长度应为18位" in message and nothing_saved()


def test_override_needs_a_note(client):
    response = post(client, credit_code=bad_check_character(SOCIAL_GROUP_CODE), credit_code_override="on",
                    credit_code_applicant_note="  ")
    assert "申请人工核验时请填写说明" in errors(response, "credit_code_applicant_note")[0]
    assert nothing_saved()


def test_override_with_a_note_registers_the_organization_for_manual_check(client):
    bad = bad_check_character(SOCIAL_GROUP_CODE)
    response = post(client, credit_code=bad, credit_code_override="on",
                    credit_code_applicant_note="登记证书所载代码即为此代码，证书编号 0001")
    assert response.status_code == 302
    org = Organization.objects.get()
    assert org.credit_code == bad and org.credit_code_check_failed
    assert org.credit_code_applicant_note == "登记证书所载代码即为此代码，证书编号 0001"
    assert org.credit_code_override_reason == "" and org.status == "pending"


def test_override_tick_is_ignored_for_a_valid_code(client):
    post(client, credit_code_override="on", credit_code_applicant_note="多余的说明")
    org = Organization.objects.get()
    assert not org.credit_code_check_failed and org.credit_code_applicant_note == ""


def test_duplicate_credit_code_gets_a_clear_message(client, org):
    response = post(client, credit_code=org.credit_code)
    [message] = errors(response, "credit_code")
    assert "该统一社会信用代码已有单位注册" in message and "邀请您加入" in message
    assert Organization.objects.count() == 1


def test_duplicate_login_email_creates_nothing_and_tells_only_the_owner(client, applicant):
    response = post(client, email=applicant.email.upper())
    assert response.status_code == 302 and response.url == reverse("accounts:register_sent")  # as for a new address
    assert Organization.objects.filter(name="北京市中关村智能制造产业技术联盟").count() == 0


@pytest.mark.parametrize(("password", "expected"), [
    ("Ab1", "密码太短，至少需要 10 个字符"),
    ("abcdefghijklmn", "密码须同时包含字母和数字"),
    ("12345678901234", "密码须同时包含字母和数字"),
    ("password123", "这个密码太常见了"),
    ("admin@alliance.example1", "密码与电子邮箱太相似"),
])
def test_weak_passwords_are_refused_with_the_rule(client, password, expected):
    response = post(client, password1=password, password2=password)
    messages = " ".join(errors(response, "password1"))
    assert expected in messages, messages
    assert nothing_saved()


def test_password_confirmation_must_match(client):
    response = post(client, password2="Zhongguancun2026")
    assert errors(response, "password2") == ["两次输入的密码不一致。"] and nothing_saved()


def test_privacy_notice_must_be_accepted(client):
    response = post(client, privacy_accepted=None)
    assert errors(response, "privacy_accepted") == ["请阅读并同意《个人信息告知》后再提交注册。"]
    assert nothing_saved()


@pytest.mark.parametrize(("phone", "stored"), [
    ("010-6234 5678", "010-62345678"),
    ("(0755)12345678", "0755-12345678"),
    ("010-62345678转123", "010-62345678-123"),
    ("+86 139-1234-5678", "13912345678"),
])
def test_phone_numbers_are_normalised(client, phone, stored):
    assert post(client, contact_phone=phone).status_code == 302
    assert Organization.objects.get().contact_phone == stored


@pytest.mark.parametrize("phone", ["12345", "23812345678", "1381234567", "010-123", "电话"])
def test_bad_phone_is_refused_naming_the_field(client, phone):
    response = post(client, contact_phone=phone)
    assert "请填写中国大陆手机号码" in errors(response, "contact_phone")[0] and nothing_saved()
    assert '<a href="#field-contact_phone">联系电话</a>' in response.content.decode()


def test_missing_fields_are_each_named(client):
    response = client.post(URL, {})
    form = response.context["form"]
    for field in ("name", "credit_code", "registration_type", "comprehensive", "registers_tech_contracts",
                  "contact_name", "contact_phone", "contact_email", "full_name", "email", "password1", "password2",
                  "privacy_accepted"):
        assert field in form.errors, field
    assert nothing_saved()


def test_override_box_is_hidden_until_a_code_fails(client):
    assert '<div class="override-box" id="override-box" hidden>' in client.get(URL).content.decode()


def test_live_credit_code_check_shows_problems_and_offers_the_override(client):
    url = reverse("accounts:check_credit_code")
    bad = client.get(url, {"credit_code": bad_check_character(SOCIAL_GROUP_CODE)}, HTTP_HX_REQUEST="true")
    assert "代码未通过校验" in bad.content.decode() and 'data-override="1"' in bad.content.decode()
    good = client.get(url, {"credit_code": SOCIAL_GROUP_CODE, "registration_type": "social_group"})
    assert "代码校验通过" in good.content.decode() and "社会团体" in good.content.decode()
    assert "data-override" not in good.content.decode()
    short = client.get(url, {"credit_code": "5111"})
    assert "长度应为18位" in short.content.decode() and "data-override" not in short.content.decode()


def test_logged_in_user_is_not_offered_registration(client, applicant):
    client.force_login(applicant)
    assert client.get(URL).status_code == 302


def test_privacy_notice_has_its_own_page(client):
    page = client.get(reverse("accounts:privacy")).content.decode()
    for part in ("保存哪些个人信息", "为什么保存", "谁能看到", "保存多久", "您的权利", "满5年"):
        assert part in page
