"""Upload limits: files only once the organization is approved (drafts may be filled in before), a
storage quota per application (checked again under the row lock), and a per-user upload rate limit
with a security-log entry. Refusals are shown in the evidence partial, next to the drop zone."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from test_evidence import PDF, docx, jpeg, png, stored_files

from zgcfund.accounts.domain import ratelimit
from zgcfund.accounts.models.organization import OrganizationStatus
from zgcfund.applications.domain import evidence as evidence_domain
from zgcfund.applications.domain.editing import application_for, save_record
from zgcfund.applications.domain.evidence import (
    EvidenceRejected,
    UploadRefused,
    store_commitment_scan,
    store_evidence,
)
from zgcfund.applications.models import EvidenceFile
from zgcfund.audit.models import SecurityEvent, SecurityEventKind

pytestmark = pytest.mark.django_db

K31 = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/applications/1/clauses/K3.1/"}
PENDING_TEXT = "审核通过后才能上传支撑材料"


@pytest.fixture(autouse=True)
def _fields_use_test_storage(monkeypatch, _private_files):
    from django.core.files.storage import storages

    for name in ("file", "thumbnail"):
        monkeypatch.setattr(EvidenceFile._meta.get_field(name), "storage", storages["private"])


@pytest.fixture
def pending_org(make_org):
    return make_org("北京海淀新兴产业技术创新联盟", approved=False)


@pytest.fixture
def pending_user(make_user, pending_org):
    return make_user("admin@pending.example", organization=pending_org, full_name="陈待审")


@pytest.fixture
def pending_application(loaded, pending_org, pending_user):
    return application_for(pending_org, pending_user)


@pytest.fixture
def pending_record(pending_application, pending_user, open_window):
    return save_record(pending_application, pending_user, "K3.1", K31)


@pytest.fixture
def record(application, applicant, open_window):
    return save_record(application, applicant, "K3.1", K31)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def list_url(application, record):
    return reverse("applications:evidence_list", args=[application.pk, record.pk])


# --- approval ---------------------------------------------------------------------------------------

def test_pending_organization_fills_drafts_but_stores_no_file(pending_application, pending_user, pending_record,
                                                               settings):
    assert pending_record.title == K31["title"]  # drafting before approval still works
    with pytest.raises(UploadRefused) as refused:
        store_evidence(pending_application, pending_user, pending_record, upload("通知.pdf", PDF))
    assert "本单位注册信息尚未通过项目办公室审核" in refused.value.message
    with pytest.raises(UploadRefused):
        store_commitment_scan(pending_application, pending_user, upload("承诺书.png", png()))
    assert not EvidenceFile.objects.exists() and stored_files(settings) == []


def test_pending_organization_upload_is_refused_once_in_the_partial(client, pending_application, pending_user,
                                                                    pending_record):
    client.force_login(pending_user)
    response = client.post(list_url(pending_application, pending_record),
                           {"files": [upload("通知.pdf", PDF), upload("照片.jpg", jpeg())]}, **HTMX)
    assert response.status_code == 200  # htmx swaps it in place of the drop zone
    html = response.content.decode()
    assert html.count("本单位注册信息尚未通过项目办公室审核") == 2  # the refusal once, and the notice for the zone
    assert 'role="alert"' in html and 'class="evidence-upload"' not in html
    assert not EvidenceFile.objects.exists()


def test_pending_organization_sees_why_it_cannot_upload_yet(client, pending_application, pending_user,
                                                            pending_record):
    client.force_login(pending_user)
    page = client.get(reverse("applications:clause", args=[pending_application.pk, "K3.1"])).content.decode()
    assert PENDING_TEXT in page and 'data-testid="evidence-upload-pending"' in page
    assert 'class="evidence-upload"' not in page


def test_approval_revoked_meanwhile_is_caught_under_the_lock(application, applicant, record, monkeypatch):
    real = evidence_domain._check

    def check_then_revoke(*args, **kwargs):
        checked = real(*args, **kwargs)
        application.organization.__class__.objects.filter(pk=application.organization_id).update(
            status=OrganizationStatus.PENDING)
        return checked

    monkeypatch.setattr(evidence_domain, "_check", check_then_revoke)
    with pytest.raises(UploadRefused):
        store_evidence(application, applicant, record, upload("通知.pdf", PDF))
    assert not EvidenceFile.objects.exists()


def test_approved_organization_under_quota_uploads(client, applicant, application, record):
    client.force_login(applicant)
    page = client.get(reverse("applications:clause", args=[application.pk, "K3.1"])).content.decode()
    assert 'class="evidence-upload"' in page and PENDING_TEXT not in page
    response = client.post(list_url(application, record), {"files": [upload("通知.pdf", PDF)]}, **HTMX)
    assert "已上传 1 个文件" in response.content.decode()
    assert record.evidence_files.count() == 1


# --- quota ------------------------------------------------------------------------------------------

def test_upload_over_the_application_quota_is_refused_naming_used_and_limit(application, applicant, record,
                                                                            settings):
    first = store_evidence(application, applicant, record, upload("照片.jpg", jpeg()))
    settings.ZGCFUND_APPLICATION_QUOTA_BYTES = first.size + len(PDF)
    before = stored_files(settings)
    with pytest.raises(EvidenceRejected) as refused:
        store_evidence(application, applicant, record, upload("签到表.png", png()))
    assert not isinstance(refused.value, UploadRefused)  # a smaller file may still fit
    message = refused.value.message
    used = evidence_domain.size_text(first.size)
    assert "文件“签到表.png”" in message and f"已存储的文件共 {used}" in message and "存储上限为 " in message
    assert stored_files(settings) == before and record.evidence_files.count() == 1
    store_evidence(application, applicant, record, upload("通知.pdf", PDF))  # exactly fills the quota
    assert record.evidence_files.count() == 2


def test_quota_counts_commitment_scans_and_refuses_them_too(application, applicant, record, settings):
    scan = store_commitment_scan(application, applicant, upload("承诺书.png", png()))
    settings.ZGCFUND_APPLICATION_QUOTA_BYTES = scan.size + 10
    with pytest.raises(EvidenceRejected, match="存储上限为"):
        store_evidence(application, applicant, record, upload("通知.pdf", PDF))


def test_quota_is_checked_again_under_the_row_lock(application, applicant, record, settings, monkeypatch):
    """A colleague's upload lands between the first check and the lock: the second check sees it."""
    colleague = store_evidence(application, applicant, record, upload("照片.jpg", jpeg()))
    settings.ZGCFUND_APPLICATION_QUOTA_BYTES = colleague.size + len(PDF) - 1
    real, calls = evidence_domain.stored_bytes, []

    def before_colleague(app):
        calls.append(app)
        return 0 if len(calls) == 1 else real(app)

    monkeypatch.setattr(evidence_domain, "stored_bytes", before_colleague)
    with pytest.raises(EvidenceRejected, match="存储上限为"):
        store_evidence(application, applicant, record, upload("通知.pdf", PDF))
    assert len(calls) == 2 and record.evidence_files.count() == 1


def test_quota_refusal_shows_in_the_partial_and_other_files_are_kept(client, applicant, application, record,
                                                                     settings):
    settings.ZGCFUND_APPLICATION_QUOTA_BYTES = len(PDF) + 100
    client.force_login(applicant)
    response = client.post(list_url(application, record),
                           {"files": [upload("通知.pdf", PDF), upload("照片.jpg", jpeg())]}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "已上传 1 个文件：通知.pdf" in html
    assert "文件“照片.jpg”" in html and "存储上限为" in html
    assert list(record.evidence_files.values_list("name", flat=True)) == ["通知.pdf"]


# --- rate limit -------------------------------------------------------------------------------------

def test_uploads_are_rate_limited_per_user_with_a_security_log_entry(client, applicant, application, record,
                                                                     monkeypatch):
    monkeypatch.setattr(ratelimit, "UPLOAD", ratelimit.Limit("upload", 2, 3600))
    client.force_login(applicant)
    response = client.post(list_url(application, record), {"files": [
        upload("通知.pdf", PDF), upload("照片.jpg", jpeg()), upload("签到表.png", png()), upload("决议.docx", docx()),
    ]}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "已上传 2 个文件" in html
    assert html.count("操作过于频繁，请 60 分钟后再试。") == 1
    assert record.evidence_files.count() == 2
    event = SecurityEvent.objects.get(kind=SecurityEventKind.RATE_LIMITED)
    assert event.user == applicant and "upload" in event.detail
    assert event.path == list_url(application, record)

    again = client.post(list_url(application, record), {"files": [upload("签到表.png", png())]}, **HTMX)
    assert "操作过于频繁" in again.content.decode() and record.evidence_files.count() == 2


def test_rate_limit_is_per_user(client, applicant, application, record, make_user, org, monkeypatch):
    monkeypatch.setattr(ratelimit, "UPLOAD", ratelimit.Limit("upload", 1, 3600))
    colleague = make_user("editor@ai-assoc.example", organization=org, full_name="孙填报")
    client.force_login(applicant)
    client.post(list_url(application, record), {"files": [upload("通知.pdf", PDF)]}, **HTMX)
    client.force_login(colleague)
    response = client.post(list_url(application, record), {"files": [upload("照片.jpg", jpeg())]}, **HTMX)
    assert "已上传 1 个文件" in response.content.decode()
    assert record.evidence_files.count() == 2


def test_commitment_scan_upload_is_rate_limited(client, applicant, application, record, monkeypatch):
    from test_submission import post_submit

    monkeypatch.setattr(ratelimit, "UPLOAD", ratelimit.Limit("upload", 1, 3600))
    ratelimit.hit(ratelimit.UPLOAD, f"user:{applicant.pk}")
    client.force_login(applicant)
    response = post_submit(client, application)
    assert response.status_code == 422 and "操作过于频繁" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "draft" and not EvidenceFile.objects.filter(kind="commitment").exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.RATE_LIMITED, user=applicant).exists()


def test_rate_limit_without_javascript_keeps_the_message(client, applicant, application, record, monkeypatch):
    monkeypatch.setattr(ratelimit, "UPLOAD", ratelimit.Limit("upload", 1, 3600))
    ratelimit.hit(ratelimit.UPLOAD, f"user:{applicant.pk}")
    client.force_login(applicant)
    response = client.post(list_url(application, record), {"files": [upload("通知.pdf", PDF)]}, follow=True)
    assert "操作过于频繁" in response.content.decode()
    assert not record.evidence_files.exists()
