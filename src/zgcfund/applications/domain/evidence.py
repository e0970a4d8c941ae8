"""Evidence uploads: supporting files on records and the signed commitment scan.

A file is identified by its content (libmagic on the first bytes, then a look inside ZIP/OLE
containers for Office files), never by its name or the browser's content type; images are decoded
with Pillow and get a thumbnail. Files are kept in private storage under a random name with the
extension of their real type; the user's name is kept (cleaned) for display only. Each upload is
atomic: when the database write fails, the stored files are removed again.

Decisions:
* A name whose extension contradicts the content (``scan.pdf`` that is really a PNG) is accepted
  as what it really is, stored with the honest content type, and downloaded with the right
  extension; the uploader gets a notice. Safety comes from the content check, not the name.
* Uploading a file whose SHA-256 matches a reference imported from a JSON document fills that
  reference in and keeps its name: the name is part of the application document, so export and
  import stay a round trip.
* Office files with VBA macros, and password-protected Office files, are refused.
* Files are stored only for an organization the office has approved (a pending one may already fill
  in its drafts), and only while the application's stored files stay within
  ``ZGCFUND_APPLICATION_QUOTA_BYTES``; both are checked again under the application's row lock.
"""

from __future__ import annotations

import io
import os
import struct
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass, field
from hashlib import sha256

import magic
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from PIL import Image, ImageOps

from zgcfund.applications.domain.editing import ensure_editable
from zgcfund.applications.domain.materials import material_refusal
from zgcfund.applications.models import Application, EvidenceFile, Record, Submission
from zgcfund.applications.models.evidence import EvidenceKind
from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility

SNIFF_BYTES = 64 * 1024
THUMBNAIL_SIZE = (320, 320)
MAX_DECODED_PIXELS = 50_000_000  # PNG/GIF/WebP are decoded in full to check them: bound the memory
NAME_MAX = 200


class EvidenceRejected(Exception):
    """The file was not stored; ``message`` says why, in Chinese, naming the file."""

    def __init__(self, message: str, existing: EvidenceFile | None = None):
        self.message = message
        self.existing = existing  # set when the same file is already stored there
        super().__init__(message)


class UploadRefused(EvidenceRejected):
    """No file can be stored on the application now (not this file's fault): the same answer for
    every other file of the upload."""


# --- file types ---------------------------------------------------------------------------------

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"


@dataclass(frozen=True)
class FileType:
    mime: str
    label: str
    extensions: tuple[str, ...]
    pil_format: str = ""  # images only

    @property
    def is_image(self) -> bool:
        return bool(self.pil_format)


TYPES = {t.mime: t for t in (
    FileType("image/jpeg", gettext_lazy("JPEG 图片"), (".jpg", ".jpeg", ".jpe", ".jfif"), "JPEG"),
    FileType("image/png", gettext_lazy("PNG 图片"), (".png",), "PNG"),
    FileType("image/gif", gettext_lazy("GIF 图片"), (".gif",), "GIF"),
    FileType("image/webp", gettext_lazy("WebP 图片"), (".webp",), "WEBP"),
    FileType("application/pdf", gettext_lazy("PDF 文档"), (".pdf",)),
    FileType(DOC, gettext_lazy("Word 文档（.doc）"), (".doc",)),
    FileType(DOCX, gettext_lazy("Word 文档（.docx）"), (".docx",)),
    FileType(XLS, gettext_lazy("Excel 表格（.xls）"), (".xls",)),
    FileType(XLSX, gettext_lazy("Excel 表格（.xlsx）"), (".xlsx",)),
)}
RECORD_TYPES = frozenset(TYPES)
COMMITMENT_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})

ALLOWED_TEXT = {
    RECORD_TYPES: gettext_lazy("JPEG、PNG、GIF、WebP 图片，PDF 文档，Word 文档（.doc、.docx），Excel 表格（.xls、.xlsx）"),
    COMMITMENT_TYPES: gettext_lazy("PDF 文档，JPEG、PNG 图片"),
}

# What libmagic may say about files we refuse, in words an applicant understands.
REFUSED_LABELS = {
    "application/x-dosexec": gettext_lazy("Windows 可执行程序"),
    "application/x-msdownload": gettext_lazy("Windows 可执行程序"),
    "application/x-executable": gettext_lazy("可执行程序"),
    "application/x-pie-executable": gettext_lazy("可执行程序"),
    "application/x-sharedlib": gettext_lazy("可执行程序"),
    "application/x-mach-binary": gettext_lazy("可执行程序"),
    "application/x-msi": gettext_lazy("Windows 安装包"),
    "application/java-archive": gettext_lazy("Java 程序包"),
    "application/vnd.android.package-archive": gettext_lazy("安卓安装包"),
    "text/html": gettext_lazy("HTML 网页"),
    "application/xhtml+xml": gettext_lazy("HTML 网页"),
    "image/svg+xml": gettext_lazy("SVG 矢量图（可含脚本）"),
    "text/xml": gettext_lazy("XML 文件"),
    "application/xml": gettext_lazy("XML 文件"),
    "text/x-shellscript": gettext_lazy("脚本程序"),
    "text/x-script.python": gettext_lazy("脚本程序"),
    "text/x-python": gettext_lazy("脚本程序"),
    "text/x-php": gettext_lazy("脚本程序"),
    "text/x-perl": gettext_lazy("脚本程序"),
    "application/javascript": gettext_lazy("脚本程序"),
    "text/javascript": gettext_lazy("脚本程序"),
    "text/x-msdos-batch": gettext_lazy("脚本程序"),
    "text/plain": gettext_lazy("纯文本"),
    "text/csv": gettext_lazy("纯文本（CSV）"),
    "application/zip": gettext_lazy("ZIP 压缩包"),
    "application/x-rar": gettext_lazy("RAR 压缩包"),
    "application/vnd.rar": gettext_lazy("RAR 压缩包"),
    "application/x-7z-compressed": gettext_lazy("7z 压缩包"),
    "application/gzip": gettext_lazy("压缩包"),
    "application/x-tar": gettext_lazy("压缩包"),
    "application/x-bzip2": gettext_lazy("压缩包"),
    "image/heic": gettext_lazy("HEIC 图片（请转换为 JPEG 后上传）"),
    "image/heif": gettext_lazy("HEIF 图片（请转换为 JPEG 后上传）"),
    "image/bmp": gettext_lazy("BMP 图片"),
    "image/tiff": gettext_lazy("TIFF 图片"),
    "application/vnd.ms-powerpoint": gettext_lazy("PowerPoint 演示文稿"),
    PPTX: gettext_lazy("PowerPoint 演示文稿"),
    "application/vnd.oasis.opendocument.text": gettext_lazy("OpenDocument 文档"),
    "application/vnd.oasis.opendocument.spreadsheet": gettext_lazy("OpenDocument 表格"),
    "application/rtf": gettext_lazy("RTF 文档"),
    "text/rtf": gettext_lazy("RTF 文档"),
    "application/vnd.ms-word.document.macroEnabled.12": gettext_lazy("含宏的 Word 文档"),
    "application/vnd.ms-excel.sheet.macroEnabled.12": gettext_lazy("含宏的 Excel 表格"),
    "application/x-ole-storage": gettext_lazy("Office 复合文档（非 Word/Excel）"),
    "application/CDFV2": gettext_lazy("Office 复合文档（非 Word/Excel）"),
    "application/octet-stream": gettext_lazy("无法识别的二进制数据"),
}


def type_label(mime: str) -> str:
    known = TYPES.get(mime)
    label = known.label if known else REFUSED_LABELS.get(mime)
    return _("%(name)s（%(detail)s）") % {"name": label, "detail": mime} if label else mime


# --- names and sizes ----------------------------------------------------------------------------

def clean_name(raw: str | None) -> str:
    """The display name: no directories, no control or direction-override characters, at most 200
    characters (the extension is kept when cutting)."""
    name = unicodedata.normalize("NFC", str(raw or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    if not name:
        return _("未命名文件")
    if len(name) > NAME_MAX:
        stem, ext = os.path.splitext(name)
        ext = ext if len(ext) <= 16 else ""
        name = stem[:NAME_MAX - len(ext)] + ext
    return name


def size_text(n: int) -> str:
    """``25.3 MB`` style; whole numbers without decimals."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= scale:
            text = f"{n / scale:.1f}"
            return f"{text.removesuffix('.0')} {unit}"
    return _("%(n)s 字节") % {"n": n}


def _over_limit_text(size: int, limit: int) -> str:
    shown = size_text(size)
    if shown == size_text(limit):  # 20.04 MB would read "20 MB"
        shown = _("%(n)s 字节") % {"n": f"{size:,}"}
    return shown


def download_name(evidence: EvidenceFile) -> str:
    """The name to download under: the display name, with the extension of the real type when
    the display name's extension says otherwise."""
    ftype = TYPES.get(evidence.content_type)
    stem, ext = os.path.splitext(evidence.name)
    if ftype is None or ext.lower() in ftype.extensions:
        return evidence.name
    return f"{stem or evidence.name}{ftype.extensions[0]}"


# --- identifying content ------------------------------------------------------------------------

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
# What libmagic may call an OLE file whose streams we then look at ourselves.
OLE_GENERIC = {DOC, XLS, "application/x-ole-storage", "application/CDFV2", "application/vnd.ms-office",
               "application/octet-stream", "application/CDFV2-corrupt", "application/encrypted"}
ZIP_GENERIC = {DOCX, XLSX, "application/zip", "application/octet-stream"}
MACRO_STREAMS = {"macros", "_vba_project_cur", "vba", "_vba_project"}


def _read_head(f) -> bytes:
    f.seek(0)
    head = f.read(SNIFF_BYTES)
    f.seek(0)
    return head


def identify(f, name: str, allowed: frozenset[str]) -> FileType:
    """The file's real type, from its content; EvidenceRejected if it is not one of ``allowed``."""
    head = _read_head(f)
    try:
        mime = magic.from_buffer(head, mime=True)
    except magic.MagicException:
        mime = "application/octet-stream"
    if head.startswith(ZIP_SIGNATURE) and mime in ZIP_GENERIC:
        mime = _ooxml_type(f, name) or ("application/zip" if mime in (DOCX, XLSX) else mime)
    elif head.startswith(OLE_SIGNATURE) and mime in OLE_GENERIC:
        mime = _ole_type(f, name) or "application/x-ole-storage"
    f.seek(0)
    if mime not in allowed:
        raise EvidenceRejected(_("文件“%(name)s”的实际类型为%(type)s，不在允许范围内（允许：%(allowed)s）。") % {
            "name": name, "type": type_label(mime), "allowed": ALLOWED_TEXT[allowed]})
    return TYPES[mime]


def _corrupt_office(name: str) -> EvidenceRejected:
    return EvidenceRejected(_("文件“%(name)s”不是完整的 Word/Excel 文档（内容已损坏或不完整），请重新保存后上传。") % {
        "name": name})


def _macros(name: str) -> EvidenceRejected:
    return EvidenceRejected(_("文件“%(name)s”含有宏代码，为安全起见不予接受。请另存为不含宏的文档（.docx/.xlsx）或 PDF 后上传。")
                            % {"name": name})


def _ooxml_type(f, name: str) -> str | None:
    """DOCX or XLSX when the ZIP is one (by ``[Content_Types].xml`` and its parts); else None."""
    try:
        f.seek(0)
        with zipfile.ZipFile(f) as zf:
            names = set(zf.namelist())
            if "[Content_Types].xml" not in names:
                return None
            with zf.open("[Content_Types].xml") as part:
                types = part.read(1024 * 1024).decode("utf-8", "replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError, KeyError):
        raise _corrupt_office(name) from None
    if "macroEnabled" in types or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise _macros(name)
    if "wordprocessingml.document.main+xml" in types and any(n.startswith("word/") for n in names):
        return DOCX
    if "spreadsheetml.sheet.main+xml" in types and any(n.startswith("xl/") for n in names):
        return XLSX
    if "presentationml.presentation.main+xml" in types:
        return PPTX
    return None


def _ole_type(f, name: str) -> str | None:
    """DOC or XLS from the compound file's stream names; None for other compound files."""
    try:
        streams = {s.lower() for s in _cfb_names(f)}
    except (ValueError, struct.error, IndexError, OSError):
        raise _corrupt_office(name) from None
    if streams & MACRO_STREAMS:
        raise _macros(name)
    if "encryptedpackage" in streams:
        raise EvidenceRejected(_("文件“%(name)s”设置了打开密码，评审无法查看。请取消密码后上传。") % {"name": name})
    if "worddocument" in streams:
        return DOC
    if "workbook" in streams or "book" in streams:
        return XLS
    return None


FREE_MARKERS = 0xFFFFFFFA  # sector numbers at or above this are markers (end of chain, free, ...)


def _cfb_names(f) -> list[str]:
    """The directory entry names of an OLE compound file (MS-CFB), read with bounds checks."""
    f.seek(0)
    header = f.read(512)
    if len(header) < 512 or not header.startswith(OLE_SIGNATURE):
        raise ValueError("not a compound file")
    shift = struct.unpack_from("<H", header, 30)[0]
    if shift not in (9, 12):
        raise ValueError("bad sector size")
    size = 1 << shift
    n_fat, dir_start = struct.unpack_from("<II", header, 44)
    difat_next, n_difat = struct.unpack_from("<II", header, 68)
    per_sector = size // 4

    def sector(n: int) -> bytes:
        f.seek((n + 1) * size)
        data = f.read(size)
        if len(data) < size:
            raise ValueError("truncated")
        return data

    difat = list(struct.unpack_from("<109I", header, 76))
    for _i in range(min(n_difat, 4096)):
        if difat_next >= FREE_MARKERS:
            break
        entries = struct.unpack(f"<{per_sector}I", sector(difat_next))
        difat.extend(entries[:-1])
        difat_next = entries[-1]
    fat: list[int] = []
    for n in [s for s in difat[:n_fat] if s < FREE_MARKERS][:65536]:
        fat.extend(struct.unpack(f"<{per_sector}I", sector(n)))
    names, seen, current = [], set(), dir_start
    while current < FREE_MARKERS and current not in seen and len(seen) < 65536:
        seen.add(current)
        data = sector(current)
        for off in range(0, size, 128):
            length, kind = struct.unpack_from("<HB", data, off + 64)
            if kind in (1, 2, 5) and 2 <= length <= 64:
                names.append(data[off:off + length - 2].decode("utf-16-le", "replace"))
        current = fat[current] if current < len(fat) else FREE_MARKERS
    if not names:
        raise ValueError("empty directory")
    return names


def _image_check_and_thumbnail(f, ftype: FileType, name: str) -> tuple[bytes, str]:
    """Decode the whole image (a corrupt or truncated one is refused); a thumbnail of at most
    320 px as (bytes, extension): PNG when the image has transparency, else JPEG."""
    try:
        f.seek(0)
        with Image.open(f) as img:
            if img.format != ftype.pil_format:
                raise ValueError(img.format)
            img.verify()
        f.seek(0)
        with Image.open(f) as img:
            if img.format != "JPEG" and img.width * img.height > MAX_DECODED_PIXELS:  # JPEG decodes scaled down
                raise Image.DecompressionBombError(img.size)
            img.draft("RGB", (THUMBNAIL_SIZE[0] * 2, THUMBNAIL_SIZE[1] * 2))
            img.load()
            thumb = ImageOps.exif_transpose(img)
            thumb.thumbnail(THUMBNAIL_SIZE)
            alpha = thumb.mode in ("RGBA", "LA", "PA") or (thumb.mode == "P" and "transparency" in thumb.info)
            out = io.BytesIO()
            if alpha:
                thumb.convert("RGBA").save(out, "PNG", optimize=True)
                ext = ".png"
            else:
                thumb.convert("RGB").save(out, "JPEG", quality=82)
                ext = ".jpg"
    except Image.DecompressionBombError:
        raise EvidenceRejected(_("图片“%(name)s”像素过多，无法处理，请缩小后上传。") % {"name": name}) from None
    except Exception:  # Pillow reports damaged data with many exception types
        raise EvidenceRejected(_("图片“%(name)s”已损坏或不完整，无法打开，请重新导出后上传。") % {"name": name}) from None
    finally:
        f.seek(0)
    return out.getvalue(), ext


# --- storing ------------------------------------------------------------------------------------

@dataclass
class _Checked:
    name: str
    sha256: str
    size: int
    ftype: FileType
    thumbnail: tuple[bytes, str] | None
    notices: list[str] = field(default_factory=list)


def _check(uploaded_file, allowed: frozenset[str]) -> _Checked:
    name = clean_name(getattr(uploaded_file, "name", ""))
    limit = settings.EVIDENCE_MAX_BYTES
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > limit:
        raise _too_big(name, declared, limit)
    digest, size = sha256(), 0
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        size += len(chunk)
        if size > limit:
            raise _too_big(name, declared if declared and declared > limit else size, limit)
        digest.update(chunk)
    if size == 0:
        raise EvidenceRejected(_("文件“%(name)s”是空文件（0 字节），未保存。") % {"name": name})
    ftype = identify(uploaded_file, name, allowed)
    thumbnail = _image_check_and_thumbnail(uploaded_file, ftype, name) if ftype.is_image else None
    checked = _Checked(name, digest.hexdigest(), size, ftype, thumbnail)
    ext = os.path.splitext(name)[1].lower()
    if ext not in ftype.extensions:
        notice = _("文件“%(name)s”的实际类型为%(type)s，与文件名不符；已按%(type)s保存，下载时使用扩展名 %(ext)s。")
        checked.notices.append(notice % {"name": name, "type": ftype.label, "ext": ftype.extensions[0]})
    return checked


def _too_big(name: str, size: int, limit: int) -> EvidenceRejected:
    return EvidenceRejected(_("文件“%(name)s”大小为 %(size)s，超过 %(limit)s 上限，未保存。") % {
        "name": name, "size": _over_limit_text(size, limit), "limit": size_text(limit)})


def _duplicate(existing: EvidenceFile, record: Record | None) -> EvidenceRejected:
    at = date_format(timezone.localtime(existing.uploaded_at), "DATETIME_FORMAT")
    if record is None:
        return EvidenceRejected(_("已上传相同的承诺书扫描件“%(name)s”（上传于 %(at)s），未重复保存。") % {
            "name": existing.name, "at": at}, existing)
    return EvidenceRejected(_("该记录已上传相同文件“%(name)s”（上传于 %(at)s），未重复保存。") % {
        "name": existing.name, "at": at}, existing)


def stored_bytes(application: Application) -> int:
    """The bytes of the application's stored files (references awaiting upload count nothing)."""
    used = EvidenceFile.objects.filter(application=application).exclude(file="").aggregate(n=Sum("size"))["n"]
    return used or 0


def upload_refusal(application: Application) -> str | None:
    """Why no file may be stored on the application (None when files may be): the organization is
    not approved yet. Drafts may be filled in before approval; files wait for it."""
    if not application.organization.is_approved:
        return _("本单位注册信息尚未通过项目办公室审核，审核通过后才能上传支撑材料和承诺书扫描件；"
                 "申报书中已填写的内容不受影响。")
    return None


def _check_allowed(application: Application, name: str, size: int) -> None:
    refusal = upload_refusal(application)
    if refusal:
        raise UploadRefused(refusal)
    used, limit = stored_bytes(application), settings.ZGCFUND_APPLICATION_QUOTA_BYTES
    if used + size > limit:
        raise EvidenceRejected(_("文件“%(name)s”（%(size)s）未保存：本申报书已存储的文件共 %(used)s，"
                                 "存储上限为 %(limit)s。请删除不再需要的文件，或压缩后重试。") % {
            "name": name, "size": size_text(size), "used": size_text(used), "limit": size_text(limit)})


def _same_file(application: Application, kind: str, record: Record | None, digest: str) -> EvidenceFile | None:
    return EvidenceFile.objects.filter(application=application, kind=kind, record=record, sha256=digest).first()


def _store(application: Application, user, uploaded_file, *, kind: str, record: Record | None,
           allowed: frozenset[str], material: str = "") -> EvidenceFile:
    refusal = upload_refusal(application)
    if refusal:  # before reading the file
        raise UploadRefused(refusal)
    checked = _check(uploaded_file, allowed)
    existing = _same_file(application, kind, record, checked.sha256)
    if existing is not None and existing.file:
        raise _duplicate(existing, record)
    _check_allowed(application, checked.name, checked.size)
    evidence = existing or EvidenceFile(application=application, record=record, kind=kind, name=checked.name,
                                        sha256=checked.sha256, material=material)
    if material:
        evidence.material = material
    filled_reference = existing is not None
    evidence.size, evidence.content_type = checked.size, checked.ftype.mime
    evidence.uploaded_by, evidence.uploaded_at = user, timezone.now()
    stem = uuid.uuid4().hex
    written: list[str] = []
    try:
        with transaction.atomic():
            # Two uploads at once must not both fit under the quota: check again under the row lock.
            locked = Application.objects.select_for_update().select_related("organization").get(pk=application.pk)
            _check_allowed(locked, checked.name, checked.size)
            evidence.file.save(stem + checked.ftype.extensions[0], uploaded_file, save=False)
            written.append(evidence.file.name)
            if checked.thumbnail is not None:
                data, ext = checked.thumbnail
                evidence.thumbnail.save(stem + ext, ContentFile(data), save=False)
                written.append(evidence.thumbnail.name)
            if filled_reference:
                values = {k: getattr(evidence, k)
                          for k in ("size", "content_type", "file", "thumbnail", "uploaded_at", "material")}
                if not EvidenceFile.objects.filter(pk=evidence.pk, file="").update(uploaded_by=user, **values):
                    raise IntegrityError("reference filled in meanwhile")
            else:
                evidence.save()
            _audit_upload(application, user, evidence, record, filled_reference)
            _touch(application, user, evidence)
    except IntegrityError:  # the same file, uploaded by a colleague at the same moment
        _remove_files(written)
        current = _same_file(application, kind, record, checked.sha256)
        if current is not None:
            raise _duplicate(current, record) from None
        raise
    except BaseException:
        _remove_files(written)
        raise
    evidence.notices = checked.notices + _shared_notices(application, evidence)
    return evidence


def _audit_upload(application, user, evidence: EvidenceFile, record: Record | None, filled: bool) -> None:
    changes = {"name": evidence.name, "sha256": evidence.sha256, "size": evidence.size,
               "content_type": evidence.content_type, "record": record.key if record else None,
               "material": evidence.material, "filled_reference": filled}
    if record is None:
        record_event("evidence.commitment", _("上传承诺书盖章扫描件“%(name)s”") % {"name": evidence.name},
                     actor=user, application=application, obj=evidence, changes=changes, visibility=Visibility.ORGANIZATION)
    else:
        record_event("evidence.upload", _("上传支撑材料“%(name)s”（记录 %(key)s）") % {
            "name": evidence.name, "key": record.key}, actor=user, application=application, obj=evidence, changes=changes,
            visibility=Visibility.ORGANIZATION)


def _touch(application: Application, user, evidence: EvidenceFile) -> None:
    """Record evidence is part of the application (the document lists it; X-ONCE reads it), so it
    changes the application's version. The commitment scan belongs to the act of submitting and
    does not: uploading it with the submit form must not make that form stale."""
    if evidence.kind == EvidenceKind.RECORD:
        Application.objects.filter(pk=application.pk).update(updated_at=timezone.now(), updated_by=user)


def _shared_notices(application: Application, evidence: EvidenceFile) -> list[str]:
    """X-ONCE: records sharing an evidence file are the same work and count once."""
    if evidence.record_id is None:
        return []
    keys = sorted(set(EvidenceFile.objects.filter(application=application, sha256=evidence.sha256, record__isnull=False)
                      .exclude(record_id=evidence.record_id).values_list("record__key", flat=True)))
    if not keys:
        return []
    return [_("提示：记录 %(keys)s 也使用了文件“%(name)s”。按规则 X-ONCE，共用同一支撑材料的记录视为同一项工作，只计一次。") % {
        "keys": pgettext("list separator", "、").join(keys), "name": evidence.name}]


def _remove_files(names) -> None:
    storage = EvidenceFile._meta.get_field("file").storage
    for name in names:
        if name:
            try:
                storage.delete(name)
            except OSError:
                pass


def store_evidence(application: Application, user, record: Record, uploaded_file, material: str = "") -> EvidenceFile:
    """Store one supporting file on ``record``, as the kind of material ``material`` (a key of the
    clause's ``evidence_kinds``; blank: not classified). Raises EditRefused or EvidenceRejected
    (nothing stored). The returned row carries ``notices``: things the uploader should know (Chinese)."""
    ensure_editable(application)
    if record.application_id != application.pk:
        raise ValueError("record of another application")
    refusal = material_refusal(application, record, material)
    if refusal:
        raise EvidenceRejected(refusal)
    return _store(application, user, uploaded_file, kind=EvidenceKind.RECORD, record=record, allowed=RECORD_TYPES,
                  material=material)


def set_material(application: Application, user, evidence: EvidenceFile, material: str) -> None:
    """File a record's evidence under another kind of material (or none). Audited."""
    ensure_editable(application)
    if evidence.application_id != application.pk or evidence.record_id is None:
        raise ValueError("not a record file of this application")
    refusal = material_refusal(application, evidence.record, material)
    if refusal:
        raise EvidenceRejected(refusal)
    if evidence.material == material:
        return
    with transaction.atomic():
        before = evidence.material
        if not EvidenceFile.objects.filter(pk=evidence.pk).update(material=material):
            return  # deleted meanwhile
        evidence.material = material
        record_event("evidence.material", _("更改支撑材料“%(name)s”的材料类型（记录 %(key)s）") % {
            "name": evidence.name, "key": evidence.record.key}, actor=user, application=application, obj=evidence,
            changes={"before": before, "after": material}, visibility=Visibility.ORGANIZATION)
        _touch(application, user, evidence)


def store_commitment_scan(application: Application, user, uploaded_file) -> EvidenceFile:
    """Store the signed and sealed commitment letter (承诺书) scan: PDF, JPEG or PNG."""
    ensure_editable(application)
    return _store(application, user, uploaded_file, kind=EvidenceKind.COMMITMENT, record=None,
                  allowed=COMMITMENT_TYPES)


def delete_evidence(application: Application, user, evidence: EvidenceFile) -> None:
    """Remove a file (or a reference awaiting upload). The stored file goes once the deletion is
    committed, unless another row still uses it or a submission of the application lists it."""
    ensure_editable(application)
    if evidence.application_id != application.pk:
        raise ValueError("evidence of another application")
    with transaction.atomic():
        try:
            deleted, _counts = EvidenceFile.objects.filter(pk=evidence.pk).delete()
        except ProtectedError:
            raise EvidenceRejected(_("承诺书扫描件“%(name)s”已随申报书提交，不能删除。") % {"name": evidence.name}) from None
        if not deleted:
            return  # already gone (a colleague deleted it)
        where = evidence.record.key if evidence.record_id else _("承诺书")
        record_event("evidence.delete", _("删除支撑材料“%(name)s”（%(where)s）") % {"name": evidence.name, "where": where},
                     actor=user, application=application, obj=evidence,
                     changes={"before": {"name": evidence.name, "sha256": evidence.sha256, "size": evidence.size,
                                         "content_type": evidence.content_type,
                                         "record": evidence.record.key if evidence.record_id else None}},
                     visibility=Visibility.ORGANIZATION)
        _touch(application, user, evidence)
        names = [evidence.file.name, evidence.thumbnail.name]
        transaction.on_commit(lambda: _remove_unused(application, evidence.sha256, names))


def remove_files_on_commit(application: Application, rows) -> None:
    """For code that deletes EvidenceFile rows another way (a record deleted, an import dropping
    evidence): collect the rows first, call this inside the same transaction, and their stored files
    go once it commits, unless still used by another row or listed by a submission."""
    for row in rows:
        names = [row.file.name, row.thumbnail.name]
        transaction.on_commit(lambda digest=row.sha256, names=names: _remove_unused(application, digest, names))


def _remove_unused(application: Application, digest: str, names: list[str]) -> None:
    if _submitted(application, digest):
        return
    _remove_files(n for n in names if n and not EvidenceFile.objects.filter(Q(file=n) | Q(thumbnail=n)).exists())


def _submitted(application: Application, digest: str) -> bool:
    """Whether a submission of the application lists the file (submitted evidence is kept)."""
    for doc in Submission.objects.filter(application=application).values_list("document", flat=True):
        for rec in (doc or {}).get("records", []):
            if any(e.get("sha256") == digest for e in rec.get("evidence") or []):
                return True
    return False
