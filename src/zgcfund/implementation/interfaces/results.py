"""The programme results dashboard's tables, charts, Excel workbook and PDF (项目成效). One list of tables
feeds all three: each table carries its chart(s) (server-side SVG, a picture of the table), the page and the
PDF show chart then table, the workbook has one sheet per table. Texts are gettext's; the views build the
workbook and the PDF in Chinese (the office's report), the page in the reader's language."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from zgcfund.core import cells
from zgcfund.core.bounds import number_text
from zgcfund.implementation.domain import results as domain
from zgcfund.implementation.interfaces.charts import PALETTE, BarChart, Series
from zgcfund.programmes.domain import clock

__all__ = ["FAMILIES", "Dashboard", "Percent", "Table", "dashboard", "display", "render_pdf", "workbook",
           "workbook_bytes"]

FAMILIES = {"K": gettext_lazy("科技重点工作（K）"), "P": gettext_lazy("专业服务能力（P）")}
SERIES = (gettext_lazy("申报前（前期绩效）"), gettext_lazy("合同承诺"), gettext_lazy("验收核实交付"))
COLOURS = dict(zip(("prior", "committed", "delivered"), PALETTE, strict=False))
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")


class Percent(Decimal):
    """A ratio shown as a percentage (0.85 → 85.0%)."""


def display(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, Percent):
        return f"{Decimal(value) * 100:.1f}%"
    if isinstance(value, Decimal):
        return number_text(value.normalize() if value == value.to_integral() else value.quantize(Decimal("0.01")))
    return str(value)


@dataclass
class Table:
    key: str  # the sheet's and the page section's identifier
    title: str  # caption; the sheet's name (≤ 31 characters)
    columns: list[tuple[str, bool]]  # (header, numeric)
    rows: list[list[Any]]
    charts: list[SafeString] = field(default_factory=list)
    note: str = ""  # below the table, also in the sheet
    chart_note: str = ""  # below the charts (page and PDF)

    @property
    def display_rows(self) -> list[list[tuple[str, bool]]]:
        return [[(display(v), num) for v, (_h, num) in zip(row, self.columns, strict=True)] for row in self.rows]


@dataclass
class Dashboard:
    code: str
    family: str  # "" (all), "K" or "P"
    money: domain.Money
    contracts: int
    cards: list[tuple[str, str, str, domain.Figures]]
    tables: list[Table]
    generated_on: dt.date


def _phase_table(code: str) -> Table:
    rows = [[str(p.staff_name), n] for p, n in domain.by_phase(code)]
    drawn = [r for r in rows if r[1]]  # the chart shows the phases that have applications; the table all
    title = _("申报书阶段分布")
    charts = [BarChart(title, [r[0] for r in drawn], [Series(_("申报书数"), [r[1] for r in drawn])], unit=_(" 份"),
                       horizontal=True).svg()] if drawn else []
    return Table("phases", title, [(_("阶段"), False), (_("申报书数（份）"), True)], rows, charts)


def _money_table(money: domain.Money) -> Table:
    rows = [[_("合同金额（已承诺）"), money.committed], [_("已拨付"), money.paid], [_("应退回"), money.refund_due],
            [_("已退回"), money.refunded]]
    chart = BarChart(_("资金：承诺、拨付与退回（万元）"), [r[0] for r in rows],
                     [Series(_("金额"), [r[1] for r in rows])], unit=_(" 万元"))
    note = "" if money.paid is not None else _("拨付与退回数据尚未接入，显示为“—”。")
    return Table("money", _("资金（万元）"), [(_("项目"), False), (_("金额（万元）"), True)], rows, [chart.svg()], note)


def _chart_group(h: domain.Headline) -> str:
    if h.unit == domain.AMOUNT_UNIT:
        return "money"
    return "count" if h.field is None else "volume"


CHART_GROUPS = {"count": gettext_lazy("数量（家、场、项、个）"), "volume": gettext_lazy("人数与服务量（人、人次、家次）"),
                "money": gettext_lazy("金额（万元）")}


def _category(h: domain.Headline) -> str:
    return f"{h.clause} {h.short or h.label}"


def _measure_columns() -> list[tuple[str, bool]]:
    return [(_("条款"), False), (_("成果"), False), (_("单位"), False), *((str(s), True) for s in SERIES)]


def _clause_table(res: domain.Results) -> Table:
    rows = []
    for h in res.headlines:
        f = res.totals[h.id]
        rate = f.rate
        rows.append([h.clause, h.clause_title, str(h.label), h.unit, f.prior, f.committed, f.delivered,
                     None if rate is None else Percent(rate)])
    charts = []
    for group, title in CHART_GROUPS.items():  # the headlines with a figure; the table lists every one
        members = [h for h in res.headlines if _chart_group(h) == group and res.totals[h.id].nonzero]
        if not members:
            continue
        series = [Series(str(name), [getattr(res.totals[h.id], attr) for h in members], COLOURS[attr])
                  for name, attr in zip(SERIES, COLOURS, strict=True)]
        charts.append(BarChart(_("各条款成果：%(group)s") % {"group": title}, [_category(h) for h in members], series,
                               horizontal=True, width=760).svg())
    columns = _measure_columns()
    columns.insert(1, (_("条款名称"), False))
    columns.append((_("完成率（交付/承诺）"), True))
    return Table("clauses", _("各条款成果"), columns, rows, charts, chart_note=_("图中只列出有数据的成果；表中列出全部条款。"))


def _organization_table(res: domain.Results) -> Table:
    rows = [[o.organization, o.amount, o.commitments, o.delivered] for o in res.organizations]
    committed, delivered = _("合同承诺事项"), _("核实交付事项（含新增工作）")
    chart = BarChart(_("各申报单位：合同承诺与核实交付事项"), [o.organization for o in res.organizations],
                     [Series(committed, [o.commitments for o in res.organizations], COLOURS["committed"]),
                      Series(delivered, [o.delivered for o in res.organizations], COLOURS["delivered"])],
                     unit=_(" 项"), horizontal=True)
    columns = [(_("申报单位"), False), (_("合同金额（万元）"), True), (committed, True), (delivered, True)]
    return Table("organizations", _("各申报单位"), columns, rows, [chart.svg()] if rows else [])


def _organization_clause_table(res: domain.Results) -> Table:
    rows = []
    for o in res.organizations:
        for h in res.headlines:
            f = o.figures[h.id]
            if f.nonzero:
                rows.append([o.organization, h.clause, str(h.label), h.unit, f.prior, f.committed, f.delivered])
    return Table("organization_clauses", _("各申报单位分条款成果"), [(_("申报单位"), False), *_measure_columns()], rows)


def dashboard(code: str, family: str = "", today: dt.date | None = None) -> Dashboard:
    family = family if family in FAMILIES else ""
    res = domain.results(code, family or None)
    money = domain.money(code)
    tables = [_phase_table(code), _money_table(money), _clause_table(res), _organization_table(res),
              _organization_clause_table(res)]
    return Dashboard(code=code, family=family, money=money, contracts=len(res.organizations), cards=res.themes(),
                     tables=tables, generated_on=today or clock.today())


# --- Excel -------------------------------------------------------------------------------------------------

def workbook(board: Dashboard) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    for table in board.tables:
        ws = wb.create_sheet(table.title[:31])
        for n, (header, numeric) in enumerate(table.columns, 1):
            cell = cells.write(ws, 1, n, header)
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            ws.column_dimensions[get_column_letter(n)].width = 14 if numeric else 30
        ws.freeze_panes = "A2"
        for values in table.rows:
            row = cells.append(ws, [Decimal(v) if isinstance(v, Percent) else v for v in values])  # text stays text
            for col, value in enumerate(values, 1):
                if isinstance(value, Percent):
                    ws.cell(row=row, column=col).number_format = "0.0%"
                elif isinstance(value, Decimal):
                    ws.cell(row=row, column=col).number_format = "#,##0.##"
        if table.note:
            cells.append(ws, [])
            cells.append(ws, [table.note])
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def filename(board: Dashboard, ext: str) -> str:
    """The download's name, Chinese like the file itself."""
    suffix = f"-{board.family}" if board.family else ""
    with translation.override("zh-hans"):
        return f"{_('项目成效')}-{board.code}{suffix}-{board.generated_on:%Y%m%d}.{ext}"


# --- PDF ---------------------------------------------------------------------------------------------------

def render_html(board: Dashboard, title: str) -> str:
    with translation.override("zh-hans"):
        context = {"board": board, "title": title, "family_label": str(FAMILIES.get(board.family, ""))}
        return render_to_string("implementation/pdf/results.html", context)


def render_pdf(board: Dashboard, title: str) -> bytes:
    """The dashboard as an A4 PDF: cards, each chart (inline SVG) and its table; nothing fetched."""
    from weasyprint import HTML  # heavy import, only where a PDF is made

    from zgcfund.applications.interfaces.pdf import TEMPLATE_DIR, _refusing_fetcher

    return HTML(string=render_html(board, title), base_url=TEMPLATE_DIR.as_uri() + "/",
                url_fetcher=_refusing_fetcher()).write_pdf()
