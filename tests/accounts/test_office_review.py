"""The office approves or rejects newly registered organizations; others get 403."""

from __future__ import annotations

import pytest
from accountkit import SOCIAL_GROUP_CODE, bad_check_character
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from zgcfund.accounts.domain.review import ReviewRefused, review_organization
from zgcfund.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

# These organizations have not filled their eligibility profile: approving them needs a reason.
ELIGIBILITY_REASON = "资格材料已线下核对"


@pytest.fixture
def pending(make_org, make_user):
    org = make_org("北京中关村待审核协会", approved=False)
    make_user("admin@pending.example", organization=org, full_name="孙管理")
    return org


@pytest.fixture
def unchecked(make_org):
    """Registered with the applicant's override: the code fails the check."""
    org = make_org("北京代码存疑协会", credit_code=bad_check_character(SOCIAL_GROUP_CODE), approved=False)
    org.credit_code_check_failed = True
    org.credit_code_applicant_note = "登记证书所载代码即为此代码"
    org.save()
    return org


def detail(org):
    return reverse("office:organization_detail", args=[org.pk])


@pytest.mark.parametrize("name", ["office:organizations", "office:organization_detail"])
def test_office_pages_refuse_applicants_with_403_and_send_anonymous_users_to_login(client, applicant, org, name):
    url = reverse(name, args=[org.pk] if name.endswith("detail") else [])
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    client.force_login(applicant)
    assert client.get(url).status_code == 403
    assert client.post(url, {"decision": "approve"}).status_code == 403


def test_pending_list_shows_new_organizations_and_flags_unchecked_codes(client, office_user, pending, unchecked, org):
    client.force_login(office_user)
    page = client.get(reverse("office:organizations")).content.decode()
    assert pending.name in page and unchecked.name in page and "需人工核验" in page
    assert org.name not in page  # approved: not in the pending tab
    assert org.name in client.get(reverse("office:organizations"), {"status": "approved"}).content.decode()


def test_detail_shows_all_fields_and_the_check_result(client, office_user, unchecked):
    client.force_login(office_user)
    page = client.get(detail(unchecked)).content.decode()
    for text in (unchecked.name, unchecked.credit_code, "未通过校验，需人工核验", "校验码应为", "登记证书所载代码即为此代码",
                 unchecked.contact_phone, unchecked.contact_email, "人工核验通过理由"):
        assert text in page, text


def test_approval_is_stored_audited_and_mailed_to_the_contact(client, office_user, pending):
    client.force_login(office_user)
    response = client.post(detail(pending), {"decision": "approve", "note": "材料齐全",
                                                "eligibility_reason": ELIGIBILITY_REASON})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.is_approved and pending.reviewed_by == office_user and pending.reviewed_at is not None
    assert pending.review_note == "材料齐全"
    event = AuditEvent.objects.get(action="organization.approve", organization=pending)
    assert event.actor == office_user and event.changes["status"] == ["pending", "approved"]
    [message] = mail.outbox
    assert pending.contact_email in message.to and "admin@pending.example" in message.to
    assert "审核已通过" in message.subject and "材料齐全" in message.body


def test_rejection_needs_a_note_and_is_mailed(client, office_user, pending):
    client.force_login(office_user)
    response = client.post(detail(pending), {"decision": "reject", "note": ""})
    assert response.status_code == 200
    assert "不予通过时请填写审核意见" in response.context["form"].errors["note"][0]
    pending.refresh_from_db()
    assert pending.status == "pending" and not mail.outbox
    client.post(detail(pending), {"decision": "reject", "note": "登记证书扫描件不清晰，请重新上传"})
    pending.refresh_from_db()
    assert pending.status == "rejected" and pending.review_note == "登记证书扫描件不清晰，请重新上传"
    assert AuditEvent.objects.filter(action="organization.reject", organization=pending).exists()
    assert "未通过" in mail.outbox[0].subject and "登记证书扫描件不清晰" in mail.outbox[0].body


def test_approving_an_unchecked_code_needs_the_override_reason(client, office_user, unchecked):
    client.force_login(office_user)
    response = client.post(detail(unchecked), {"decision": "approve", "note": ""})
    assert response.status_code == 200
    assert "填写人工核验通过的理由" in response.context["form"].errors["override_reason"][0]
    unchecked.refresh_from_db()
    assert unchecked.status == "pending" and unchecked.credit_code_override_reason == ""
    assert not AuditEvent.objects.filter(action="organization.approve").exists()


def test_approving_an_unchecked_code_with_the_override_reason(client, office_user, unchecked):
    client.force_login(office_user)
    reason = "已核对登记证书原件，代码与证书一致（2014年换发证书）"
    response = client.post(detail(unchecked), {"decision": "approve", "override_reason": reason,
                                                  "eligibility_reason": ELIGIBILITY_REASON})
    assert response.status_code == 302
    unchecked.refresh_from_db()
    assert unchecked.is_approved and unchecked.credit_code_override_reason == reason
    event = AuditEvent.objects.get(action="organization.approve", organization=unchecked)
    assert event.changes["credit_code_override_reason"] == ["", reason]


def test_review_service_refuses_non_office_users_and_missing_reasons(applicant, office_user, unchecked):
    with pytest.raises(PermissionDenied):
        review_organization(unchecked, applicant, approve=True, override_reason="x")
    with pytest.raises(ReviewRefused) as exc:
        review_organization(unchecked, office_user, approve=True)
    assert exc.value.field == "override_reason"


def test_office_user_sees_an_unknown_organization_as_404(client, office_user):
    client.force_login(office_user)
    assert client.get(reverse("office:organization_detail", args=[999999])).status_code == 404


def test_mail_failure_keeps_the_review_and_warns(client, office_user, pending, settings, monkeypatch):
    import zgcfund.accounts.domain.mail as mail_module

    def broken(*args, **kwargs):
        raise OSError("SMTP down")
    monkeypatch.setattr(mail_module, "send_mail", broken)
    client.force_login(office_user)
    response = client.post(detail(pending), {"decision": "approve", "eligibility_reason": ELIGIBILITY_REASON},
                           follow=True)
    pending.refresh_from_db()
    assert pending.is_approved
    assert "通知邮件未能发出" in response.content.decode()
