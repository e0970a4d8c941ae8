"""What an uploaded file really is, from its content: never from its name or the browser's
content type.

libmagic names the type from the first bytes; a ZIP is then looked into for the Office Open XML
parts (``[Content_Types].xml``, parsed with defusedxml) and an OLE compound file for the Word or
Excel streams (read with olefile). Office files with VBA macros and password-protected Office files
are refused, as are damaged ones. Refusals are ``EvidenceRejected`` with a Chinese message naming
the file.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

import magic
import olefile
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SNIFF_BYTES = 64 * 1024
CONTENT_TYPES_MAX_BYTES = 1024 * 1024  # [Content_Types].xml of a real document is a few KB


class EvidenceRejected(Exception):
    """The file was not stored; ``message`` says why, in Chinese, naming the file."""

    def __init__(self, message: str, existing=None):
        self.message = message
        self.existing = existing  # an EvidenceFile: set when the same file is already stored there
        super().__init__(message)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
VBA_PROJECT = "application/vnd.ms-office.vbaProject"


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
                raw = part.read(CONTENT_TYPES_MAX_BYTES + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError, KeyError):
        raise _corrupt_office(name) from None
    types = _content_types(raw, name)
    if any("macroEnabled" in t or t == VBA_PROJECT for t in types) \
            or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise _macros(name)
    if any(t.endswith("wordprocessingml.document.main+xml") for t in types) and any(n.startswith("word/") for n in names):
        return DOCX
    if any(t.endswith("spreadsheetml.sheet.main+xml") for t in types) and any(n.startswith("xl/") for n in names):
        return XLSX
    if any(t.endswith("presentationml.presentation.main+xml") for t in types):
        return PPTX
    return None


def _content_types(raw: bytes, name: str) -> set[str]:
    """The content types ``[Content_Types].xml`` declares (its Default and Override entries). Parsed
    with defusedxml: Office never writes a DTD, so one (an entity bomb, an external entity) means a
    crafted file, refused like a damaged one."""
    if len(raw) > CONTENT_TYPES_MAX_BYTES:
        raise _corrupt_office(name)
    try:
        root = parse_xml(raw, forbid_dtd=True)
    except (DefusedXmlException, ParseError, ValueError):
        raise _corrupt_office(name) from None
    return {el.get("ContentType", "") for el in root.iter() if el.tag.rpartition("}")[2] in ("Default", "Override")}


def _ole_type(f, name: str) -> str | None:
    """DOC or XLS from the compound file's stream and storage names; None for other compound files.

    olefile raises only on defects it cannot read past, and notes the others (``parsing_issues``).
    A Word or Excel stream found despite such defects is accepted, as Office opens such files; a
    file with defects and neither stream is reported as damaged rather than as another kind of file.
    """
    try:
        f.seek(0)
        with olefile.OleFileIO(f) as ole:  # a file object olefile did not open stays open
            streams = {part.lower() for path in ole.listdir(streams=True, storages=True) for part in path}
            damaged = bool(ole.parsing_issues)
            every_name = _entry_names(ole) if damaged else streams
    except Exception:  # olefile reports damaged data with OSError and, on crafted input, other built-in errors
        raise _corrupt_office(name) from None
    finally:
        f.seek(0)
    if every_name & MACRO_STREAMS:
        raise _macros(name)
    if "encryptedpackage" in every_name:
        raise EvidenceRejected(_("文件“%(name)s”设置了打开密码，评审无法查看。请取消密码后上传。") % {"name": name})
    if "worddocument" in streams:
        return DOC
    if "workbook" in streams or "book" in streams:
        return XLS
    if damaged:
        raise _corrupt_office(name)
    return None


def _entry_names(ole: olefile.OleFileIO) -> set[str]:
    """The names of all the directory entries of a damaged compound file, also those a broken link
    cuts off from the tree olefile walks: a macro storage there is still refused. (olefile reads the
    directory stream through the FAT; an entry is 128 bytes, its name UTF-16 in the first 64.)"""
    directory = ole.directory_fp
    directory.seek(0)
    data = directory.read(directory.size)
    names = set()
    for at in range(0, len(data) - 127, 128):
        length = min(int.from_bytes(data[at + 64:at + 66], "little"), 64)
        names.add(data[at:at + length].decode("utf-16-le", "replace").rstrip("\0").lower())
    return names

