"""The organization page: its details and review status; the admin edits contact details (and,
before approval, the registered details). Users see only their own organization."""

from __future__ import annotations

import pytest
from accountkit import SOCIAL_GROUP_CODE, bad_check_character
from django.urls import reverse

from zgcfund.accounts.models.organization import MemberRole, OrganizationStatus
from zgcfund.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
PAGE = reverse("accounts:organization")
EDIT = reverse("accounts:organization_edit")


def contact(**overrides):
    return {"contact_name": "周新联系", "contact_phone": "010-82345678", "contact_email": "new@contact.example",
            **overrides}


@pytest.fixture
def pending_admin(make_org, make_user):
    org = make_org("北京中关村待审核协会", approved=False)
    return make_user("admin@pending.example", organization=org, full_name="孙管理")


def full_form(org, **overrides):
    return {"name": org.name, "credit_code": org.credit_code, "registration_type": org.registration_type,
            "comprehensive": "1" if org.comprehensive else "0",
            "registers_tech_contracts": "1" if org.registers_tech_contracts else "0",
            "contact_name": org.contact_name, "contact_phone": org.contact_phone, "contact_email": org.contact_email,
            **overrides}


def test_anonymous_users_are_sent_to_login(client):
    for url in (PAGE, EDIT, reverse("accounts:members")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_page_shows_own_organization_and_review_status(client, applicant, org, other_org):
    client.force_login(applicant)
    page = client.get(PAGE).content.decode()
    assert org.name in page and org.credit_code in page and "已通过" in page and "校验通过" in page
    assert other_org.name not in page and other_org.credit_code not in page


def test_pending_organization_is_told_it_cannot_submit_yet(client, pending_admin):
    client.force_login(pending_admin)
    page = client.get(PAGE).content.decode()
    assert "待审核" in page and "不能正式提交" in page and "修改单位信息" in page


def test_office_user_is_sent_to_the_office_list(client, office_user):
    client.force_login(office_user)
    assert client.get(PAGE).url == reverse("office:organizations")


def test_admin_of_an_approved_organization_edits_contact_details_only(client, applicant, org):
    client.force_login(applicant)
    form = client.get(EDIT).context["form"]
    assert set(form.fields) == {"contact_name", "contact_phone", "contact_email"}
    response = client.post(EDIT, contact(name="改名协会", credit_code=SOCIAL_GROUP_CODE))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.contact_name == "周新联系" and org.contact_phone == "010-82345678"
    assert org.name == "北京市中关村人工智能产业协会" and org.credit_code != SOCIAL_GROUP_CODE and org.is_approved
    event = AuditEvent.objects.get(action="organization.update", organization=org)
    assert event.changes["contact_name"][1] == "周新联系"


def test_bad_contact_input_names_the_field_and_changes_nothing(client, applicant, org):
    client.force_login(applicant)
    response = client.post(EDIT, contact(contact_phone="123", contact_email="not-an-email"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "请填写中国大陆手机号码" in errors["contact_phone"][0] and "contact_email" in errors
    org.refresh_from_db()
    assert org.contact_name == "张联系"


def test_editors_cannot_edit(client, make_user, org):
    editor = make_user("editor@ai-assoc.example", organization=org, member_role=MemberRole.EDITOR)
    client.force_login(editor)
    assert "由本单位账户管理员维护" in client.get(PAGE).content.decode()
    assert client.get(EDIT).status_code == 403
    assert client.post(EDIT, contact()).status_code == 403


def test_pending_organization_can_correct_name_and_code_with_the_same_checks(client, pending_admin):
    org = pending_admin.organization
    client.force_login(pending_admin)
    bad = bad_check_character(SOCIAL_GROUP_CODE)
    response = client.post(EDIT, full_form(org, credit_code=bad))
    assert "统一社会信用代码未通过校验" in response.context["form"].errors["credit_code"][0]
    response = client.post(EDIT, full_form(org, name="北京中关村更正名称协会", credit_code=SOCIAL_GROUP_CODE))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "北京中关村更正名称协会" and org.credit_code == SOCIAL_GROUP_CODE
    response = client.post(EDIT, full_form(org, credit_code=bad, credit_code_override="on",
                                           credit_code_applicant_note="证书如此"))
    org.refresh_from_db()
    assert org.credit_code == bad and org.credit_code_check_failed and org.credit_code_applicant_note == "证书如此"


def test_code_of_another_organization_is_refused(client, pending_admin, other_org):
    client.force_login(pending_admin)
    response = client.post(EDIT, full_form(pending_admin.organization, credit_code=other_org.credit_code))
    assert "已有单位注册" in response.context["form"].errors["credit_code"][0]


def test_rejected_organization_goes_back_to_review_when_corrected(client, pending_admin):
    org = pending_admin.organization
    org.status, org.review_note = OrganizationStatus.REJECTED, "名称与证书不符"
    org.save()
    client.force_login(pending_admin)
    assert "名称与证书不符" in client.get(PAGE).content.decode()
    client.post(EDIT, full_form(org, name="北京中关村正确名称协会"))
    org.refresh_from_db()
    assert org.status == "pending" and org.name == "北京中关村正确名称协会"
    assert AuditEvent.objects.get(action="organization.update").changes["status"] == ["rejected", "pending"]
