"""Formal review (形式审查): queue, per-record checks, pass or return with comments attached to
records; the applicant sees them, edits, resubmits; every submitted version is kept, with a diff."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from zgcfund.applications.domain.editing import EditRefused, save_record
from zgcfund.applications.domain.evidence import store_commitment_scan
from zgcfund.applications.domain.submission import content_version, submit_application
from zgcfund.audit.models import AuditEvent
from zgcfund.review.domain.formal import DecisionRefused, decide

pytestmark = pytest.mark.django_db

K31 = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}


def scan(color="white") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (60, 80), color).save(buf, "PNG")
    return SimpleUploadedFile("承诺书.png", buf.getvalue())


def submit(application, user, color="white"):
    application.refresh_from_db()
    commitment = store_commitment_scan(application, user, scan(color))
    application.refresh_from_db()
    return submit_application(application, user, commitment_accepted=True, commitment=commitment,
                              opened_version=content_version(application))


@pytest.fixture
def submitted(application, applicant, open_window):
    save_record(application, applicant, "K3.1", K31)
    submit(application, applicant)
    application.refresh_from_db()
    return application


def test_queue_lists_submitted_applications_for_the_office_only(client, submitted, office_user, applicant):
    client.force_login(office_user)
    html = client.get(reverse("office:formal_queue")).content.decode()
    assert submitted.organization.name in html
    client.force_login(applicant)
    assert client.get(reverse("office:formal_queue")).status_code == 403
    assert client.get(reverse("office:formal_review", args=[submitted.pk])).status_code == 403


def test_record_checks_flag_missing_evidence(client, submitted, office_user):
    client.force_login(office_user)
    page = client.get(reverse("office:formal_review", args=[submitted.pk]))
    check = page.context["checks"][0]
    assert check.record["id"] == "K3.1-001" and check.problems == ["缺少“活动图片”"]


def test_record_checks_by_kind_in_clause_order(client, application, applicant, office_user, open_window):
    """Formal review lists each file with the kind of material it is filed as; a record whose required
    kinds are all there is 材料齐全; records come grouped in the programme's clause order."""
    from zgcfund.applications.domain.evidence import store_evidence
    p1 = save_record(application, applicant, "P7", {"phase": "prior", "date": "2025-05-01", "title": "品牌论坛",
                                                    "type": "service_event", "participants": 80})
    k31 = save_record(application, applicant, "K3.1", K31)
    store_evidence(application, applicant, k31, scan("red"), "photos")
    store_evidence(application, applicant, p1, scan("blue"), "")
    submit(application, applicant)
    client.force_login(office_user)
    page = client.get(reverse("office:formal_review", args=[application.pk]))
    checks = page.context["checks"]
    assert [c.record["clause"] for c in checks] == ["K3.1", "P7"]
    assert checks[0].ok and checks[0].evidence[0]["kind"] == "活动图片"
    assert checks[1].problems == ["缺少“照片或宣传报道”"]  # a file of no kind does not fill the slot
    html = page.content.decode()
    assert "活动图片：" in html and "材料齐全" in html and "组织品牌服务活动" in html


def test_pass_moves_on_and_keeps_the_application_locked(submitted, office_user, applicant):
    decide(submitted, office_user, "passed", "", {})
    submitted.refresh_from_db()
    assert submitted.status == "formal_passed"
    with pytest.raises(EditRefused):
        save_record(submitted, applicant, "K3.1", K31)
    with pytest.raises(DecisionRefused):
        decide(submitted, office_user, "returned", "再看看", {})


def test_return_needs_a_reason_and_changes_nothing_without_one(client, submitted, office_user):
    client.force_login(office_user)
    response = client.post(reverse("office:formal_review", args=[submitted.pk]), {"outcome": "returned"})
    assert response.status_code == 422 and "审查意见" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_comment_on_a_record_not_in_the_submission_is_refused(submitted, office_user):
    with pytest.raises(DecisionRefused, match="不在本次提交中"):
        decide(submitted, office_user, "returned", "", {"nope": "?"})


def test_return_with_record_comments_then_edit_resubmit_and_diff(client, submitted, office_user, applicant):
    client.force_login(office_user)
    response = client.post(reverse("office:formal_review", args=[submitted.pk]),
                           {"outcome": "returned", "comment": "请补充活动照片",
                            "comment-K3.1-001": "参加人数与签到表不一致，请核实"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "returned"

    client.force_login(applicant)
    overview = client.get(reverse("applications:overview", args=[submitted.pk])).content.decode()
    assert "请补充活动照片" in overview and "参加人数与签到表不一致" in overview
    clause = client.get(reverse("applications:clause", args=[submitted.pk, "K3.1"])).content.decode()
    assert 'data-testid="record-comment"' in clause

    record = submitted.records.get()
    save_record(submitted, applicant, "K3.1", {**K31, "participants": 72}, record=record, expected_version=record.version)
    second = submit(submitted, applicant, color="gray")
    assert second.number == 2
    submitted.refresh_from_db()
    assert submitted.status == "submitted" and submitted.submissions.count() == 2

    client.force_login(office_user)
    page = client.get(reverse("office:formal_review", args=[submitted.pk]))
    diff = page.context["diff"]
    assert diff.changed[0].id == "K3.1-001" and diff.changed[0].fields["participants"] == (85, 72)
    assert 'data-testid="version-diff"' in page.content.decode()
    for n in (1, 2):
        assert client.get(reverse("applications:submission_pdf", args=[submitted.pk, n])).status_code == 200
    actions = list(AuditEvent.objects.filter(application=submitted).values_list("action", flat=True))
    assert "formal.returned" in actions and actions.count("application.submit") == 2


def test_resubmission_keeps_the_first_application_date(submitted, office_user, applicant):
    first = submitted.applied_on
    decide(submitted, office_user, "returned", "请修改", {})
    submit(submitted, applicant, color="gray")
    submitted.refresh_from_db()
    assert submitted.applied_on == first
