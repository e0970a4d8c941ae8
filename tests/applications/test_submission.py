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
