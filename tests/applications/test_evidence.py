"""Evidence uploads (services): type by content, size limits, SHA-256, thumbnails, duplicates,
references filled in, deadlines, atomicity. The sample files are real, built here."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import struct
import zipfile

import olefile
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zgcfund.applications.domain import evidence as evidence_domain
from zgcfund.applications.domain.editing import EditRefused, save_record
from zgcfund.applications.domain.evidence import (
    EvidenceRejected,
    clean_name,
    delete_evidence,
    download_name,
    store_commitment_scan,
    store_evidence,
)
from zgcfund.applications.models import EvidenceFile
from zgcfund.audit.models import AuditEvent
from zgcfund.files import images
from zgcfund.files import types as filetypes
from zgcfund.programmes.domain import clock

pytestmark = pytest.mark.django_db

K31 = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}
K31_B = {**K31, "date": "2025-04-12", "title": "大模型应用对接会"}


# --- sample files -------------------------------------------------------------------------------

def image_bytes(fmt: str, size=(800, 600), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (30, 120, 200) if mode == "RGB" else (30, 120, 200, 128)).save(out, fmt)
    return out.getvalue()


def jpeg(size=(800, 600)) -> bytes:
    return image_bytes("JPEG", size)


def png(size=(400, 300), mode="RGB") -> bytes:
    return image_bytes("PNG", size, mode)


PDF = (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
       b"trailer <</Root 1 0 R>>\n%%EOF\n")


def ooxml(main_type: str, parts: dict[str, bytes]) -> bytes:
    overrides = "".join(f'<Override PartName="/{name}" ContentType="{main_type}"/>' for name in list(parts)[:1])
    content_types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                     'content-types"><Default Extension="xml" ContentType="application/xml"/>'
                     f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                     f"{overrides}</Types>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
                    '2006/relationships"/>')
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


def docx() -> bytes:
    body = ('<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>理事会决议</w:t></w:r></w:p></w:body></w:document>").encode()
    return ooxml("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                 {"word/document.xml": body})


def docx_reported_as_zip() -> bytes:
    """A DOCX whose first entry is not ``[Content_Types].xml``: libmagic calls it application/zip."""
    source = zipfile.ZipFile(io.BytesIO(docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("docProps/app.xml", "<Properties/>")
        for name in ("word/document.xml", "_rels/.rels", "[Content_Types].xml"):
            zf.writestr(name, source.read(name))
    return out.getvalue()


def docm() -> bytes:
    return ooxml("application/vnd.ms-word.document.macroEnabled.main+xml",
                 {"word/document.xml": b"<w:document/>", "word/vbaProject.bin": b"\0" * 64})


def xlsx() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["企业名称", "金额"])
    wb.active.append(["北京某科技有限公司", 120000])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("photos/1.jpg", jpeg((10, 10)))
    return out.getvalue()


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (MS-CFB v3), as .doc/.xls files are; each stream >= 4096 bytes."""
    end, free, fatsect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    entries, fat, data, sector = [("Root Entry", 5, end, 0)], [fatsect, end], [], 2
    for name, content in streams.items():
        content = content.ljust(4096, b"\0")
        n = -(-len(content) // 512)
        entries.append((name, 2, sector, len(content)))
        fat += [*range(sector + 1, sector + n), end]
        data.append(content.ljust(n * 512, b"\0"))
        sector += n
    fat += [free] * (128 - len(fat))
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *([free] * 108))
    directory = bytearray()
    for i, (name, kind, start, size) in enumerate(entries):
        raw = name.encode("utf-16-le") + b"\0\0"
        entry = bytearray(128)
        entry[0:len(raw)] = raw
        child = 1 if kind == 5 and len(entries) > 1 else nostream
        right = i + 1 if kind == 2 and i + 1 < len(entries) else nostream
        struct.pack_into("<HBBIII", entry, 64, len(raw), kind, 1, nostream, right, child)
        struct.pack_into("<II", entry, 116, start, size)
        directory += entry
    return bytes(header) + struct.pack("<128I", *fat) + bytes(directory).ljust(512, b"\0") + b"".join(data)


def doc() -> bytes:
    return compound_file({"WordDocument": b"\xec\xa5" + b"x" * 100})


def xls() -> bytes:
    return compound_file({"Workbook": b"\x09\x08" + b"x" * 100})


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><head><script>alert(document.cookie)</script></head><body>x</body></html>"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(settings) -> list:
    root = settings.PRIVATE_FILES_DIR
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture(autouse=True)
def _fields_use_test_storage(monkeypatch, _private_files):
    """The model's FileFields resolved ``storages["private"]`` at import time, before conftest pointed it
    at a temporary directory; make them use the test's storage (see the report to the lead)."""
    from django.core.files.storage import storages

    for name in ("file", "thumbnail"):
        monkeypatch.setattr(EvidenceFile._meta.get_field(name), "storage", storages["private"])


@pytest.fixture
def record(application, applicant, open_window):
    return save_record(application, applicant, "K3.1", K31)


@pytest.fixture
def other_record(application, applicant, open_window):
    return save_record(application, applicant, "K3.1", K31_B)


# --- accepted types -----------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "make", "content_type", "thumb"), [
    ("现场照片.jpg", jpeg, "image/jpeg", True),
    ("签到表.png", png, "image/png", True),
    ("动图.gif", lambda: image_bytes("GIF", (200, 200)), "image/gif", True),
    ("海报.webp", lambda: image_bytes("WEBP", (500, 500)), "image/webp", True),
    ("会议通知.pdf", lambda: PDF, "application/pdf", False),
    ("理事会决议.docx", docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", False),
    ("其他软件导出.docx", docx_reported_as_zip, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", False),
    ("企业名单.xlsx", xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
    ("旧版决议.doc", doc, "application/msword", False),
    ("旧版名单.xls", xls, "application/vnd.ms-excel", False),
])
def test_supported_file_is_stored_privately_with_its_sha256(record, application, applicant, settings, name, make,
                                                            content_type, thumb):
    content = make()
    evidence = store_evidence(application, applicant, record, upload(name, content, "text/plain"))
    evidence.refresh_from_db()
    assert evidence.name == name and evidence.record == record and evidence.kind == "record"
    assert evidence.content_type == content_type  # from the content, not the browser's "text/plain"
    assert evidence.sha256 == hashlib.sha256(content).hexdigest() and evidence.size == len(content)
    assert evidence.uploaded_by == applicant
    path = settings.PRIVATE_FILES_DIR / evidence.file.name
    assert path.read_bytes() == content
    assert name not in evidence.file.name  # stored under a random name, with the real type's extension
    assert bool(evidence.thumbnail) is thumb
    assert AuditEvent.objects.filter(application=application, action="evidence.upload", object_id=str(evidence.pk)).exists()


def test_image_thumbnail_is_at_most_320px(record, application, applicant, settings):
    evidence = store_evidence(application, applicant, record, upload("大合影.jpg", jpeg((2000, 1000))))
    with Image.open(settings.PRIVATE_FILES_DIR / evidence.thumbnail.name) as thumb:
        assert thumb.format == "JPEG" and thumb.size == (320, 160)


def test_transparent_image_gets_a_png_thumbnail(record, application, applicant, settings):
    evidence = store_evidence(application, applicant, record, upload("标志.png", png((600, 600), "RGBA")))
    with Image.open(settings.PRIVATE_FILES_DIR / evidence.thumbnail.name) as thumb:
        assert thumb.format == "PNG" and max(thumb.size) == 320


def test_extension_contradicting_content_is_stored_as_what_it_is(record, application, applicant):
    evidence = store_evidence(application, applicant, record, upload("扫描件.pdf", png(), "application/pdf"))
    assert evidence.content_type == "image/png" and evidence.thumbnail
    assert evidence.name == "扫描件.pdf" and download_name(evidence) == "扫描件.png"
    assert any("PNG 图片" in n and "与文件名不符" in n for n in evidence.notices)


# --- refused content ----------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "content", "said"), [
    ("报告.pdf", EXE, "Windows 可执行程序"),
    ("setup.exe", EXE, "Windows 可执行程序"),
    ("通知.pdf", HTML, "HTML 网页"),
    ("照片.jpg", b"#!/bin/sh\nrm -rf ~\n", "脚本程序"),
    ("图标.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
    ("材料.docx", plain_zip(), "ZIP 压缩包"),
    ("说明.doc", b"just some text\n" * 20, "纯文本"),
])
def test_file_of_a_refused_type_is_rejected_by_content(record, application, applicant, settings, name, content, said):
    with pytest.raises(EvidenceRejected) as exc:
        store_evidence(application, applicant, record, upload(name, content, "application/pdf"))
    assert f"文件“{name}”的实际类型为" in exc.value.message and said in exc.value.message
    assert "不在允许范围内（允许：JPEG、PNG" in exc.value.message
    assert not EvidenceFile.objects.exists() and stored_files(settings) == []


@pytest.mark.parametrize(("name", "content", "said"), [
    ("宏文档.docx", docm(), "含有宏代码"),
    ("宏文档.doc", compound_file({"WordDocument": b"x", "Macros": b"y"}), "含有宏代码"),
    ("加密.docx", compound_file({"EncryptedPackage": b"z"}), "设置了打开密码"),
    ("残缺.xlsx", xlsx()[:300], "不是完整的 Word/Excel 文档"),
])
def test_risky_or_broken_office_files_are_rejected(record, application, applicant, settings, name, content, said):
    with pytest.raises(EvidenceRejected, match=said):
        store_evidence(application, applicant, record, upload(name, content))
    assert not EvidenceFile.objects.exists() and stored_files(settings) == []


@pytest.mark.parametrize(("name", "content"), [
    ("截断.jpg", jpeg()[:400]),
    ("损坏.png", png()[:60] + b"\x00" * 40 + png()[100:]),
    ("假图.gif", b"GIF89a" + b"\xff" * 50),
])
def test_corrupt_image_is_rejected(record, application, applicant, settings, name, content):
    with pytest.raises(EvidenceRejected) as exc:
        store_evidence(application, applicant, record, upload(name, content))
    assert f"“{name}”" in exc.value.message and ("损坏" in exc.value.message or "不在允许范围内" in exc.value.message)
    assert not EvidenceFile.objects.exists() and stored_files(settings) == []


def test_image_with_too_many_pixels_is_rejected(record, application, applicant, monkeypatch):
    monkeypatch.setattr(images, "MAX_DECODED_PIXELS", 100 * 100)
    with pytest.raises(EvidenceRejected, match="像素过多"):
        store_evidence(application, applicant, record, upload("长图.png", png((200, 200))))
    store_evidence(application, applicant, record, upload("照片.jpg", jpeg((200, 200))))  # JPEG decodes scaled down


def test_oversized_file_names_its_size_and_the_limit(record, application, applicant, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(EvidenceRejected) as exc:
        store_evidence(application, applicant, record, upload("大文件.pdf", PDF + b"%" * 2048))
    assert exc.value.message.startswith("文件“大文件.pdf”大小为 2.1 KB，超过 1 KB 上限")
    assert not EvidenceFile.objects.exists() and stored_files(settings) == []


def test_size_limit_reads_like_the_issue_says():
    assert evidence_domain._too_big("x.pdf", int(25.3 * 1024 * 1024), 20 * 1024 * 1024).message == (
        "文件“x.pdf”大小为 25.3 MB，超过 20 MB 上限，未保存。")


def test_empty_file_is_rejected(record, application, applicant, settings):
    with pytest.raises(EvidenceRejected, match=re.escape("文件“空.pdf”是空文件")):
        store_evidence(application, applicant, record, upload("空.pdf", b""))
    assert not EvidenceFile.objects.exists()


# --- duplicates and references ------------------------------------------------------------------

def test_same_file_twice_on_a_record_is_refused_and_the_first_is_kept(record, application, applicant, settings):
    first = store_evidence(application, applicant, record, upload("照片.jpg", jpeg()))
    files_before = stored_files(settings)
    with pytest.raises(EvidenceRejected) as exc:
        store_evidence(application, applicant, record, upload("照片-副本.jpg", jpeg()))
    assert re.fullmatch(r"该记录已上传相同文件“照片.jpg”（上传于 \d{4}年\d+月\d+日 \d\d:\d\d），未重复保存。", exc.value.message)
    assert list(EvidenceFile.objects.values_list("pk", flat=True)) == [first.pk]
    assert stored_files(settings) == files_before


def test_same_file_on_another_record_is_stored_with_an_x_once_notice(record, other_record, application, applicant):
    store_evidence(application, applicant, record, upload("照片.jpg", jpeg()))
    second = store_evidence(application, applicant, other_record, upload("照片.jpg", jpeg()))
    assert second.record == other_record
    assert any(record.key in n and "X-ONCE" in n for n in second.notices)


def test_reference_from_an_imported_document_is_filled_in_by_the_matching_upload(record, application, applicant):
    content = PDF
    reference = EvidenceFile.objects.create(application=application, record=record, name="活动通知（盖章）.pdf",
                                            sha256=hashlib.sha256(content).hexdigest())
    assert not reference.is_uploaded
    evidence = store_evidence(application, applicant, record, upload("scan0001.pdf", content))
    assert evidence.pk == reference.pk
    reference.refresh_from_db()
    assert reference.is_uploaded and reference.name == "活动通知（盖章）.pdf"  # the document's name is kept
    assert reference.size == len(content) and reference.content_type == "application/pdf"
    assert EvidenceFile.objects.count() == 1
    with pytest.raises(EvidenceRejected, match=re.escape("该记录已上传相同文件“活动通知（盖章）.pdf”")):
        store_evidence(application, applicant, record, upload("scan0001.pdf", content))


# --- editing rules and atomicity ----------------------------------------------------------------

def test_upload_after_the_deadline_is_refused(record, application, applicant, open_window, settings):
    open_window.opens_at = clock.now() - dt.timedelta(days=30)
    open_window.closes_at = clock.now() - dt.timedelta(minutes=1)
    open_window.save()
    with pytest.raises(EditRefused, match="截止"):
        store_evidence(application, applicant, record, upload("照片.jpg", jpeg()))
    assert not EvidenceFile.objects.exists() and stored_files(settings) == []


def test_upload_to_a_submitted_application_is_refused(record, application, applicant):
    application.status = "submitted"
    application.save()
    with pytest.raises(EditRefused, match="已提交"):
        store_evidence(application, applicant, record, upload("照片.jpg", jpeg()))


def test_failed_database_write_leaves_no_file_behind(record, application, applicant, settings, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(evidence_domain, "record_event", broken)
    with pytest.raises(RuntimeError):
        store_evidence(application, applicant, record, upload("照片.jpg", jpeg()))
    assert not EvidenceFile.objects.exists() and stored_files(settings) == []


# --- commitment scan ----------------------------------------------------------------------------

def test_commitment_scan_accepts_pdf_and_images_only(application, applicant, open_window):
    scan = store_commitment_scan(application, applicant, upload("承诺书.pdf", PDF))
    assert scan.kind == "commitment" and scan.record is None and scan.content_type == "application/pdf"
    assert AuditEvent.objects.filter(action="evidence.commitment").count() == 1
    with pytest.raises(EvidenceRejected) as exc:
        store_commitment_scan(application, applicant, upload("承诺书.docx", docx()))
    assert "允许：PDF 文档，JPEG、PNG 图片" in exc.value.message
    with pytest.raises(EvidenceRejected, match="已上传相同的承诺书扫描件"):
        store_commitment_scan(application, applicant, upload("承诺书2.pdf", PDF))


def test_record_evidence_changes_the_application_version_the_commitment_scan_does_not(record, application, applicant):
    application.refresh_from_db()
    before = application.updated_at
    store_commitment_scan(application, applicant, upload("承诺书.png", png()))
    application.refresh_from_db()
    assert application.updated_at == before  # uploading the scan with the submit form keeps that form current
    store_evidence(application, applicant, record, upload("照片.jpg", jpeg()))
    application.refresh_from_db()
    assert application.updated_at > before


# --- deleting -----------------------------------------------------------------------------------

def test_delete_removes_row_and_file_and_is_audited(record, application, applicant, settings,
                                                    django_capture_on_commit_callbacks):
    evidence = store_evidence(application, applicant, record, upload("照片.jpg", jpeg()))
    assert len(stored_files(settings)) == 2  # file and thumbnail
    with django_capture_on_commit_callbacks(execute=True):
        delete_evidence(application, applicant, evidence)
    assert not EvidenceFile.objects.exists() and stored_files(settings) == []
    assert AuditEvent.objects.filter(action="evidence.delete", object_id=str(evidence.pk)).exists()


def test_delete_keeps_a_stored_file_another_row_uses(record, other_record, application, applicant, settings,
                                                     django_capture_on_commit_callbacks):
    evidence = store_evidence(application, applicant, record, upload("照片.jpg", jpeg()))
    EvidenceFile.objects.create(application=application, record=other_record, name="照片.jpg", sha256=evidence.sha256,
                                size=evidence.size, content_type=evidence.content_type, file=evidence.file.name,
                                thumbnail=evidence.thumbnail.name)  # as a JSON import links it
    with django_capture_on_commit_callbacks(execute=True):
        delete_evidence(application, applicant, evidence)
    assert len(stored_files(settings)) == 2


def test_files_of_a_deleted_record_can_be_removed_with_it(record, application, applicant, settings,
                                                         django_capture_on_commit_callbacks):
    from django.db import transaction

    from zgcfund.applications.domain.editing import delete_record
    from zgcfund.applications.domain.evidence import remove_files_on_commit

    store_evidence(application, applicant, record, upload("照片.jpg", jpeg()))
    record.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        remove_files_on_commit(application, list(record.evidence_files.all()))
        delete_record(application, applicant, record)
    assert stored_files(settings) == []


def test_delete_after_the_deadline_is_refused(record, application, applicant, open_window):
    evidence = store_evidence(application, applicant, record, upload("照片.jpg", jpeg()))
    open_window.opens_at = clock.now() - dt.timedelta(days=30)
    open_window.closes_at = clock.now() - dt.timedelta(minutes=1)
    open_window.save()
    with pytest.raises(EditRefused):
        delete_evidence(application, applicant, evidence)
    assert EvidenceFile.objects.filter(pk=evidence.pk).exists()


# --- inside Office containers: OLE read with olefile, OOXML content types with defusedxml ---------

def test_legacy_word_and_excel_files_are_identified_through_olefile(monkeypatch):
    opened = []

    class Spy(olefile.OleFileIO):
        def __init__(self, *args, **kwargs):
            opened.append(args[0])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(filetypes.olefile, "OleFileIO", Spy)
    for make, mime in ((doc, "application/msword"), (xls, "application/vnd.ms-excel")):
        f = io.BytesIO(make())
        assert filetypes.identify(f, "旧版.doc", filetypes.RECORD_TYPES).mime == mime
        assert f.tell() == 0 and not f.closed  # olefile leaves the upload open and rewound
    assert len(opened) == 2


def _with_header_field(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


@pytest.mark.parametrize("content", [
    pytest.param(doc()[:600], id="truncated-in-the-fat"),
    pytest.param(_with_header_field(doc(), 48, "<I", 5000), id="directory-beyond-the-end"),
    pytest.param(_with_header_field(doc(), 76, "<I", 9999), id="fat-sector-beyond-the-end"),
    pytest.param(_with_header_field(doc(), 30, "<H", 7), id="impossible-sector-size"),
    pytest.param(doc()[:1024] + b"\xff" * 512 + doc()[1536:], id="garbage-directory"),
])
def test_corrupt_ole_file_is_refused_with_the_damaged_message(record, application, applicant, settings, content):
    with pytest.raises(EvidenceRejected) as exc:
        store_evidence(application, applicant, record, upload("旧版决议.doc", content))
    assert exc.value.message == "文件“旧版决议.doc”不是完整的 Word/Excel 文档（内容已损坏或不完整），请重新保存后上传。"
    assert not EvidenceFile.objects.exists() and stored_files(settings) == []


def test_macro_storage_cut_off_from_a_damaged_directory_tree_is_still_refused():
    content = bytearray(compound_file({"WordDocument": b"x", "Macros": b"y"}))
    struct.pack_into("<I", content, 1024 + 128 + 72, 40)  # WordDocument's right sibling: an entry that does not exist
    with olefile.OleFileIO(io.BytesIO(bytes(content))) as ole:
        assert ole.listdir() == [["WordDocument"]] and ole.parsing_issues  # olefile alone no longer sees "Macros"
    with pytest.raises(EvidenceRejected, match="含有宏代码"):
        filetypes.identify(io.BytesIO(bytes(content)), "宏文档.doc", filetypes.RECORD_TYPES)


def _replace_part(data: bytes, part: str, text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, text if info.filename == part else src.read(info.filename))
    return out.getvalue()


CONTENT_TYPES = ('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="/xl/workbook.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{extra}</Types>')
BOMB = ('<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) + "]>")


@pytest.mark.parametrize(("content_types", "said"), [
    pytest.param(BOMB + CONTENT_TYPES.format(extra="<Default Extension='x' ContentType='&i;'/>"), "不是完整的",
                 id="entity-bomb"),
    pytest.param('<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                 + CONTENT_TYPES.format(extra="<Default Extension='x' ContentType='&x;'/>"), "不是完整的",
                 id="external-entity"),
    pytest.param(CONTENT_TYPES.format(extra="<Override"), "不是完整的", id="not-xml"),
    pytest.param(CONTENT_TYPES.format(extra='<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'),
                 "含有宏代码", id="vba-project-part"),
])
def test_xlsx_content_types_are_parsed_safely(record, application, applicant, settings, content_types, said):
    content = _replace_part(xlsx(), "[Content_Types].xml", content_types)
    with pytest.raises(EvidenceRejected, match=said) as exc:
        store_evidence(application, applicant, record, upload("企业名单.xlsx", content))
    assert exc.value.message.startswith("文件“企业名单.xlsx”")
    assert not EvidenceFile.objects.exists() and stored_files(settings) == []


def test_xlsx_with_an_entity_in_a_worksheet_is_stored_unparsed(record, application, applicant):
    """Only [Content_Types].xml is parsed on upload; a sheet's XML is stored as it is, never expanded."""
    content = _replace_part(xlsx(), "xl/worksheets/sheet1.xml", BOMB + "<worksheet>&i;</worksheet>")
    evidence = store_evidence(application, applicant, record, upload("企业名单.xlsx", content))
    assert evidence.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- names --------------------------------------------------------------------------------------

def test_display_name_is_cleaned():
    assert clean_name("C:\\fakepath\\照片.jpg") == "照片.jpg"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("invoice\u202egpj.exe") == "invoicegpj.exe"  # no right-to-left override trick
    assert clean_name("  \t ") == "未命名文件"
    long = clean_name("很" * 300 + ".xlsx")
    assert len(long) == 200 and long.endswith(".xlsx")
