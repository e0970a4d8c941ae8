"""Issue 12 in real Chromium: the applicant downloads the pre-filled 承诺书 (submit page and overview); the
office opens the sealed scan from formal review, beside its submission; publishing a selection asks for
confirmation in a dialog (Esc or 取消 sends nothing, 确认 publishes)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from confirming import accept, confirm_dialog, dismiss
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader
from test_office_flow import submitted_application

from zgcfund.review.domain import selection as selection_domain
from zgcfund.review.models import Selection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_applicant_downloads_the_prefilled_commitment_letter(live_server, page, log_in, applicant, org,
                                                                  application, open_window):
    log_in(page, applicant).goto(live_server.url + reverse("applications:submit", args=[application.pk]))
    letter = page.get_by_test_id("commitment-letter")
    expect(letter).to_contain_text("打印后加盖单位公章、由法定代表人签字")
    with page.expect_download() as info:
        letter.get_by_test_id("commitment-pdf").click()
    pdf = Path(info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and info.value.suggested_filename.endswith(".pdf")
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "")
    assert len(reader.pages) == 1
    for expected in (org.name, org.credit_code, "2025年中关村社会组织支持项目", "法定代表人（签字）"):
        assert expected in text, expected
    # the overview offers it too
    page.goto(live_server.url + reverse("applications:overview", args=[application.pk]))
    with page.expect_download() as again:
        page.get_by_test_id("commitment-pdf").click()
    assert Path(again.value.path()).read_bytes().startswith(b"%PDF")


def test_the_office_opens_the_sealed_scan_from_formal_review(live_server, page, log_in, office_user, org, applicant,
                                                              open_window):
    app = submitted_application(org, applicant)
    log_in(page, office_user).goto(live_server.url + reverse("office:formal_review", args=[app.pk]))
    card = page.get_by_test_id("commitment-scan")
    expect(card.get_by_role("heading", level=2)).to_have_text("承诺书盖章扫描件（第 1 次提交）")
    thumbnail = card.get_by_test_id("commitment-scan-thumbnail")
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth > 0")  # the thumbnail loaded
    with page.expect_popup() as popup:
        card.get_by_test_id("commitment-scan-link").click()
    scan = popup.value
    scan.wait_for_load_state()
    assert scan.url.endswith(reverse("applications:evidence_download", args=[app.submissions.get().commitment.pk]))
    response = page.request.get(scan.url)
    assert response.ok and response.headers["content-type"] == "image/png"
    assert "no-store" in response.headers["cache-control"]


def test_publishing_asks_for_confirmation(live_server, page, log_in, office_user, org, applicant, open_window,
                                          loaded):
    from zgcfund.review.domain.formal import decide

    app = submitted_application(org, applicant)
    decide(app, office_user, "passed", "", {})
    draft = selection_domain.save_draft(loaded.code, {"method": "by_count", "n": 1}, office_user)
    selection_domain.confirm(draft, office_user)
    log_in(page, office_user).goto(live_server.url + reverse("office:selection_detail", args=[draft.pk]))
    dialog = confirm_dialog(page)
    expect(dialog).to_be_hidden()
    publish = page.get_by_test_id("publish-selection")

    publish.click()
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", level=2)).to_have_text("请确认：此操作不能撤销")
    expect(dialog).to_contain_text("公示不能撤回")
    expect(dialog.get_by_test_id("confirm-dialog-cancel")).to_be_focused()  # the safe choice has the focus
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(publish).to_be_focused()
    publish.click()
    dismiss(page)
    assert Selection.objects.get().published_at is None

    page.get_by_label("公示天数").fill("7")
    publish.click()
    accept(page, "各申报单位即可看到结果", ok="发布公示")
    expect(page.get_by_role("status").filter(has_text="遴选结果已公示")).to_be_visible()
    assert Selection.objects.get().published_at is not None
