"""Every error is shown where the user is looking: an error summary (zgcfund/_error_summary.html: role=alert,
tabindex=-1, "请修正以下问题", a link to each field in error whose target exists) above the record form of an
htmx save, the K1/K3 choices (over-selected choices kept and marked) and the formal review's return without
a comment. A failed submit keeps the commitment tick and says when the chosen sealed scan was stored."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from zgcfund.applications.domain.editing import save_record
from zgcfund.applications.domain.submission import content_version
from zgcfund.applications.models import EvidenceFile, Submission

pytestmark = pytest.mark.django_db

K31 = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}


def summary_of(html: str) -> str:
    match = re.search(r'<div class="error-summary"[^>]*>.*?</div>', html, re.S)
    assert match, "no error summary"
    box = match.group(0)
    assert 'role="alert"' in box and 'tabindex="-1"' in box and "data-error-summary" in box and "请修正以下问题" in box
    return box


def link_targets(box: str, html: str) -> list[str]:
    targets = re.findall(r'href="#([^"]+)"', box)
    for target in targets:
        assert f'id="{target}"' in html, f"#{target} links to nothing"
    return targets


def test_htmx_record_save_with_errors_has_a_summary_linking_to_the_fields(client, applicant, application,
                                                                         open_window):
    client.force_login(applicant)
    url = reverse("applications:record_new", args=[application.pk, "K3.1"])
    response = client.post(url, {"phase": "prior", "date": "2025-03-02", "title": "", "park": "海淀园",
                                 "participants": "很多"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    targets = link_targets(summary_of(html), html)
    assert "id_title" in targets and "id_participants" in targets
    assert 'value="很多"' in html  # what was typed stays


def test_plain_page_without_errors_has_no_summary(client, applicant, application, open_window):
    client.force_login(applicant)
    html = client.get(reverse("applications:record_new", args=[application.pk, "K3.1"])).content.decode()
    assert "data-error-summary" not in html


def test_k1_over_selection_keeps_and_marks_the_choices(client, applicant, application, open_window):
    client.force_login(applicant)
    application.refresh_from_db()
    response = client.post(reverse("applications:choices", args=[application.pk, "K1"]),
                           {"lock_version": application.lock_version, "chosen": ["K1.1", "K1.2", "K1.3"]})
    html = response.content.decode()
    assert response.status_code == 422
    box = summary_of(html)
    assert "K1 最多可选取 2 项" in box
    assert link_targets(box, html) == ["choice-K1-K1.1"]
    form = html.split('data-testid="choices-K1"', 1)[1].split("</form>", 1)[0]
    assert 'class="is-invalid"' in form and 'data-testid="choice-error"' in form
    for cid in ("K1.1", "K1.2", "K1.3"):  # kept, not cleared
        assert re.search(rf'value="{re.escape(cid)}" id="choice-K1-{re.escape(cid)}" checked aria-invalid="true"', form)
    k3 = html.split('data-testid="choices-K3"', 1)[1].split("</form>", 1)[0]
    assert "checked" not in k3 and "is-invalid" not in k3
    application.refresh_from_db()
    assert application.choices.get("K1") is None  # nothing saved


def test_formal_return_without_comment_has_a_summary_linking_to_the_comment(client, submitted_application,
                                                                           office_user):
    client.force_login(office_user)
    response = client.post(reverse("office:formal_review", args=[submitted_application.pk]), {"outcome": "returned"})
    html = response.content.decode()
    assert response.status_code == 422
    box = summary_of(html)
    assert "审查意见" in box and link_targets(box, html) == ["id_comment"]
    assert 'value="returned" id="id_outcome_1" checked' in html  # the choice made is kept
    none = client.post(reverse("office:formal_review", args=[submitted_application.pk]), {"comment": "材料不全"})
    html = none.content.decode()
    assert link_targets(summary_of(html), html) == ["id_outcome_0"] and "材料不全" in html


def png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buf, "PNG")
    return SimpleUploadedFile("盖章承诺书.png", buf.getvalue(), content_type="image/png")


def test_failed_submit_keeps_the_tick_and_says_the_scan_was_stored(client, applicant, application, open_window):
    save_record(application, applicant, "K3.1", K31)
    client.force_login(applicant)
    application.refresh_from_db()
    opened = content_version(application)
    save_record(application, applicant, "K3.1", {**K31, "title": "同事改过的名称"})  # the submit will fail
    response = client.post(reverse("applications:submit", args=[application.pk]),
                           {"opened_version": opened, "commitment": "on", "commitment_scan": png()})
    html = response.content.decode()
    assert response.status_code == 422 and not Submission.objects.exists()
    assert 'name="commitment" required checked' in html
    errors = html.split('data-testid="submit-errors"', 1)[1].split("</div>", 1)[0]
    assert "已被修改" in errors
    kept = EvidenceFile.objects.get(application=application, kind="commitment")
    assert 'data-testid="scan-kept"' in errors and kept.name in errors and "无需重新选择" in errors
    assert "data-error-summary" in html.split('data-testid="submit-errors"', 1)[0].rsplit("<div", 1)[1]

    # submitting again without choosing the file uses the stored scan
    application.refresh_from_db()
    again = client.post(reverse("applications:submit", args=[application.pk]),
                        {"opened_version": content_version(application), "commitment": "on"})
    assert again.status_code == 302, again.content.decode()[:1500]


def test_a_refused_scan_is_named_and_the_tick_is_kept(client, applicant, application,
                                                                                 open_window):
    save_record(application, applicant, "K3.1", K31)
    client.force_login(applicant)
    application.refresh_from_db()
    bad = SimpleUploadedFile("扫描件.png", b"not an image at all", content_type="image/png")
    response = client.post(reverse("applications:submit", args=[application.pk]),
                           {"opened_version": content_version(application), "commitment": "on",
                            "commitment_scan": bad})
    html = response.content.decode()
    assert response.status_code == 422 and 'name="commitment" required checked' in html
    errors = html.split('data-testid="submit-errors"', 1)[1].split("</div>", 1)[0]
    assert "扫描件" in errors and 'data-testid="scan-kept"' not in errors  # refused, and the page says why
