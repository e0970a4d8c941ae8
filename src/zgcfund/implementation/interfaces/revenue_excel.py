"""K1.3 营收情况表 as Excel (.xlsx): one workbook per performance enterprise, pre-filled with the organization,
the enterprise and its credit code; one row per month of each statistics period (the programme file's K1.3
periods: 2024年1-11月, 2025年1-11月, 2025年1-2月, 2026年1-2月) with an amount column (万元). No formulas: the
period totals are summed here on import. A 说明 sheet explains the filling (Chinese); a hidden sheet marks
the template (format, contract, credit code).

Reading an upload checks the file by content (a real xlsx, size, rows) and every cell; any problem refuses
the whole file with one Chinese message per problem naming the sheet, the cell and the reason.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import DEFUSEDXML, Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

from zgcfund.applications.interfaces.excel import ListFileError, _check_container
from zgcfund.core import cells
from zgcfund.core.growth import Period

if not DEFUSEDXML:  # as applications.interfaces.excel: never parse uploads without defusedxml
    raise ImportError("openpyxl must parse uploads with defusedxml")

MARKER = "zgcfund-k13-revenue/1"
DATA_SHEET, HELP_SHEET, META_SHEET = "营收情况表", "说明", "_zgcfund"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 200        # rows of the data sheet (the template has about 35)
MAX_CELLS = 5_000
FIRST_DATA_ROW = 7
CODE_CELL, ORG_CELL, NAME_CELL = "B4", "B2", "B3"
AMOUNT_MAX = Decimal("1000000000000")  # 万元; the model holds 12 integer digits
HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")
INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")


class RevenueFileError(Exception):
    """The upload is refused: ``problems`` holds one Chinese message per problem (sheet, cell, reason)."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("；".join(self.problems))


@dataclass
class ParsedRevenue:
    credit_code: str
    figures: dict[str, Decimal | None]           # field → period total (None: a month left blank)
    months: dict[str, dict[str, str]] = field(default_factory=dict)  # field → {"2025-01": "12.50"}


def _months(period: Period) -> list[dt.date]:
    return [dt.date(period.start.year, m, 1) for m in range(period.start.month, period.end.month + 1)]


def _month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def _month_end(month: dt.date) -> dt.date:
    nxt = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


# --- the template ----------------------------------------------------------------------------------

def build_template(*, organization: str, enterprise: str, credit_code: str, contract_id: int,
                   periods: list[Period]) -> bytes:
    """The template of one enterprise; ``periods`` in the order shown (each a block of month rows)."""
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    bold = Font(bold=True)
    cells.write(ws, 1, 1, "K1.3 绩效企业营收情况表").font = Font(bold=True, size=14)
    for row, (label, value) in enumerate((("社会组织", organization), ("绩效企业名称", enterprise),
                                          ("统一社会信用代码", credit_code)), start=2):
        cells.write(ws, row, 1, label).font = bold
        cell = cells.write(ws, row, 2, value)  # user text: always a text cell, never a formula
        cell.number_format = "@"
    cells.write(ws, 5, 1, "请在黄色单元格中填写各月营业收入（万元）；合计由系统在导入时计算。")
    for j, head in enumerate(("统计期", "月份", "营业收入（万元）"), start=1):
        cell = cells.write(ws, 6, j, head)
        cell.font, cell.fill = bold, HEADER_FILL
    row = FIRST_DATA_ROW
    for period in periods:
        for month in _months(period):
            cells.write(ws, row, 1, period.label)
            cells.write(ws, row, 2, _month_label(month))
            amount = ws.cell(row=row, column=3)
            amount.fill, amount.number_format = INPUT_FILL, "0.00"
            row += 1
    for letter, width in zip("ABC", (22, 40, 20), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"

    meta = wb.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    for i, (key, value) in enumerate((("format", MARKER), ("contract", contract_id), ("credit_code", credit_code)),
                                     start=1):
        cells.write(meta, i, 1, key)
        cells.write(meta, i, 2, value)

    help_ws = wb.create_sheet(HELP_SHEET)
    lines = [
        ("K1.3 服务科技服务业企业营业收入增长 — 绩效企业营收情况表", True),
        ("一是推动绩效企业在2025年1-11月为行业发展发挥上拉作用；二是推动绩效企业2026年1-2月为行业实现“开门红”做贡献。", False),
        ("", False),
        ("填写说明：", True),
        ("1. 每家绩效企业一份表格：请勿修改“统一社会信用代码”（第 4 行），上传时须与该企业一致。", False),
        ("2. 在“营收情况表”工作表 C 列逐月填写营业收入，单位：万元，可保留两位小数，不得为负数；"
         "请填写数值，不要使用公式。", False),
        ("3. 各统计期的合计（1-11月、1-2月累计）由系统在导入时按月相加，无须填写。", False),
        ("4. 尚未结束的统计期（如2026年1-2月）可暂不填写，统计期结束后再上传完整表格；尚未结束的月份不能填写。", False),
        ("5. 2025年1-2月在“2025年1-11月”和“2025年1-2月”中各出现一次，两处须填写相同金额。", False),
        ("6. 上传时整份表格逐格校验：任何一处有误，则不导入任何内容，页面会列出出错的单元格和原因，请修改后重新上传。", False),
        ("7. 重新上传将替换该企业此前的数据（原数据保留在办理记录中）。请勿修改或删除隐藏的工作表。", False),
    ]
    for i, (text, strong) in enumerate(lines, start=1):
        cell = cells.write(help_ws, i, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if strong:
            cell.font = bold
    help_ws.column_dimensions["A"].width = 110
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- reading an upload -----------------------------------------------------------------------------

def _where(cell: str) -> str:
    return _("工作表“%(sheet)s”单元格 %(cell)s") % {"sheet": DATA_SHEET, "cell": cell}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", "", str(value)) if value is not None else ""


def _amount(value: Any) -> Decimal:
    """A cell's amount (万元); raises ValueError with the reason in Chinese."""
    if isinstance(value, bool):
        raise ValueError(_("应为数字（万元），实际为“%(v)s”") % {"v": "TRUE" if value else "FALSE"})
    if isinstance(value, int | float):
        number = Decimal(str(value))
    elif isinstance(value, dt.date | dt.datetime):
        raise ValueError(_("应为数字（万元），实际为日期 %(v)s") % {"v": value.isoformat()})
    else:
        text = str(value).strip().replace(",", "").replace("，", "").removesuffix("万元").removesuffix("万").strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("应为数字（万元），实际为“%(v)s”") % {"v": str(value)[:40]}) from None
    if not number.is_finite():
        raise ValueError(_("应为数字（万元），实际为“%(v)s”") % {"v": str(value)[:40]})
    if number < 0:
        raise ValueError(_("营业收入不能为负数（实际为 %(v)s）") % {"v": number})
    if number >= AMOUNT_MAX:
        raise ValueError(_("金额过大（%(v)s 万元）") % {"v": number})
    if number != number.quantize(Decimal("0.01")):
        rounded = number.quantize(Decimal("0.01"))
        if isinstance(value, float) and abs(number - rounded) < Decimal("0.000001"):
            return rounded  # a float's binary noise
        raise ValueError(_("最多保留两位小数（实际为 %(v)s）") % {"v": number})
    return number.quantize(Decimal("0.01"))


def _check_extent(data: bytes) -> None:
    """Count the rows and cells of the sheets' XML before openpyxl parses them."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        if any(i.filename.lower().endswith("vbaproject.bin") for i in z.infolist()):
            raise RevenueFileError([_("文件含有宏（.xlsm），不能上传。请在 Excel 中“另存为”Excel 工作簿（.xlsx）后重新上传。")])
        for info in z.infolist():
            if not info.filename.startswith("xl/worksheets/") or not info.filename.endswith(".xml"):
                continue
            rows = n_cells = 0
            with z.open(info) as src:
                tail = b""
                while True:
                    chunk = src.read(1 << 20)
                    block = tail + chunk
                    cut = len(block) - 64 if chunk else len(block)
                    for m in re.finditer(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)[\s/>]", block[:cut]):
                        if m[1] == b"row":
                            rows += 1
                        else:
                            n_cells += 1
                    if rows > MAX_ROWS or n_cells > MAX_CELLS:
                        raise RevenueFileError([_("工作表超过 %(rows)s 行或 %(cells)s 个单元格，这不是营收情况表模板。"
                                                  "请下载本企业的模板，只在 C 列填写金额后上传。")
                                                % {"rows": MAX_ROWS, "cells": MAX_CELLS}])
                    if not chunk:
                        break
                    tail = block[max(cut, 0):]


def read_upload(upload, *, credit_code: str, periods: list[Period], today: dt.date) -> ParsedRevenue:
    """Read an uploaded 营收情况表 for the enterprise ``credit_code``. Raises RevenueFileError listing every
    problem; nothing is returned then."""
    size = getattr(upload, "size", None)
    limit_mb = MAX_UPLOAD_BYTES // 1024 // 1024
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise RevenueFileError([_("文件过大（%(mb).1f MB），营收情况表不能超过 %(max)s MB。")
                                % {"mb": size / 1024 / 1024, "max": limit_mb}])
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise RevenueFileError([_("文件过大，营收情况表不能超过 %(max)s MB。") % {"max": limit_mb}])
    try:
        _check_container(data)
    except ListFileError as exc:
        raise RevenueFileError([exc.message]) from None
    _check_extent(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on damaged parts
        raise RevenueFileError([_("文件已损坏或不是有效的 Excel 工作簿，无法读取。"
                                  "请在 Excel 中重新保存为 .xlsx 后上传。")]) from None
    try:
        if DATA_SHEET not in wb.sheetnames:
            raise RevenueFileError([_("文件中没有“%(sheet)s”工作表，这不是营收情况表模板。请下载本企业的模板后填写。")
                                    % {"sheet": DATA_SHEET}])
        rows = [tuple(r) for r in wb[DATA_SHEET].iter_rows(min_row=1, max_row=MAX_ROWS, max_col=3,
                                                            values_only=True)]
    except RevenueFileError:
        raise
    except Exception:
        raise RevenueFileError([_("读取文件时出错，文件可能已损坏。请在 Excel 中重新保存为 .xlsx 后上传。")]) from None
    finally:
        wb.close()
    return _parse(rows, credit_code=credit_code, periods=periods, today=today)


def _cell(rows: list[tuple], row: int, col: int) -> Any:
    values = rows[row - 1] if row - 1 < len(rows) else ()
    return values[col - 1] if col - 1 < len(values) else None


def _parse(rows: list[tuple], *, credit_code: str, periods: list[Period], today: dt.date) -> ParsedRevenue:
    problems: list[str] = []
    code = _text(_cell(rows, 4, 2)).upper()
    if isinstance(_cell(rows, 4, 2), int | float):
        problems.append(_("%(where)s：统一社会信用代码被 Excel 转为数字，请将该单元格设为文本格式后重新填写")
                        % {"where": _where(CODE_CELL)})
    elif not code:
        problems.append(_("%(where)s：缺少统一社会信用代码，请使用本企业的模板") % {"where": _where(CODE_CELL)})
    elif code != credit_code.upper():
        problems.append(_("%(where)s：统一社会信用代码 %(code)s 与本企业（%(mine)s）不一致，这是另一家企业的表格。"
                          "请下载本企业的模板，或到该企业一行上传")
                        % {"where": _where(CODE_CELL), "code": code[:40], "mine": credit_code})
    by_label = {p.label.replace(" ", ""): p for p in periods}
    expected = {(p.field, m): None for p in periods for m in _months(p)}
    found: dict[tuple[str, dt.date], tuple[str, Decimal | None]] = {}
    bad: set[str] = set()  # cells already refused
    for line in range(FIRST_DATA_ROW, len(rows) + 1):
        label, month_text, value = (_cell(rows, line, c) for c in (1, 2, 3))
        if _blank(label) and _blank(month_text) and _blank(value):
            continue
        period = by_label.get(_text(label))
        m = re.fullmatch(r"(\d{4})年(\d{1,2})月", _text(month_text))
        month = dt.date(int(m[1]), int(m[2]), 1) if m and 1 <= int(m[2]) <= 12 else None
        if period is None or month is None or (period.field, month) not in expected:
            problems.append(_("%(where)s：“%(label)s %(month)s”不是模板中的统计期和月份，请不要修改 A、B 两列")
                            % {"where": _where(f"A{line}"), "label": _text(label)[:20], "month": _text(month_text)[:20]})
            continue
        key = (period.field, month)
        if key in found:
            problems.append(_("%(where)s：%(label)s %(month)s 出现了两次") % {
                "where": _where(f"A{line}"), "label": period.label, "month": _month_label(month)})
            continue
        amount = None
        if not _blank(value):
            try:
                amount = _amount(value)
            except ValueError as exc:
                problems.append(f"{_where(f'C{line}')}：{exc}")
                bad.add(f"C{line}")
                found[key] = (f"C{line}", None)
                continue
            if _month_end(month) > today:
                problems.append(_("%(where)s：%(month)s 尚未结束（今天是 %(today)s），不能填写营业收入")
                                % {"where": _where(f"C{line}"), "month": _month_label(month),
                                   "today": today.isoformat()})
                bad.add(f"C{line}")
        found[key] = (f"C{line}", amount)
    missing_rows = [k for k in expected if k not in found]
    if missing_rows:
        shown = "、".join(f"{next(p.label for p in periods if p.field == f)} {_month_label(m)}"
                         for f, m in missing_rows[:6])
        problems.append(_("工作表“%(sheet)s”：缺少月份行 %(rows)s%(more)s，请使用本企业的模板，不要删除行")
                        % {"sheet": DATA_SHEET, "rows": shown,
                           "more": _("等 %(n)s 行") % {"n": len(missing_rows)} if len(missing_rows) > 6 else ""})
    figures: dict[str, Decimal | None] = {}
    months: dict[str, dict[str, str]] = {}
    for period in periods:
        entries = [(m, *found[(period.field, m)]) for m in _months(period) if (period.field, m) in found]
        ended = period.end <= today
        blanks = [where for _m, where, amount in entries if amount is None]
        months[period.field] = {m.strftime("%Y-%m"): str(a) for m, _w, a in entries if a is not None}
        if ended:
            for where in blanks:
                if where not in bad:
                    problems.append(_("%(where)s：%(label)s 统计期已于 %(end)s 结束，请填写该月营业收入（没有收入请填 0）")
                                    % {"where": _where(where), "label": period.label, "end": period.end.isoformat()})
        complete = not blanks and len(entries) == len(_months(period))
        figures[period.field] = sum((a for _m, _w, a in entries), Decimal("0.00")) if complete else None
    # the same month in two periods (2025年1-2月 in 2025年1-11月 and 2025年1-2月) must agree
    seen: dict[dt.date, tuple[str, Decimal]] = {}
    for (_f, m), (where, amount) in sorted(found.items(), key=lambda kv: int(kv[1][0][1:])):
        if amount is None:
            continue
        if m in seen and seen[m][1] != amount:
            problems.append(_("%(where)s：%(month)s 营业收入 %(a)s 万元与单元格 %(other)s 的 %(b)s 万元不一致，"
                              "同一月份须填写相同金额")
                            % {"where": _where(where), "month": _month_label(m), "a": amount, "other": seen[m][0],
                               "b": seen[m][1]})
        seen.setdefault(m, (where, amount))
    if problems:
        raise RevenueFileError(problems)
    return ParsedRevenue(credit_code, figures, months)
