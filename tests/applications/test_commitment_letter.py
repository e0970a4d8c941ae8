"""The commitment letter (承诺书, issue 12): the pre-filled PDF the applicant prints, seals and signs (its
organization, credit code, programme and year, the commitment text, places for the seal, the legal
representative's signature and the date); the sealed scan the office opens from formal review, beside
the submission it belongs to. Every download is audited and never cached; nobody else gets either."""

from __future__ import annotations

import io

import pypdf
import pytest
from django.urls import reverse

from zgcfund.accounts.models.user import Role
from zgcfund.applications.domain.submission import COMMITMENT_TEXT
from zgcfund.applications.interfaces.commitment import render_commitment_html
from zgcfund.audit.models import AuditEvent
from zgcfund.review.models import Assignment

pytestmark = pytest.mark.django_db


def letter_url(application) -> str:
    return reverse("applications:commitment_pdf", args=[application.pk])


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_the_letter_is_filled_in_with_the_organization_and_the_programme(application, org):
    html = render_commitment_html(application)
    for text in (org.name, org.credit_code, application.programme_year.title, f"{application.programme_year.year}年度",
                 COMMITMENT_TEXT, "申报单位（公章）", "法定代表人（签字）", "日期"):
        assert text in html, text


def test_the_applicant_downloads_the_letter_as_a_pdf_audited_and_not_cached(client, applicant, application, org):
    client.force_login(applicant)
    response = client.get(letter_url(application))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(response.content).replace(" ", "").replace("\n", "")
    assert "承诺书" in text and org.credit_code in text and org.name in text
    assert application.programme_year.title in text
    event = AuditEvent.objects.get(action="download.commitment_letter")
    assert event.actor == applicant and event.application_id == application.pk and event.visibility == "office"


def test_the_submit_page_and_the_overview_link_the_letter(client, applicant, application, open_window):
    client.force_login(applicant)
    for name in ("applications:submit", "applications:overview"):
        html = client.get(reverse(name, args=[application.pk])).content.decode()
        assert f'href="{letter_url(application)}"' in html, name


def test_another_organization_or_an_expert_cannot_download_the_letter(client, application, other_applicant,
                                                                      make_user):
    client.force_login(other_applicant)
    assert client.get(letter_url(application)).status_code == 404
    client.force_login(make_user("expert@zgc.example", role=Role.EXPERT))
    assert client.get(letter_url(application)).status_code == 404
    assert not AuditEvent.objects.filter(action="download.commitment_letter").exists()


# --- the sealed scan in formal review ------------------------------------------------------------------

def test_formal_review_shows_the_sealed_scan_of_that_submission(client, office_user, submitted_application):
    submission = submitted_application.submissions.get()
    scan = submission.commitment
    client.force_login(office_user)
    html = client.get(reverse("office:formal_review", args=[submitted_application.pk])).content.decode()
    assert 'data-testid="commitment-scan"' in html
    assert reverse("applications:evidence_download", args=[scan.pk]) in html
    assert reverse("applications:evidence_thumbnail", args=[scan.pk]) in html  # a PNG: a thumbnail
    assert "承诺书盖章扫描件（第 1 次提交）" in html

    response = client.get(reverse("applications:evidence_download", args=[scan.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="download.evidence", actor=office_user)
    assert event.application_id == submitted_application.pk and "承诺书盖章扫描件" in event.summary
    b"".join(response.streaming_content)  # read to the end; closing it here would end the test's PG connection


def test_nobody_else_opens_the_sealed_scan(client, submitted_application, other_applicant, make_user, office_user):
    submission = submitted_application.submissions.get()
    url = reverse("applications:evidence_download", args=[submission.commitment.pk])
    client.force_login(other_applicant)
    assert client.get(url).status_code == 404
    # an expert reads the files its assigned submission names (records' evidence), never the sealed scan
    expert = make_user("expert@zgc.example", role=Role.EXPERT)
    Assignment.objects.create(application=submitted_application, expert=expert, submission=submission,
                              assigned_by=office_user)
    client.force_login(expert)
    assert client.get(url).status_code == 404
    assert client.get(reverse("applications:evidence_thumbnail", args=[submission.commitment.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="download.evidence").exists()
