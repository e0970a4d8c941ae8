"""Evidence drop zone in real Chromium: files dropped on the zone upload through htmx, the partial
is swapped in place, and the live evaluation panel hears ``evaluation-changed``."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from django.urls import reverse
from test_evidence import EXE, PDF, jpeg

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's event loop runs in the test thread

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
K31 = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DROP = """async ([files]) => {
  const transfer = new DataTransfer();
  for (const [name, data] of files) {
    const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
    transfer.items.add(new File([bytes], name));
  }
  const zone = document.querySelector(".record-evidence .dropzone");
  for (const type of ["dragenter", "dragover"]) {
    zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: transfer}));
  }
  window.heardEvaluationChanged = false;
  document.body.addEventListener("evaluation-changed", () => { window.heardEvaluationChanged = true; });
  const over = zone.classList.contains("is-over");
  zone.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: transfer}));
  return over;
}"""


def test_dropping_files_uploads_them_and_refreshes_the_partial(page, live_server, client, applicant, application,
                                                               open_window):
    from zgcfund.applications.domain.editing import save_record

    record = save_record(application, applicant, "K3.1", K31)
    client.force_login(applicant)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page.goto(live_server.url + "/")
    url = reverse("applications:evidence_list", args=[application.pk, record.pk])
    page.evaluate("url => htmx.ajax('GET', url, {target: '#main', swap: 'innerHTML'})", url)
    page.wait_for_selector(".record-evidence .dropzone.is-enhanced")  # evidence.js ran after the htmx swap
    assert page.is_hidden("[data-evidence-submit]")

    files = [("现场照片.jpg", jpeg()), ("通知.pdf", PDF), ("病毒.pdf", EXE)]
    encoded = [[name, base64.b64encode(data).decode()] for name, data in files]
    assert page.evaluate(DROP, [encoded]) is True  # the zone lit up while dragging
    page.wait_for_selector(".record-evidence .message--success")
    text = page.inner_text(".record-evidence")
    assert "已上传 2 个文件" in text and "文件“病毒.pdf”的实际类型为Windows 可执行程序" in text
    assert page.evaluate("window.heardEvaluationChanged") is True
    page.wait_for_function("document.querySelector('.record-evidence img').naturalWidth > 0")  # thumbnail served
    assert sorted(record.evidence_files.values_list("name", flat=True)) == ["现场照片.jpg", "通知.pdf"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".record-evidence").screenshot(path=str(SCREENSHOTS / "evidence.png"))

    page.once("dialog", lambda dialog: dialog.accept())  # hx-confirm
    page.click(".evidence-file:has-text('通知.pdf') button:has-text('删除')")
    page.wait_for_function("!document.querySelector('.record-evidence').innerText.includes('通知.pdf')")
    assert list(record.evidence_files.values_list("name", flat=True)) == ["现场照片.jpg"]
