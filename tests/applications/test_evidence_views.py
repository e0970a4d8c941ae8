"""Evidence views: upload several files at once (htmx and plain form), list, download, thumbnail,
delete; and who may reach them (another organization gets 404 whatever the ID)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from test_evidence import EXE, PDF, docx, jpeg, png, stored_files, xlsx

from zgcfund.applications.domain.editing import save_record
from zgcfund.applications.domain.evidence import store_evidence
from zgcfund.applications.models import EvidenceFile
from zgcfund.programmes.domain import clock

pytestmark = pytest.mark.django_db

K31 = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/applications/1/clauses/K3.1/"}


@pytest.fixture(autouse=True)
def _fields_use_test_storage(monkeypatch, _private_files):
    """See test_evidence.py: the FileFields must write to the test's private directory."""
    from django.core.files.storage import storages

    for name in ("file", "thumbnail"):
        monkeypatch.setattr(EvidenceFile._meta.get_field(name), "storage", storages["private"])


@pytest.fixture
def record(application, applicant, open_window):
    return save_record(application, applicant, "K3.1", K31)


@pytest.fixture
def photo(record, application, applicant):
    return store_evidence(application, applicant, record, SimpleUploadedFile("现场照片.jpg", jpeg()))


@pytest.fixture
def member(client, applicant):
    client.force_login(applicant)
    return client


def f(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def list_url(application, record):
    return reverse("applications:evidence_list", args=[application.pk, record.pk])


# --- uploading ----------------------------------------------------------------------------------

def test_several_files_in_one_post_good_ones_kept_bad_one_explained(member, application, record):
    response = member.post(list_url(application, record), {"files": [
        f("现场照片.jpg", jpeg()), f("病毒.pdf", EXE), f("通知.pdf", PDF), f("名单.xlsx", xlsx()), f("决议.docx", docx()),
    ]}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "evaluation-changed"
    html = response.content.decode()
    assert sorted(record.evidence_files.values_list("name", flat=True)) == ["决议.docx", "名单.xlsx", "现场照片.jpg", "通知.pdf"]
    assert "已上传 4 个文件" in html
    assert "文件“病毒.pdf”的实际类型为Windows 可执行程序" in html
    assert f'id="evidence-{record.pk}"' in html and "dropzone" in html
    assert 'value="/applications/1/clauses/K3.1/"' in html  # the no-JS form returns to the editor page


def test_upload_without_javascript_redirects_back_with_messages(member, application, record):
    back = f"/applications/{application.pk}/clauses/K3.1/"
    response = member.post(list_url(application, record), {"files": [f("现场照片.jpg", jpeg()), f("空.pdf", b"")],
                                                           "next": back})
    assert response.status_code == 302 and response["Location"] == back
    texts = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    assert ("success", "已上传 1 个文件：现场照片.jpg") in texts
    assert ("error", "文件“空.pdf”是空文件（0 字节），未保存。") in texts
    assert record.evidence_files.count() == 1


def test_upload_redirect_never_leaves_the_site(member, application, record):
    response = member.post(list_url(application, record), {"files": [f("现场照片.jpg", jpeg())],
                                                           "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:record_edit", args=[application.pk, record.pk])


def test_large_upload_streamed_to_disk_is_stored(member, application, record, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # Django writes the upload to a temporary file
    content = jpeg((1600, 1200))
    member.post(list_url(application, record), {"files": [f("大图.jpg", content)]}, **HTMX)
    evidence = record.evidence_files.get()
    assert (settings.PRIVATE_FILES_DIR / evidence.file.name).read_bytes() == content
    assert evidence.sha256 == hashlib.sha256(content).hexdigest() and evidence.thumbnail


def test_post_without_files_asks_for_one(member, application, record):
    response = member.post(list_url(application, record), {}, **HTMX)
    assert "请选择要上传的文件" in response.content.decode()
    assert "HX-Trigger" not in response


def test_duplicate_upload_gets_a_message_and_the_partial_keeps_the_first(member, application, record, photo):
    response = member.post(list_url(application, record), {"files": [f("副本.jpg", jpeg())]}, **HTMX)
    html = response.content.decode()
    assert "该记录已上传相同文件“现场照片.jpg”" in html
    assert "HX-Trigger" not in response
    assert list(record.evidence_files.all()) == [photo]


def test_upload_after_the_deadline_is_refused_with_the_reason(member, application, record, open_window, settings):
    open_window.opens_at = clock.now() - dt.timedelta(days=30)
    open_window.closes_at = clock.now() - dt.timedelta(minutes=1)
    open_window.save()
    response = member.post(list_url(application, record), {"files": [f("现场照片.jpg", jpeg()), f("通知.pdf", PDF)]}, **HTMX)
    html = response.content.decode()
    assert html.count("截止") == 1  # one refusal, not one per file
    assert "dropzone" not in html  # no upload area once editing is closed
    assert not record.evidence_files.exists() and stored_files(settings) == []


def test_oversized_upload_names_the_limit(member, application, record, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    big = PDF + b"%" * (2 * 1024 * 1024)
    response = member.post(list_url(application, record), {"files": [f("扫描件.pdf", big)]}, **HTMX)
    assert "文件“扫描件.pdf”大小为 2 MB，超过 1 MB 上限" in response.content.decode()
    assert not record.evidence_files.exists()


# --- listing, downloading -----------------------------------------------------------------------

def test_list_shows_files_thumbnails_and_references_awaiting_upload(member, application, record, photo):
    EvidenceFile.objects.create(application=application, record=record, name="签到表.pdf", sha256="ab" * 32)
    html = member.get(list_url(application, record)).content.decode()
    assert "现场照片.jpg" in html and reverse("applications:evidence_thumbnail", args=[photo.pk]) in html
    assert photo.sha256[:12] in html and f'title="SHA-256 {photo.sha256}"' in html
    assert "签到表.pdf" in html and "待上传" in html
    assert reverse("applications:evidence_delete", args=[photo.pk]) in html
    assert 'hx-encoding="multipart/form-data"' in html and 'type="file" name="files" multiple' in html
    assert "applications/evidence.js" in html


def test_download_streams_the_file_with_safe_headers(member, photo):
    response = member.get(reverse("applications:evidence_download", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline;")
    assert b"".join(response.streaming_content) == jpeg()
    attachment = member.get(reverse("applications:evidence_download", args=[photo.pk]) + "?download=1")
    assert attachment["Content-Disposition"].startswith("attachment;")


def test_office_files_are_downloaded_as_attachments_under_the_right_name(member, application, applicant, record):
    sheet = store_evidence(application, applicant, record, f("名单.pdf", xlsx()))  # really an Excel file
    response = member.get(reverse("applications:evidence_download", args=[sheet.pk]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "%E5%90%8D%E5%8D%95.xlsx" in disposition  # 名单.xlsx


def test_thumbnail_is_served(member, photo):
    response = member.get(reverse("applications:evidence_thumbnail", args=[photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_reference_without_file_has_no_download(member, application, record):
    ref = EvidenceFile.objects.create(application=application, record=record, name="签到表.pdf", sha256="ab" * 32)
    assert member.get(reverse("applications:evidence_download", args=[ref.pk])).status_code == 404
    assert member.get(reverse("applications:evidence_thumbnail", args=[ref.pk])).status_code == 404


# --- deleting -----------------------------------------------------------------------------------

def test_delete_with_htmx_refreshes_the_partial_and_the_panel(member, photo, record, settings,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = member.post(reverse("applications:evidence_delete", args=[photo.pk]), **HTMX)
    assert response.status_code == 200 and response["HX-Trigger"] == "evaluation-changed"
    html = response.content.decode()
    assert "现场照片.jpg" not in html and "必需，尚未上传" in html  # K3.1's 活动图片 slot is empty again
    assert not record.evidence_files.exists() and stored_files(settings) == []


def test_delete_without_javascript_redirects_back(member, photo, application, record):
    response = member.post(reverse("applications:evidence_delete", args=[photo.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:record_edit", args=[application.pk, record.pk])
    assert not EvidenceFile.objects.filter(pk=photo.pk).exists()


def test_delete_needs_post(member, photo):
    assert member.get(reverse("applications:evidence_delete", args=[photo.pk])).status_code == 405
    assert EvidenceFile.objects.filter(pk=photo.pk).exists()


# --- access -------------------------------------------------------------------------------------

def test_another_organizations_user_gets_404_everywhere(client, other_applicant, application, record, photo, settings):
    client.force_login(other_applicant)
    urls = [
        ("get", list_url(application, record)),
        ("post", list_url(application, record)),
        ("get", reverse("applications:evidence_download", args=[photo.pk])),
        ("get", reverse("applications:evidence_thumbnail", args=[photo.pk])),
        ("post", reverse("applications:evidence_delete", args=[photo.pk])),
    ]
    for method, url in urls:
        data = {"files": [f("x.jpg", png())]} if method == "post" else None
        assert getattr(client, method)(url, data).status_code == 404, url
    assert list(EvidenceFile.objects.all()) == [photo] and len(stored_files(settings)) == 2


def test_record_of_another_application_is_404_under_ones_own_application(client, make_user, other_org, application, record,
                                                                         loaded):
    from zgcfund.applications.domain.editing import application_for

    other_user = make_user("boss@other.example", organization=other_org, full_name="钱其他")
    own = application_for(other_org, other_user)
    client.force_login(other_user)
    assert client.get(list_url(own, record)).status_code == 404
    assert client.post(list_url(own, record), {"files": [f("x.jpg", png())]}).status_code == 404
    assert not EvidenceFile.objects.exists()


def test_anonymous_visitor_is_sent_to_login(client, application, record, photo):
    login = reverse("accounts:login")
    for method, url in [
        ("get", list_url(application, record)),
        ("post", list_url(application, record)),
        ("get", reverse("applications:evidence_download", args=[photo.pk])),
        ("get", reverse("applications:evidence_thumbnail", args=[photo.pk])),
        ("post", reverse("applications:evidence_delete", args=[photo.pk])),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith(login), url
    assert EvidenceFile.objects.filter(pk=photo.pk).exists()


def test_office_user_can_see_and_download_but_not_change(client, office_user, application, record, photo):
    client.force_login(office_user)
    html = client.get(list_url(application, record)).content.decode()
    assert "现场照片.jpg" in html and "dropzone" not in html
    assert reverse("applications:evidence_delete", args=[photo.pk]) not in html
    response = client.get(reverse("applications:evidence_download", args=[photo.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == jpeg()
    assert client.post(list_url(application, record), {"files": [f("x.png", png())]}).status_code == 403
    assert client.post(reverse("applications:evidence_delete", args=[photo.pk])).status_code == 403
    assert list(EvidenceFile.objects.all()) == [photo]


def test_files_are_kept_outside_every_served_directory(member, photo, settings):
    stored = (settings.PRIVATE_FILES_DIR / photo.file.name).resolve()
    assert stored.is_file()
    finders.find("zgcfund/css/portal.css", find_all=True)  # fills searched_locations: every static folder
    served = [Path(p).resolve() for p in [*finders.searched_locations, *getattr(django_settings, "STATICFILES_DIRS", [])]]
    assert served and not any(stored.is_relative_to(root) for root in served)
    assert not finders.find(photo.file.name)
    # The configured default (var/private) is outside the package's static and template folders too.
    from zgcfund.web import settings as configured

    assert not configured.PRIVATE_FILES_DIR.resolve().is_relative_to(configured.PACKAGE_DIR.resolve())
    for guess in (f"/static/{photo.file.name}", f"/{photo.file.name}", f"/media/{photo.file.name}"):
        assert member.get(guess).status_code == 404


# --- kinds of supporting material (evidence_kinds) ----------------------------------------------

def test_K3_1_upload_into_the_photos_slot_files_it_there_and_fills_the_requirement(member, application, record):
    page = member.get(list_url(application, record)).content.decode()
    assert 'data-material="photos"' in page and "必需，尚未上传" in page
    response = member.post(list_url(application, record), {"files": [f("现场照片.jpg", jpeg())], "material": "photos"},
                           **HTMX)
    assert response.status_code == 200
    assert record.evidence_files.get().material == "photos"
    assert "必需，已上传" in response.content.decode()
    from zgcfund.applications.domain.document import assess
    clause = assess(application).prior["clauses"]["K3.1"]
    assert "missing_evidence" not in clause


def test_K3_1_file_of_no_kind_leaves_the_requirement_listed_by_the_engine(member, application, record):
    member.post(list_url(application, record), {"files": [f("现场照片.jpg", jpeg())]}, **HTMX)
    assert record.evidence_files.get().material == ""
    from zgcfund.applications.domain.document import assess
    missing = assess(application).prior["clauses"]["K3.1"]["missing_evidence"]
    assert missing == [{"record": record.key, "kinds": ["photos"], "message": "缺少“活动图片”"}]


def test_upload_refuses_a_kind_the_clause_does_not_name(member, application, record):
    response = member.post(list_url(application, record), {"files": [f("执照.jpg", jpeg())], "material": "licence"},
                           **HTMX)
    assert "材料类型“licence”不适用于记录" in response.content.decode()
    assert not record.evidence_files.exists()


def test_reclassifying_a_file_moves_it_to_the_slot_and_is_audited(member, application, record, photo):
    from zgcfund.audit.models import AuditEvent
    url = reverse("applications:evidence_material", args=[photo.pk])
    response = member.post(url, {"material": "photos"}, **HTMX)
    assert response.status_code == 200 and response["HX-Trigger"] == "evaluation-changed"
    photo.refresh_from_db()
    assert photo.material == "photos"
    assert AuditEvent.objects.filter(action="evidence.material", application=application).exists()
    assert member.post(url, {"material": "nonsense"}, **HTMX).status_code == 200
    photo.refresh_from_db()
    assert photo.material == "photos"  # refused, kept


def test_another_organization_cannot_reclassify(client, other_applicant, photo):
    client.force_login(other_applicant)
    response = client.post(reverse("applications:evidence_material", args=[photo.pk]), {"material": ""})
    assert response.status_code == 404
    photo.refresh_from_db()
    assert photo.material == ""


def test_json_round_trip_keeps_the_kind(member, application, record, photo, applicant):
    from zgcfund.applications.domain.document import build_document
    from zgcfund.applications.domain.editing import import_document
    from zgcfund.applications.domain.evidence import set_material
    set_material(application, applicant, photo, "photos")
    doc = build_document(application)
    assert doc["records"][0]["evidence"][0]["kind"] == "photos"
    EvidenceFile.objects.filter(pk=photo.pk).update(material="")
    import_document(application, applicant, doc)
    photo.refresh_from_db()
    assert photo.material == "photos"
