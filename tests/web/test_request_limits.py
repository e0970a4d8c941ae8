"""The request-size cap: a body over ZGCFUND_MAX_REQUEST_BYTES is refused with 413 by its declared
length before any of it is read (no view, no temporary file), or stopped while it streams in when it is
longer than it says; a normal upload still goes through."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.base import BaseHandler
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from zgcfund.applications.domain.editing import save_record
from zgcfund.applications.models import EvidenceFile
from zgcfund.web import uploads

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src"
K31 = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}
PDF = (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
       b"trailer <</Root 1 0 R>>\n%%EOF\n")
CAP = 256 * 1024
CSRF = "a" * 32


@pytest.fixture(autouse=True)
def _fields_use_test_storage(monkeypatch, _private_files):
    from django.core.files.storage import storages

    for name in ("file", "thumbnail"):
        monkeypatch.setattr(EvidenceFile._meta.get_field(name), "storage", storages["private"])


@pytest.fixture
def temp_dir(tmp_path, settings):
    """Where Django spools uploads; every upload goes to disk (no in-memory handling)."""
    path = tmp_path / "upload-tmp"
    path.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    return path


@pytest.fixture
def record(application, applicant, open_window):
    return save_record(application, applicant, "K3.1", K31)


@pytest.fixture
def upload_url(application, record):
    return reverse("applications:evidence_list", args=[application.pk, record.pk])


def pdf_of(size: int) -> bytes:
    return PDF + b"%" + b"0" * (size - len(PDF) - 2) + b"\n"


def test_settings_put_the_cap_before_anything_reads_the_body():
    assert django_settings.ZGCFUND_MAX_REQUEST_BYTES == django_settings.EVIDENCE_MAX_BYTES + 1024 * 1024
    middleware = django_settings.MIDDLEWARE
    assert middleware.index("zgcfund.web.middleware.RequestSizeLimitMiddleware") < min(
        middleware.index("django.middleware.csrf.CsrfViewMiddleware"),
        middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware"))
    assert django_settings.FILE_UPLOAD_HANDLERS[0] == "zgcfund.web.uploads.RequestSizeUploadHandler"


def test_limits_come_from_the_environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZGCFUND_", "DATABASE_URL", "DJANGO_"))}
    env.update(PYTHONPATH=str(SRC), DJANGO_SETTINGS_MODULE="zgcfund.web.settings", ZGCFUND_VAR_DIR=str(tmp_path),
               ZGCFUND_MAX_REQUEST_MB="30", ZGCFUND_APPLICATION_QUOTA_MB="100")
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.ZGCFUND_MAX_REQUEST_BYTES, s.ZGCFUND_APPLICATION_QUOTA_BYTES)")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.stdout.split() == [str(30 * 1024 * 1024), str(100 * 1024 * 1024)], result.stderr


def test_oversize_content_length_gets_413_without_the_view_or_a_temp_file(client, upload_url, temp_dir):
    # An anonymous 200 MB upload: refused on its Content-Length. The test client's payload is a few bytes,
    # and reading past them would fail the test, so nothing of the body is read either.
    body = encode_multipart(BOUNDARY, {"files": io.BytesIO(b"x")})
    response = client.generic("POST", upload_url, body, content_type=MULTIPART_CONTENT,
                              CONTENT_LENGTH=str(200 * 1024 * 1024))
    assert response.status_code == 413  # not the login redirect: the view never ran
    html = response.content.decode()
    assert "提交的内容大小为 200 MB，超过每次提交 21 MB 的上限" in html and "未保存任何内容" in html
    assert "<html" in html
    assert list(temp_dir.iterdir()) == []


def test_oversize_htmx_request_gets_a_fragment_the_page_shows(client, applicant, upload_url):
    client.force_login(applicant)
    response = client.generic("POST", upload_url, b"", content_type=MULTIPART_CONTENT,
                              CONTENT_LENGTH=str(30 * 1024 * 1024), HTTP_HX_REQUEST="true")
    assert response.status_code == 413
    html = response.content.decode()
    assert "<html" not in html and 'role="alert"' in html  # web request-errors.js shows it above the form
    assert "超过每次提交 21 MB 的上限" in html and "其他内容仍然保留" in html
    assert not EvidenceFile.objects.exists()


def asgi_request(path: str, body: bytes, declared: int, session_key: str) -> ASGIRequest:
    """An ASGI request whose Content-Length says less than its body holds (ASGI hands Django the whole body)."""
    headers = [(b"host", b"testserver"), (b"content-type", MULTIPART_CONTENT.encode()),
               (b"content-length", str(declared).encode()), (b"x-csrftoken", CSRF.encode()),
               (b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={session_key}; csrftoken={CSRF}".encode())]
    scope = {"type": "http", "method": "POST", "path": path, "query_string": b"", "headers": headers,
             "server": ("testserver", 80), "client": ("127.0.0.1", 50000)}
    return ASGIRequest(scope, io.BytesIO(body))


def test_a_body_longer_than_it_says_is_stopped_at_the_cap(client, applicant, upload_url, temp_dir, settings,
                                                          monkeypatch):
    settings.ZGCFUND_MAX_REQUEST_BYTES = CAP
    client.force_login(applicant)
    spooled = []
    original = TemporaryFileUploadHandler.receive_data_chunk
    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk",
                        lambda self, data, start: spooled.append(len(data)) or original(self, data, start))
    body = encode_multipart(BOUNDARY, {"files": [io.BytesIO(pdf_of(CAP // 2)), io.BytesIO(pdf_of(4 * CAP))]})
    request = asgi_request(upload_url, body, declared=1000, session_key=client.session.session_key)
    handler = BaseHandler()
    handler.load_middleware()
    response = handler.get_response(request)
    assert response.status_code == 413
    assert "服务器已停止接收" in response.content.decode()
    assert not EvidenceFile.objects.exists()  # not even the first, complete file
    assert sum(spooled) <= CAP  # nothing past the cap reached a temporary file
    assert list(temp_dir.iterdir()) == []  # and what did is gone
    assert request._stream.tell() < len(body)  # the rest was never read


def test_upload_handler_passes_bodies_under_the_cap(rf, temp_dir, settings):
    settings.ZGCFUND_MAX_REQUEST_BYTES = CAP
    request = rf.post("/", {"files": [io.BytesIO(pdf_of(CAP // 3)), io.BytesIO(pdf_of(CAP // 3))]})
    assert [f.size for f in request.FILES.getlist("files")] == [CAP // 3, CAP // 3]
    assert not getattr(request, uploads.TOO_LARGE_FLAG, False)


def test_a_normal_upload_still_works(client, applicant, application, record, upload_url, temp_dir):
    client.force_login(applicant)
    content = pdf_of(6 * 1024 * 1024)  # over the in-memory size: spooled to a temporary file as before
    response = client.post(upload_url, {"files": [io.BytesIO(content)]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "已上传 1 个文件" in response.content.decode()
    assert record.evidence_files.get().size == len(content)
    assert list(temp_dir.iterdir()) == []
