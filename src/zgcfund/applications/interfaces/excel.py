"""Excel (.xlsx) templates and uploads for the long lists (K1.1, K1.3, K3.2, K3.3).

The columns come from the programme file, never from code: the common record fields (阶段, 日期,
名称), then the clause's fields — a party is two columns (名称 + 统一社会信用代码), a contact two
(姓名 + 电话), booleans are 是/否 and enums their Chinese labels, both with dropdowns. A first
column 记录编号 is empty in a blank template and holds the record keys in a pre-filled export, so
that uploading the edited export updates those records in place (keeping their evidence files).

A hidden sheet carries a marker (format, programme code, clause; for an export also the application
and the exported record versions) and the dropdown lists; a 说明 sheet explains every column and
quotes the clause's basic condition. The workbook's text is Chinese whatever the interface
language: the headers are what an upload is matched by.

Reading an upload only turns cells into format values; what is valid is decided by the engine
(``domain.lists.check_rows``), whose problems are mapped back onto the columns here.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import DEFUSEDXML, Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from zgcfund.applications.domain.document import programme_of
from zgcfund.applications.domain.lists import LIST_CLAUSES, MAX_ROWS, ListRow, RowProblem
from zgcfund.applications.models import Application, Record
from zgcfund.core import bounds, cells
from zgcfund.core.application import PHASES as RECORD_PHASES
from zgcfund.core.programme import ClauseDef, Programme

__all__ = ["LIST_CLAUSES", "MAX_ROWS", "Column", "ListFileError", "ListUploadForm", "ParsedList", "build_template",
           "columns_for", "read_upload", "shown_problems"]

# openpyxl parses an uploaded workbook's XML with defusedxml whenever it is importable: entity bombs and
# external entities raise instead of being expanded or fetched. Never read uploads without it.
if not DEFUSEDXML:
    raise ImportError("openpyxl must parse uploads with defusedxml: install it (pyproject.toml) "
                      "and leave OPENPYXL_DEFUSEDXML unset")

MARKER = "zgcfund-list/1"
DATA_SHEET, HELP_SHEET, META_SHEET = "清单", "说明", "_zgcfund"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a zip bomb stops here, before openpyxl reads it
SCAN_ROWS = 2 * MAX_ROWS    # rows read after the header, blank ones included; a longer sheet is refused
SCAN_COLUMNS = 100          # columns read; a header beyond them is refused
SCAN_CELLS = 500_000        # cells in the data sheet (each costs openpyxl a parse, in any column)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PHASE_LABELS = dict(RECORD_PHASES)  # the core's one table of record phases
PHASE_ALIASES = {**{label: key for key, label in RECORD_PHASES.items()}, "前期": "prior", "前期绩效": "prior",
                 "prior": "prior", "实施期计划": "plan", "实施期工作计划": "plan", "计划": "plan", "plan": "plan"}
TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "✔"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "✗"}
HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")


class ListFileError(Exception):
    """The file as a whole cannot be used (empty, not xlsx, wrong template …); ``message`` in Chinese."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class _Bad(Exception):
    """One cell's problem."""


# --- columns -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    path: str               # format path: "phase", "enterprise.credit_code"; "id" for the record key
    header: str             # as shown in row 1, without the required marker
    kind: str               # key, phase, date, string, text, bool, amount, count, enum, set, industry_code,
    required: bool          # credit_code, phone
    help: str
    values: dict[str, str] | None = None  # enum/set/phase: code -> Chinese label

    @property
    def field(self) -> str:
        return self.path.split(".")[0]

    @property
    def shown(self) -> str:
        return f"{self.header} *" if self.required else self.header

    @property
    def width(self) -> int:
        wide = {"text": 40, "string": 24, "credit_code": 22, "date": 13, "key": 12, "phase": 14}
        return max(wide.get(self.kind, 14), min(2 * len(self.header) + 4, 40))


_KIND_HELP = {
    "string": "文本", "text": "文本（可多行）", "bool": "从下拉列表选择“是”或“否”", "amount": "数字，单位：万元",
    "count": "非负整数", "date": "Excel 日期，或文本 YYYY-MM-DD（如 2025-03-02）", "enum": "从下拉列表选择",
    "set": "可填多项，用顿号“、”分隔", "industry_code": "4位国民经济行业代码（GB/T 4754-2017），如 7320",
    "credit_code": "18位统一社会信用代码（文本格式）", "phone": "电话号码（文本格式）",
}
_TEXT_KINDS = ("key", "credit_code", "phone", "industry_code", "string", "text")


def _format_text(col: Column) -> str:
    if col.kind == "phase":
        return _KIND_HELP["enum"]
    return _KIND_HELP.get(col.kind, "文本")


def _title_source(clause: ClauseDef) -> str | None:
    """The required party whose name stands in for an empty 名称 (a list row is about one enterprise)."""
    return next((n for n, f in clause.fields.items() if f.type == "party" and f.required), None)


def columns_for(programme: Programme, clause_id: str) -> list[Column]:
    clause = programme.clauses[clause_id]
    source = _title_source(clause)
    title_help = "工作的名称或主题"
    if source:
        title_help += f"；留空时以“{clause.fields[source].label}名称”作为名称"
    cols = [
        Column("id", "记录编号", "key", False,
               "系统生成的记录编号。下载的“当前清单”中已填写：保留不变即更新该记录（其支撑材料保留）；新增的行请留空，不要自行编写。"),
        Column("phase", "阶段", "phase", True, "前期工作绩效（已发生）或 实施期内工作计划", PHASE_LABELS),
        Column("date", "日期", "date", True, "工作发生（或计划）的日期；跨时段的工作填结束日期"),
        Column("title", "名称", "string", source is None, title_help),
    ]
    # a self-declared flag is set by the system (applications.domain.notices), never typed
    flags = {f.self_declared for f in clause.fields.values() if f.self_declared}
    for name, spec in clause.fields.items():
        if name in flags:
            continue
        if spec.type == "party":
            cols.append(Column(f"{name}.name", f"{spec.label}名称", "string", spec.required, f"{spec.label}的名称（全称）"))
            cols.append(Column(f"{name}.credit_code", f"{spec.label}统一社会信用代码", "credit_code", False,
                               f"{spec.label}的统一社会信用代码（建议填写：同一企业以此识别）"))
        elif spec.type == "contact":
            cols.append(Column(f"{name}.name", f"{spec.label}姓名", "string", spec.required, f"{spec.label}的姓名"))
            cols.append(Column(f"{name}.phone", f"{spec.label}电话", "phone", False, f"{spec.label}的电话"))
        else:
            cols.append(Column(name, spec.label, spec.type, spec.required, spec.label,
                               {"true": "是", "false": "否"} if spec.type == "bool" else spec.values))
    headers = [c.header for c in cols]
    if len(set(headers)) != len(headers):  # a programme file with clashing labels: keep headers distinct
        cols = [Column(c.path, f"{c.header}（{c.path}）", c.kind, c.required, c.help, c.values) for c in cols]
    return cols


# --- the template --------------------------------------------------------------------------------

def _cell_value(col: Column, record: Record) -> Any:
    if col.path == "id":
        return record.key
    if col.path == "phase":
        return PHASE_LABELS.get(record.phase, record.phase)
    if col.path == "date":
        return record.date
    if col.path == "title":
        return record.title
    name, _dot, part = col.path.partition(".")
    value = record.fields.get(name)
    if part:
        return value.get(part) if isinstance(value, dict) else None
    if value is None:
        return None
    if col.kind == "bool":
        return "是" if value else "否"
    if col.kind == "enum":
        return (col.values or {}).get(value, value)
    if col.kind == "set":
        return "、".join((col.values or {}).get(v, v) for v in value)
    if col.kind == "date":
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return value
    return value


def _number_format(col: Column) -> str | None:
    if col.kind == "date":
        return "yyyy-mm-dd"
    if col.kind in _TEXT_KINDS:
        return "@"
    return None


def build_template(application: Application, clause_id: str, *, filled: bool = False) -> bytes:
    """The clause's template; ``filled``: with the application's current records of the clause."""
    programme = programme_of(application)
    clause = programme.clauses[clause_id]
    cols = columns_for(programme, clause_id)
    records = list(application.records.filter(clause=clause_id).order_by("id")) if filled else []

    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    meta = wb.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    help_ws = wb.create_sheet(HELP_SHEET)

    # marker
    rows = [("format", MARKER), ("programme", programme.code), ("clause", clause_id),
            ("programme_sha256", programme.sha256), ("filled", 1 if filled else 0),
            ("application", application.pk if filled else ""),
            ("exported_at", timezone.now().isoformat(timespec="seconds") if filled else ""), ("versions", "")]
    rows += [(r.key, r.version) for r in records]
    for i, (key, value) in enumerate(rows, start=1):
        cells.write(meta, i, 1, key)
        cells.write(meta, i, 2, value)

    # header row, column formats, dropdowns
    list_col = 4
    for j, col in enumerate(cols, start=1):
        letter = get_column_letter(j)
        cell = cells.write(ws, 1, j, col.shown)
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if col.required else HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        comment = Comment(f"{col.help}{'（必填）' if col.required else ''}\n格式：{_format_text(col)}", "zgcfund")
        comment.width, comment.height = 260, 110
        cell.comment = comment
        dim = ws.column_dimensions[letter]
        dim.width = col.width
        fmt = _number_format(col)
        if fmt:
            dim.number_format = fmt
        if col.kind in ("bool", "enum", "phase"):
            labels = list((col.values or {}).values())
            cells.write(meta, 1, list_col, col.path)
            for k, label in enumerate(labels, start=2):
                cells.write(meta, k, list_col, label)
            ref = get_column_letter(list_col)
            dv = DataValidation(type="list", formula1=f"'{META_SHEET}'!${ref}$2:${ref}${len(labels) + 1}",
                                allow_blank=True, showErrorMessage=True, errorTitle="取值无效",
                                error="请从下拉列表中选择：" + "、".join(labels))
            dv.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            ws.add_data_validation(dv)
            list_col += 1
        elif col.kind in ("amount", "count"):
            dv = DataValidation(type="decimal" if col.kind == "amount" else "whole", operator="greaterThanOrEqual",
                                formula1="0", allow_blank=True, showErrorMessage=True, errorStyle="warning",
                                errorTitle="数值", error=_KIND_HELP[col.kind])
            dv.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            ws.add_data_validation(dv)
    ws.row_dimensions[1].height = 36
    ws.freeze_panes = "B2"

    for i, record in enumerate(records, start=2):
        for j, col in enumerate(cols, start=1):
            value = _cell_value(col, record)
            if value is None:
                continue
            cell = cells.write(ws, i, j, value)  # a record's text is never a formula
            fmt = _number_format(col)
            if fmt:
                cell.number_format = fmt

    _write_help(help_ws, programme, clause, cols)
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _write_help(ws, programme: Programme, clause: ClauseDef, cols: list[Column]) -> None:
    bold = Font(bold=True)
    lines = [
        (f"{programme.title}（{programme.code}）", True),
        (f"{clause.id} {clause.title} — 清单导入模板", True),
        ("基本条件：" + clause.basic_condition, False),
        ("支撑材料：" + "；".join(clause.evidence), False),
        ("", False),
        ("填写说明：", True),
        ("1. 在“清单”工作表中从第 2 行起每行填写一条记录，不要修改第 1 行表头；带 * 的列必填。", False),
        ("2. 上传时整份文件逐行校验：任何一行有错误，则不导入任何内容，页面会列出出错的行号、列名和原因。", False),
        ("3. “记录编号”列：新增的行留空；在下载的“当前清单”中保留原编号即可修改对应记录（其支撑材料保留）。", False),
        ("4. 导入方式：“追加”保留本条款的其他已有记录；“替换”以文件内容为本条款的全部记录，文件中没有的记录将被删除"
         "（连同其支撑材料）。上传下载的“当前清单”时默认为替换。", False),
        (f"5. 每次最多导入 {MAX_ROWS} 行。统一社会信用代码、电话等请以文本格式填写，避免 Excel 将其转为数字而丢失位数。", False),
        ("6. 请勿删除或修改隐藏的工作表，它标识本模板所属的项目和条款。", False),
        ("", False),
    ]
    for i, (text, strong) in enumerate(lines, start=1):
        cell = cells.write(ws, i, 1, text)
        if strong:
            cell.font = bold
    start = len(lines) + 1
    for j, head in enumerate(("列名", "必填", "格式", "说明", "可选值"), start=1):
        cell = cells.write(ws, start, j, head)
        cell.font, cell.fill = bold, HEADER_FILL
    for i, col in enumerate(cols, start=start + 1):
        cells.write(ws, i, 1, col.header)
        cells.write(ws, i, 2, "是" if col.required else "")
        cells.write(ws, i, 3, _format_text(col)).alignment = Alignment(wrap_text=True, vertical="top")
        cells.write(ws, i, 4, col.help).alignment = Alignment(wrap_text=True, vertical="top")
        if col.values:
            cells.write(ws, i, 5, "、".join(col.values.values()))
    for letter, width in zip("ABCDE", (30, 6, 28, 70, 30), strict=True):
        ws.column_dimensions[letter].width = width


# --- reading an upload ---------------------------------------------------------------------------

@dataclass
class ParsedList:
    clause: str
    rows: list[ListRow]
    columns: list[Column]
    filled: bool            # the file is a pre-filled export of this application
    exported: dict[str, int] | None  # record versions at export (same application only)


def _check_container(data: bytes) -> None:
    """Refuse what is not an .xlsx by its content, whatever the file name says."""
    if not data:
        raise ListFileError(_("上传的文件是空的（0 字节），请选择填好的 Excel 文件。"))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ListFileError(_("这是旧版 Excel（.xls）文件或设置了打开密码的文件，无法读取。"
                              "请在 Excel 中取消密码并“另存为”Excel 工作簿（.xlsx）后重新上传。"))
    if data[:4] != b"PK\x03\x04":
        kind = _detected_type(data)
        if kind.startswith("text/") or kind in ("application/csv", "application/json"):
            raise ListFileError(_("这是文本文件（%(kind)s，如 CSV），不是 Excel 工作簿。请使用下载的模板填写，"
                                  "或在 Excel 中“另存为”Excel 工作簿（.xlsx）后重新上传。") % {"kind": kind})
        raise ListFileError(_("文件内容不是 Excel 工作簿（.xlsx）（检测到的类型：%(kind)s）。请使用下载的模板填写后上传。")
                            % {"kind": kind})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ListFileError(_("文件已损坏，无法作为 Excel 工作簿（.xlsx）打开。请在 Excel 中重新保存后上传。")) from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:
            raise ListFileError(_("这是 OpenDocument 表格（.ods）或其他格式，不是 Excel 工作簿。请“另存为”.xlsx 格式后上传。"))
        if "word/document.xml" in names:
            raise ListFileError(_("这是 Word 文档，不是 Excel 工作簿。请使用下载的 Excel 模板填写后上传。"))
        raise ListFileError(_("文件是压缩包，但不是 Excel 工作簿（.xlsx）。请使用下载的模板填写后上传。"))
    if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
        raise ListFileError(_("文件内容过大，无法读取。请只保留本清单的数据后重新上传。"))


def _detected_type(data: bytes) -> str:
    try:
        import magic

        return magic.from_buffer(data[:8192], mime=True) or "unknown"
    except Exception:  # libmagic missing or unreadable input: the message stays useful without it
        return "unknown"


def _header(value: Any) -> str:
    text = re.sub(r"\s+", "", str(value)) if value is not None else ""
    return text.rstrip("*＊")


def _read_meta(wb) -> dict[str, Any] | None:
    if META_SHEET not in wb.sheetnames:
        return None
    meta: dict[str, Any] = {"versions": {}}
    in_versions = False
    for row in wb[META_SHEET].iter_rows(min_col=1, max_col=2, values_only=True, max_row=MAX_ROWS + 20):
        key, value = (*row, None, None)[:2]
        if key is None:
            continue
        key = str(key)
        if in_versions:
            try:
                meta["versions"][key] = int(value)
            except (TypeError, ValueError):
                continue
        elif key == "versions":
            in_versions = True
        else:
            meta[key] = value
    return meta if meta.get("format") == MARKER else None


def read_upload(upload, application: Application, clause_id: str) -> ParsedList:
    """Read an uploaded workbook for ``clause_id`` of ``application``. Raises ListFileError for a file
    that cannot be used at all; problems of single cells come back on the rows."""
    programme = programme_of(application)
    clause = programme.clauses[clause_id]
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ListFileError(_("文件过大（%(mb).1f MB），清单文件不能超过 %(max)s MB。") % {
            "mb": size / 1024 / 1024, "max": MAX_UPLOAD_BYTES // 1024 // 1024})
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ListFileError(_("文件过大，清单文件不能超过 %(max)s MB。") % {"max": MAX_UPLOAD_BYTES // 1024 // 1024})
    _check_container(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on damaged parts
        raise ListFileError(_("文件已损坏或不是有效的 Excel 工作簿，无法读取。请在 Excel 中重新保存为 .xlsx 后上传。")) from None
    try:
        return _read_workbook(wb, application, programme, clause)
    except ListFileError:
        raise
    except Exception:
        raise ListFileError(_("读取文件时出错，文件可能已损坏。请在 Excel 中重新保存为 .xlsx 后上传。")) from None
    finally:
        wb.close()


def _read_workbook(wb, application: Application, programme: Programme, clause: ClauseDef) -> ParsedList:
    meta = _read_meta(wb)
    if meta is not None:
        if meta.get("programme") != programme.code:
            raise ListFileError(_("该模板属于项目“%(code)s”，不是本申报书的项目（%(mine)s）。请下载本页面的模板。") % {
                "code": meta.get("programme"), "mine": programme.code})
        if meta.get("clause") != clause.id:
            other = programme.clauses.get(str(meta.get("clause")))
            raise ListFileError(_("该文件是 %(other)s（%(other_title)s）的清单模板，不能在 %(clause)s（%(title)s）页面上传。"
                                  "请到 %(other)s 页面上传，或下载本条款的模板。") % {
                "other": meta.get("clause"), "other_title": other.title if other else "?",
                "clause": clause.id, "title": clause.title})
    cols = columns_for(programme, clause.id)
    sheet = wb[DATA_SHEET] if DATA_SHEET in wb.sheetnames else next(
        (wb[n] for n in wb.sheetnames if n not in (META_SHEET, HELP_SHEET)), None)
    if sheet is None:
        raise ListFileError(_("文件中没有“清单”工作表。请使用下载的模板填写。"))
    _check_extent(wb, sheet)
    header = next(sheet.iter_rows(max_row=1, values_only=True), None)
    if header is not None and not all(_blank(v) for v in header[SCAN_COLUMNS:]):
        raise ListFileError(_("第 1 行超过 %(max)s 列，这不是本条款的模板。请下载本条款的模板后填写。") % {"max": SCAN_COLUMNS})
    rows_iter = sheet.iter_rows(min_row=2, max_row=SCAN_ROWS + 2, max_col=SCAN_COLUMNS, values_only=True)
    by_header = {_header(c.header): c for c in cols}
    positions: list[tuple[int, Column]] = []
    unknown = []
    for i, value in enumerate(header or ()):
        name = _header(value)
        if not name:
            continue
        col = by_header.get(name)
        if col is None:
            unknown.append(name)
        elif any(c is col for _i, c in positions):
            raise ListFileError(_("第 1 行表头“%(name)s”出现了两次。请使用下载的模板填写。") % {"name": name})
        else:
            positions.append((i, col))
    if not positions:
        raise ListFileError(_("第 1 行没有 %(clause)s 清单的表头，这不是本条款的模板。请下载本条款的模板后填写。") % {
            "clause": clause.id})
    found = {c.path for _i, c in positions}
    missing = [c.header for c in cols if c.path not in found and c.path != "id"]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("缺少列：%(cols)s") % {"cols": "、".join(f"“{h}”" for h in missing)})
        if unknown:
            parts.append(_("无法识别的列：%(cols)s") % {"cols": "、".join(f"“{h}”" for h in unknown)})
        raise ListFileError(_("表头与 %(clause)s 清单模板不一致（%(what)s）。请下载本条款的模板，不要修改第 1 行。") % {
            "clause": clause.id, "what": "；".join(parts)})

    title_source = _title_source(clause)
    rows: list[ListRow] = []
    for line, values in enumerate(rows_iter, start=2):
        if line > SCAN_ROWS + 1:
            raise _too_long()
        cells = [(col, values[i] if i < len(values) else None) for i, col in positions]
        if all(_blank(v) for _c, v in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ListFileError(_("数据超过 %(max)s 行（第 %(line)s 行起超出），请分批导入。") % {
                "max": MAX_ROWS, "line": line})
        rows.append(_read_row(line, cells, title_source))
    if not rows:
        raise ListFileError(_("文件中没有数据行：请从第 2 行起填写，每行一条记录。"))

    filled = bool(meta and meta.get("filled") in (1, "1", True))
    exported = None
    if meta is not None and filled:
        source_app = meta.get("application")
        if str(source_app) != str(application.pk):
            if any(r.key for r in rows):
                raise ListFileError(_("该文件是从其他申报书导出的，其中的记录编号不属于本申报书。"
                                      "请清空“记录编号”列后上传，或下载本申报书的当前清单。"))
            filled = False
        else:
            exported = dict(meta["versions"])
    return ParsedList(clause.id, rows, cols, filled, exported)


def _too_long() -> ListFileError:
    return ListFileError(_("工作表超过 %(max)s 行（含空行），未导入。每次最多导入 %(rows)s 行数据："
                           "请删除多余的行（包括末尾的空行）或分批导入。") % {"max": SCAN_ROWS + 1, "rows": MAX_ROWS})


_ROW_OR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)[\s/>]")


def _check_extent(wb, sheet) -> None:
    """Count the data sheet's rows and cells in its XML before openpyxl parses it: openpyxl parses
    every cell of a row, however far right, and bounding the columns read does not bound that."""
    archive, path = getattr(wb, "_archive", None), getattr(sheet, "_worksheet_path", None)
    if archive is None or not path:
        return
    n_rows = n_cells = 0
    with archive.open(path) as src:
        tail = b""
        while True:
            chunk = src.read(1 << 20)
            data = tail + chunk
            cut = len(data) - 64 if chunk else len(data)  # a tag may straddle two chunks
            for m in _ROW_OR_CELL.finditer(data, 0, len(data)):
                if m.start() >= cut:
                    break
                if m[1] == b"row":
                    n_rows += 1
                    if n_rows > SCAN_ROWS + 1:
                        raise _too_long()
                else:
                    n_cells += 1
                    if n_cells > SCAN_CELLS:
                        raise ListFileError(_("工作表的单元格过多（超过 %(max)s 个），未导入。"
                                              "请只保留模板中的列和数据行后重新上传。") % {"max": SCAN_CELLS})
            if not chunk:
                return
            tail = data[max(cut, 0):]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_row(line: int, cells: list[tuple[Column, Any]], title_source: str | None) -> ListRow:
    data: dict[str, Any] = {}
    key = None
    problems = []
    for col, value in cells:
        try:
            converted = _convert(col, value)
        except _Bad as exc:
            problems.append(RowProblem(line, col.path, str(exc)))
            continue
        if converted is None:
            continue
        if col.path == "id":
            key = converted
            continue
        name, _dot, part = col.path.partition(".")
        if part:
            data.setdefault(name, {})[part] = converted
        else:
            data[name] = converted
    derived = {}
    if title_source and not data.get("title") and "title" not in {p.path for p in problems}:
        derived["title"] = f"{title_source}.name"
        name = (data.get(title_source) or {}).get("name")
        if name:
            data["title"] = name
    return ListRow(line, data, key, problems, derived)


def _shown_value(value: Any) -> str:
    return f"“{str(value)[:40]}”"


def _text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    text = str(value).strip()
    return text or None


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and _COMPACT_DATE.match(str(value)):
        value = str(value)
    if isinstance(value, str):
        text = value.strip()
        m = _DATE.match(text) or _COMPACT_DATE.match(text)
        if m:
            return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
        return text  # the engine names what is wrong with it
    raise _Bad(_("应为日期（如 2025-03-02），实际为%(value)s") % {"value": _shown_value(value)})


def _number(value: Any, kind: str, label: str) -> int | float:
    if isinstance(value, bool):
        raise _Bad(_("应为数字，实际为%(value)s") % {"value": _shown_value("TRUE" if value else "FALSE")})
    if isinstance(value, int | float):
        number = Decimal(str(value))
    else:
        text = str(value).strip().replace(",", "").replace("，", "")
        if kind == "amount":
            text = text.removesuffix("万元").removesuffix("万").strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            if kind == "count":
                raise _Bad(_("应为非负整数，实际为%(value)s") % {"value": _shown_value(value)})
            raise _Bad(_("应为数字（单位：万元），实际为%(value)s") % {"value": _shown_value(value)})
    if number.is_finite() and number.adjusted() > 15:  # e.g. "1e999999999": the engine's message, never int() of it
        raise _Bad((bounds.amount_problem if kind == "amount" else bounds.count_problem)(label, number))
    if number == number.to_integral_value():
        return int(number)
    if kind == "count":
        raise _Bad(_("应为非负整数，实际为%(value)s") % {"value": _shown_value(value)})
    return float(number)


def _choice(col: Column, value: Any) -> str:
    text = _text(value)
    by_label = {label: code for code, label in (col.values or {}).items()}
    if text in by_label:
        return by_label[text]
    if text in (col.values or {}):
        return text
    raise _Bad(_("取值%(value)s无效，应为：%(labels)s") % {"value": _shown_value(text),
                                                        "labels": "、".join((col.values or {}).values())})


def _convert(col: Column, value: Any) -> Any:
    if _blank(value):
        return None
    kind = col.kind
    if kind == "phase":
        phase = PHASE_ALIASES.get(_text(value) or "")
        if phase is None:
            raise _Bad(_("应为“前期工作绩效”或“实施期内工作计划”，实际为%(value)s") % {"value": _shown_value(value)})
        return phase
    if kind == "date":
        return _date(value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        word = (_text(value) or "").lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise _Bad(_("应填“是”或“否”，实际为%(value)s") % {"value": _shown_value(value)})
    if kind in ("amount", "count"):
        return _number(value, kind, col.header)
    if kind == "enum":
        return _choice(col, value)
    if kind == "set":
        items = [s for s in re.split(r"[、,，;；\s]+", _text(value) or "") if s]
        return [_choice(col, s) for s in items]
    if kind == "credit_code" and isinstance(value, int | float) and not isinstance(value, bool):
        raise _Bad(_("单元格是数字，Excel 可能已丢失位数：请将该列设为文本格式后重新填写统一社会信用代码"))
    if kind == "industry_code" and isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10000:
        return f"{value:04d}"
    return _text(value)


# --- problems shown against the columns ----------------------------------------------------------

@dataclass(frozen=True)
class ShownProblem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("第 %(line)s 行") % {"line": self.line} if self.line else _("文件")
        return f"{where}“{self.column}”：{self.message}" if self.column else f"{where}：{self.message}"


def column_for(columns: list[Column], path: str) -> Column | None:
    for col in columns:
        if col.path == path:
            return col
    for col in columns:
        if col.path.startswith(path + ".") or path.startswith(col.path + "."):
            return col
    return None


def shown_problems(columns: list[Column], problems: list[RowProblem]) -> list[ShownProblem]:
    order = {c.path: i for i, c in enumerate(columns)}
    out = []
    for p in problems:
        col = column_for(columns, p.path) if p.path else None
        out.append((p.line, order.get(col.path, -1) if col else -1,
                    ShownProblem(p.line, col.header if col else "", p.message)))
    return [s for _l, _o, s in sorted(out, key=lambda t: (t[0], t[1]))]


# --- the upload form -----------------------------------------------------------------------------

AUTO = "auto"


class ListUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"), error_messages={
        "required": gettext_lazy("请选择要上传的 Excel 文件。"),
        "empty": gettext_lazy("上传的文件是空的（0 字节），请选择填好的 Excel 文件。"),
    })
    mode = forms.ChoiceField(label=gettext_lazy("导入方式"), initial=AUTO, required=False, choices=[
        (AUTO, gettext_lazy("自动：上传“当前清单”时替换，上传空白模板时追加")),
        ("append", gettext_lazy("追加：保留本条款已有记录")),
        ("replace", gettext_lazy("替换：文件即本条款的全部记录，文件中没有的记录将被删除")),
    ])

    def mode_for(self, parsed: ParsedList) -> str:
        mode = self.cleaned_data.get("mode") or AUTO
        if mode == AUTO:
            return "replace" if parsed.filled else "append"
        return mode
