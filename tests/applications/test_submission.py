"""Submission: inside the window, approved organization, commitment ticked and its sealed scan
uploaded; an immutable snapshot and PDF; no double submissions; no edits afterwards."""

from __future__ import annotations

import datetime as dt
import io
import pathlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from zgcfund.applications.domain.editing import EditRefused, save_record
from zgcfund.applications.domain.submission import SubmissionRefused, content_version, submit_application
from zgcfund.applications.models import Submission
from zgcfund.programmes.domain import clock

pytestmark = [pytest.mark.django_db, pytest.mark.any_hour]  # dates are Beijing dates at any hour

K31 = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}


def scan() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buf, "PNG")
    return SimpleUploadedFile("承诺书.png", buf.getvalue(), content_type="image/png")


@pytest.fixture
def filled(application, applicant, open_window):
    save_record(application, applicant, "K3.1", K31)
    return application


def post_submit(client, application, **extra):
    application.refresh_from_db()
    data = {"opened_version": content_version(application), "commitment": "on", "commitment_scan": scan(), **extra}
    return client.post(reverse("applications:submit", args=[application.pk]), data)


def test_submit_freezes_a_snapshot_and_a_pdf(client, filled, applicant):
    client.force_login(applicant)
    response = post_submit(client, filled)
    assert response.status_code == 302, response.content.decode()[:2000]
    filled.refresh_from_db()
    assert filled.status == "submitted" and filled.applied_on == clock.today()
    submission = Submission.objects.get(application=filled)
    assert submission.document["records"][0]["title"] == K31["title"]
    assert submission.evaluation_prior["format"] == "zgc-evaluation/1"
    assert submission.programme_sha256 == filled.programme_year.sha256
    pdf = client.get(reverse("applications:submission_pdf", args=[filled.pk, 1]))
    body = b"".join(pdf.streaming_content)
    assert body.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"
    from django.core.files.storage import storages
    assert len(list(pathlib.Path(storages["private"].location).glob("submissions/**/*.pdf"))) == 1
    status = client.get(reverse("applications:status", args=[filled.pk])).content.decode()
    assert "已提交" in status


def test_double_click_submits_once(client, filled, applicant):
    client.force_login(applicant)
    filled.refresh_from_db()
    opened = content_version(filled)
    assert post_submit(client, filled).status_code == 302
    second = client.post(reverse("applications:submit", args=[filled.pk]),
                         {"opened_version": opened, "commitment": "on", "commitment_scan": scan()})
    assert second.status_code in (404, 422)
    assert Submission.objects.filter(application=filled).count() == 1


def test_no_edits_after_submission(client, filled, applicant):
    client.force_login(applicant)
    post_submit(client, filled)
    filled.refresh_from_db()
    with pytest.raises(EditRefused):
        save_record(filled, applicant, "K3.1", K31)
    response = client.post(reverse("applications:record_new", args=[filled.pk, "K3.1"]),
                           {"phase": "prior", "date": "2025-03-02", "title": "x", "park": "y", "participants": 100})
    assert response.status_code == 302
    assert filled.records.count() == 1


def test_commitment_must_be_ticked_and_scanned(client, filled, applicant):
    client.force_login(applicant)
    response = client.post(reverse("applications:submit", args=[filled.pk]), {"opened_version": content_version(filled)})
    html = response.content.decode()
    assert response.status_code == 422 and "承诺书" in html
    filled.refresh_from_db()
    assert filled.status == "draft"


def test_submit_outside_the_window_is_refused(client, filled, applicant, open_window):
    open_window.opens_at = clock.now() - dt.timedelta(days=30)
    open_window.closes_at = clock.now() - dt.timedelta(minutes=1)
    open_window.save()
    client.force_login(applicant)
    response = post_submit(client, filled)
    assert response.status_code == 422 and "截止" in response.content.decode()
    assert not Submission.objects.exists()


def test_submit_before_the_window_opens_is_refused(filled, applicant, open_window):
    open_window.opens_at = clock.now() + dt.timedelta(days=1)
    open_window.closes_at = clock.now() + dt.timedelta(days=10)
    open_window.save()
    with pytest.raises(SubmissionRefused, match="尚未开始"):
        submit_application(filled, applicant, commitment_accepted=True, commitment=None,
                           opened_version=content_version(filled))


def test_pending_organization_cannot_submit(client, filled, applicant, org):
    org.status = "pending"
    org.save()
    client.force_login(applicant)
    response = post_submit(client, filled)
    assert response.status_code == 422 and "审核" in response.content.decode()


def test_submit_page_opened_before_a_colleague_changed_the_application(client, filled, applicant):
    client.force_login(applicant)
    filled.refresh_from_db()
    opened = content_version(filled)
    save_record(filled, applicant, "K3.1", {**K31, "title": "同事新增的活动"})
    response = client.post(reverse("applications:submit", args=[filled.pk]),
                           {"opened_version": opened, "commitment": "on", "commitment_scan": scan()})
    assert response.status_code == 422 and "已被修改" in response.content.decode()


def test_a_change_while_the_pdf_renders_refuses_the_submission_and_leaves_no_file(filled, applicant, monkeypatch):
    from django.core.files.storage import storages

    from zgcfund.applications.domain import submission as service

    real = service._render_pdf

    def render_while_a_colleague_saves(*args, **kwargs):
        pdf = real(*args, **kwargs)
        save_record(filled, applicant, "K3.1", {**K31, "title": "渲染期间新增的活动"})
        return pdf

    monkeypatch.setattr(service, "_render_pdf", render_while_a_colleague_saves)
    filled.refresh_from_db()
    from zgcfund.applications.domain.evidence import store_commitment_scan
    commitment = store_commitment_scan(filled, applicant, scan())
    filled.refresh_from_db()
    with pytest.raises(SubmissionRefused, match="修改"):
        submit_application(filled, applicant, commitment_accepted=True, commitment=commitment,
                           opened_version=content_version(filled))
    filled.refresh_from_db()
    assert filled.status == "draft" and not Submission.objects.exists()
    root = pathlib.Path(storages["private"].location)
    assert not list(root.glob("submissions/**/*.pdf"))


def test_draft_pdf_is_watermarked_and_changes_nothing(client, filled, applicant, other_applicant):
    import pypdf

    client.force_login(applicant)
    response = client.get(reverse("applications:draft_pdf", args=[filled.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "草稿" in text and K31["title"] in text
    filled.refresh_from_db()
    assert filled.status == "draft" and filled.applied_on is None and not Submission.objects.exists()
    client.force_login(other_applicant)
    assert client.get(reverse("applications:draft_pdf", args=[filled.pk])).status_code == 404


# --- X-K1-TWO / X-K3-TWO: all three sub-items touched, no choice made -> choose before submitting --------
K1_RECORDS = {
    "K1.1": {"phase": "prior", "date": "2025-03-10", "title": "走访调研企业", "sti_service": True,
             "enterprise": {"name": "北京调研样本科技有限公司"}},
    "K1.2": {"phase": "prior", "date": "2025-03-12", "title": "推动企业纳统", "revenue": 1500, "industry_code": "7320",
             "enterprise": {"name": "北京纳统样本科技有限公司"}},
    "K1.3": {"phase": "prior", "date": "2025-03-15", "title": "服务营收增长", "included_on": "2024-10-15",
             "scale_above": True, "enterprise": {"name": "北京增长样本科技有限公司"}},
}


@pytest.fixture
def three_k1(filled, applicant):
    for clause, data in K1_RECORDS.items():
        save_record(filled, applicant, clause, data)
    return filled


def test_three_k1_items_without_a_choice_refuse_the_submission(client, three_k1, applicant):
    client.force_login(applicant)
    page = client.get(reverse("applications:submit", args=[three_k1.pk])).content.decode()
    notice = page.split('data-testid="submit-choices"', 1)[1].split("</section>", 1)[0]
    assert "K1" in notice and all(cid in notice for cid in K1_RECORDS)
    assert reverse("applications:overview", args=[three_k1.pk]) + "#choices" in notice
    assert 'data-testid="submit-button" >' in page or 'data-testid="submit-button">' in page  # not disabled
    response = post_submit(client, three_k1)
    assert response.status_code == 422
    body = response.content.decode()
    assert "K1 的 K1.1、K1.2、K1.3 都有记录" in body and "“K1、K3 选项”" in body
    assert 'name="commitment" required checked' in body  # what was typed is kept
    three_k1.refresh_from_db()
    assert three_k1.status == "draft" and not Submission.objects.filter(application=three_k1).exists()
    from django.core.files.storage import storages
    assert not list(pathlib.Path(storages["private"].location).glob("submissions/**/*.pdf"))


def test_after_choosing_two_the_submission_is_accepted(client, three_k1, applicant):
    from zgcfund.applications.domain.editing import set_choices

    set_choices(three_k1, applicant, "K1", ["K1.1", "K1.2"], three_k1.lock_version)
    client.force_login(applicant)
    assert 'data-testid="submit-choices"' not in client.get(
        reverse("applications:submit", args=[three_k1.pk])).content.decode()
    response = post_submit(client, three_k1)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Submission.objects.filter(application=three_k1).count() == 1


def test_a_third_k1_item_with_only_plan_records_does_not_block(filled, applicant):
    for clause in ("K1.1", "K1.2"):
        save_record(filled, applicant, clause, K1_RECORDS[clause])
    save_record(filled, applicant, "K1.3", {**K1_RECORDS["K1.3"], "phase": "plan", "date": "2026-03-31"})
    from zgcfund.applications.domain.evidence import store_commitment_scan

    commitment = store_commitment_scan(filled, applicant, scan())
    filled.refresh_from_db()
    submission = submit_application(filled, applicant, commitment_accepted=True, commitment=commitment,
                                    opened_version=content_version(filled))
    assert submission.number == 1


def test_submit_page_lists_missing_materials_without_refusing(client, filled, applicant):
    """Evidence by type: the submit page names counted records lacking a required kind (K3.1 活动图片),
    links the clause, and the submission is still accepted (the formal review decides)."""
    client.force_login(applicant)
    html = client.get(reverse("applications:submit", args=[filled.pk])).content.decode()
    assert 'data-testid="submit-materials"' in html and "缺少“活动图片”" in html
    assert reverse("applications:clause", args=[filled.pk, "K3.1"]) in html
    assert post_submit(client, filled).status_code == 302
    filled.refresh_from_db()
    assert filled.status == "submitted"
