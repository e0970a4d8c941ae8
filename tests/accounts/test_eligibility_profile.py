"""Who may apply (issue 10): the organization's eligibility profile, the certificate scan's access, and
the office's checklist when approving."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from accountkit import code
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zgcfund.accounts.domain.eligibility import eligibility_checklist
from zgcfund.accounts.domain.review import ReviewRefused, review_organization
from zgcfund.accounts.models.user import Role
from zgcfund.audit.models import AuditEvent
from zgcfund.core.errors import ProgrammeFileError
from zgcfund.core.programme import load_programme, parse_programme

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SHANGHAI_CODE = code("5131010100000045")      # 5 民政, 1 社会团体, 310101 上海黄浦
FOUNDATION_CODE = code("5311010800000046")    # 5 民政, 3 基金会, 110108 海淀


def profile_url():
    return reverse("accounts:organization_profile")


def detail(org):
    return reverse("office:organization_detail", args=[org.pk])


def certificate_url(org):
    return reverse("accounts:organization_certificate", args=[org.pk])


def profile_data(**overrides):
    data = {"registration_authority": "北京市海淀区民政局", "registered_address": "北京市海淀区中关村大街1号",
            "inspection_year": "2024", "inspection_result": "qualified", "declared": "on"}
    data.update(overrides)
    return data


@pytest.fixture
def filled(client, applicant, org):
    client.force_login(applicant)
    response = client.post(profile_url(), profile_data(certificate=SimpleUploadedFile("证书.pdf", PDF)))
    assert response.status_code == 302
    org.refresh_from_db()
    client.logout()
    return org


def test_admin_fills_the_profile_and_it_is_audited(client, applicant, org):
    client.force_login(applicant)
    response = client.post(profile_url(), profile_data(certificate=SimpleUploadedFile("证书.pdf", PDF)))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.registration_authority == "北京市海淀区民政局" and org.registered_address.startswith("北京市海淀区")
    assert (org.inspection_year, org.inspection_result) == (2024, "qualified")
    assert org.no_dishonesty_declared_at is not None and "严重失信" in org.no_dishonesty_declaration
    assert org.certificate and org.certificate_name == "证书.pdf" and org.certificate_content_type == "application/pdf"
    assert org.certificate.name.startswith("certificates/")
    event = AuditEvent.objects.get(action="organization.profile", organization=org)
    assert event.actor == applicant and "registration_authority" in event.changes
    assert b"".join(client.get(certificate_url(org)).streaming_content) == PDF
    page = client.get(reverse("accounts:organization")).content.decode()
    assert "证书.pdf" in page and "北京市海淀区民政局" in page


def test_bad_upload_is_refused_by_content_naming_the_field_and_keeps_the_other_values(client, applicant, org):
    client.force_login(applicant)
    fake = SimpleUploadedFile("证书.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    response = client.post(profile_url(), profile_data(certificate=fake))
    assert response.status_code == 200
    [error] = response.context["form"].errors["certificate"]
    assert error.startswith("登记证书扫描件：") and "证书.pdf" in error and "不在允许范围内" in error
    page = response.content.decode()
    assert 'value="北京市海淀区民政局"' in page and 'value="北京市海淀区中关村大街1号"' in page
    org.refresh_from_db()
    assert not org.certificate and org.registration_authority == "" and org.no_dishonesty_declared_at is None
    assert not AuditEvent.objects.filter(action="organization.profile").exists()


def test_only_the_admin_fills_the_profile(client, make_user, org):
    from zgcfund.accounts.models.organization import MemberRole

    editor = make_user("editor@ai-assoc.example", organization=org, member_role=MemberRole.EDITOR)
    client.force_login(editor)
    assert client.get(profile_url()).status_code == 403
    assert client.post(profile_url(), profile_data()).status_code == 403


def test_certificate_is_served_to_members_and_office_only(client, filled, other_applicant, make_user, office_user):
    expert = make_user("expert@zgc.example", role=Role.EXPERT)
    for outsider in (other_applicant, expert):
        client.force_login(outsider)
        assert client.get(certificate_url(filled)).status_code == 404
    client.logout()
    assert client.get(certificate_url(filled)).status_code == 302  # to the login page
    client.force_login(office_user)
    response = client.get(certificate_url(filled))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store"
    assert AuditEvent.objects.filter(action="download.certificate", organization=filled).exists()


def test_office_checklist_shows_missing_items_and_the_non_beijing_flag(client, office_user, make_org):
    org = make_org("上海某科技协会", credit_code=SHANGHAI_CODE, approved=False)
    client.force_login(office_user)
    response = client.get(detail(org))
    page = response.content.decode()
    assert "资格核验清单" in page and "缺少" in page and "登记证书扫描件" in page
    assert "登记地不在北京（代码行政区划 310101）" in page
    checklist = response.context["checklist"]
    assert {item.key for item in checklist.missing} == {"certificate", "registration_authority",
                                                         "registered_address", "inspection", "declaration"}
    assert "eligibility_reason" in response.context["form"].fields


def test_filled_beijing_social_group_has_a_clear_checklist(client, office_user, filled):
    assert eligibility_checklist(filled).clear
    client.force_login(office_user)
    response = client.post(detail(filled), {"decision": "approve"})
    assert response.status_code == 302
    filled.refresh_from_db()
    assert filled.is_approved and filled.eligibility_override_reason == ""


def test_approving_with_a_flag_needs_a_recorded_reason(client, office_user, applicant, org):
    client.force_login(applicant)
    client.post(profile_url(), profile_data(certificate=SimpleUploadedFile("证书.pdf", PDF)))
    org.credit_code, org.status = SHANGHAI_CODE, "pending"
    org.save()
    client.force_login(office_user)
    response = client.post(detail(org), {"decision": "approve"})
    assert response.status_code == 200
    [error] = response.context["form"].errors["eligibility_reason"]
    assert "登记地不在北京（代码行政区划 310101）" in error and "资格核验通过理由" in error
    org.refresh_from_db()
    assert org.status == "pending"
    with pytest.raises(ReviewRefused) as exc:
        review_organization(org, office_user, approve=True)
    assert exc.value.field == "eligibility_reason"
    reason = "住所在北京海淀，登记机关为上海市民政局，经核实主要在京开展工作"
    assert client.post(detail(org), {"decision": "approve", "eligibility_reason": reason}).status_code == 302
    org.refresh_from_db()
    assert org.is_approved and org.eligibility_override_reason == reason
    event = AuditEvent.objects.get(action="organization.approve", organization=org)
    assert event.changes["eligibility_override_reason"] == ["", reason]
    assert any("310101" in p for p in event.changes["eligibility_problems"])


def test_foundation_code_is_flagged_as_not_admitted(client, office_user, make_org):
    assert "foundation" not in load_programme().admitted_registration_types
    org = make_org("北京某科技基金会", credit_code=FOUNDATION_CODE, registration_type="foundation", approved=False)
    flags = eligibility_checklist(org).flags
    assert any("基金会" in f and "不属于本项目接纳的登记类型" in f for f in flags)
    assert not any("登记地不在北京" in f for f in flags)
    client.force_login(office_user)
    assert "不属于本项目接纳的登记类型" in client.get(detail(org)).content.decode()
    # admitted when the programme file says so
    assert not [f for f in eligibility_checklist(org, admitted=("social_group", "foundation")).flags
                if "登记类型" in f]


def test_programme_file_eligibility_key_is_validated_naming_the_key():
    official = Path(__file__).resolve().parents[2] / "docs" / "policy" / "2025-zgc-social-org-support.zh.txt"
    squash = lambda text: re.sub(r"\s+", "", text)  # noqa: E731
    assert squash(load_programme().data["eligibility"]["basis_quote"]) in squash(official.read_text(encoding="utf-8"))
    text = load_programme().source_text.replace("admitted_registration_types: [social_group, private_non_enterprise]",
                                                "admitted_registration_types: [social_group, charity]")
    with pytest.raises(ProgrammeFileError) as exc:
        parse_programme(text, "changed.yaml")
    assert exc.value.key.startswith("eligibility.admitted_registration_types")
    without = load_programme().source_text.replace("  basis_quote: 将深化", "  quote: 将深化")
    with pytest.raises(ProgrammeFileError) as exc:
        parse_programme(without, "changed.yaml")
    assert exc.value.key == "eligibility"


def test_profile_and_checklist_in_english(client, applicant, office_user, make_org):
    client.force_login(applicant)
    page = client.get(profile_url(), {"language": "en"}, follow=True).content.decode()
    assert "Registration certificate scan" in page and "Declaration of no serious dishonesty record" in page
    foreign = make_org("上海某科技协会", credit_code=SHANGHAI_CODE, approved=False)
    client.force_login(office_user)
    page = client.get(detail(foreign), {"language": "en"}, follow=True).content.decode()
    assert "Eligibility checklist" in page and "Not registered in Beijing (division code 310101" in page
