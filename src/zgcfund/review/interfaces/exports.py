"""Excel exports of a programme's review (openpyxl): formal-review outcomes, expert scores,
per-clause scores and the ranking. Chinese headers, a frozen header row, numbers stored as numbers.
Each sheet is filled from one query (no per-row queries); the ranking from ``build_ranking``."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from zgcfund.applications.models import Submission
from zgcfund.core import cells
from zgcfund.core.programme import Programme
from zgcfund.programmes.domain import parsed
from zgcfund.programmes.models import ProgrammeYear
from zgcfund.review.domain.ranking import current_ranking, expert_reviews
from zgcfund.review.models import ClauseScore, FormalReview, RecordComment, RecordVerdict
from zgcfund.review.models.formal import FormalOutcome

__all__ = ["EXPORTS", "Export", "RankingFilters", "UnknownProgramme", "clause_means", "filename",
           "programme_for_code", "ranking_table", "workbook_bytes"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
OUTCOMES = {k: str(v) for k, v in FormalOutcome.choices}


class UnknownProgramme(LookupError):
    pass


def programme_row(code: str) -> ProgrammeYear:
    """The programme-file version of ``code`` the exports run under (its current version, else its latest)."""
    row = (ProgrammeYear.objects.filter(code=code).order_by("-is_current", "-version").first())
    if row is None:
        raise UnknownProgramme(code)
    return row


def programme_for_code(code: str) -> Programme:
    """The programme file of ``code`` (its current version, else its latest)."""
    return parsed(programme_row(code))


def _local(value: dt.datetime | None) -> dt.datetime | None:
    """Excel has no time zones: Beijing time, naive."""
    return value.astimezone(SHANGHAI).replace(tzinfo=None) if value else None


def _sheet(wb: Workbook, title: str, columns: list[tuple[str, float]], first: bool = False, row: int = 1) -> Worksheet:
    """A sheet whose table header is on ``row`` (rows above it: a header block), frozen below it."""
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    for n, (header, width) in enumerate(columns, 1):
        cell = cells.write(ws, row, n, header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(n)].width = width
    ws.freeze_panes = f"A{row + 1}"
    return ws


def _append(ws: Worksheet, values: list[Any], formats: dict[int, str] | None = None) -> None:
    row = cells.append(ws, values)  # user text never becomes a formula
    for col, value in enumerate(values, 1):
        cell = ws.cell(row=row, column=col)
        if isinstance(value, dt.datetime):
            cell.number_format = DATETIME_FORMAT
        elif isinstance(value, Decimal):
            cell.number_format = "0.00"
        elif isinstance(value, str) and len(value) > 40:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for col, fmt in (formats or {}).items():
        ws.cell(row=row, column=col).number_format = fmt


# --- formal-review outcomes ---------------------------------------------------------------------

def formal_outcomes(code: str) -> Workbook:
    wb = Workbook()
    ws = _sheet(wb, "形式审查结论", [("申报单位", 34), ("统一社会信用代码", 22), ("提交序号", 10), ("审查结论", 14),
                                   ("审查人", 14), ("审查时间", 18), ("总体意见", 50), ("记录意见数", 12)], first=True)
    reviews = (FormalReview.objects.filter(application__programme_code=code)
               .annotate(n_comments=Count("record_comments"))
               .values_list("application__organization__name", "application__organization__credit_code",
                            "submission__number", "outcome", "reviewer__full_name", "reviewer__email",
                            "decided_at", "comment", "n_comments")
               .order_by("application__organization__name", "submission__number", "decided_at"))
    for name, credit, number, outcome, reviewer, email, at, comment, n in reviews:
        _append(ws, [name, credit, number, OUTCOMES.get(outcome, outcome), reviewer or email, _local(at), comment, n])
    ws2 = _sheet(wb, "记录意见", [("申报单位", 34), ("统一社会信用代码", 22), ("提交序号", 10), ("审查结论", 14),
                                ("条款", 8), ("记录编号", 14), ("意见", 60), ("审查时间", 18)])
    comments = (RecordComment.objects.filter(review__application__programme_code=code)
                .values_list("review__application__organization__name", "review__application__organization__credit_code",
                             "review__submission__number", "review__outcome", "clause", "record_key", "comment",
                             "review__decided_at")
                .order_by("review__application__organization__name", "review__submission__number", "clause", "record_key"))
    for name, credit, number, outcome, clause, key, comment, at in comments:
        _append(ws2, [name, credit, number, OUTCOMES.get(outcome, outcome), clause, key, comment, _local(at)])
    return wb


# --- expert scores ------------------------------------------------------------------------------

def expert_scores(code: str) -> Workbook:
    wb = Workbook()
    order = {cid: n for n, cid in enumerate(programme_for_code(code).clauses)}
    ws = _sheet(wb, "专家评分", [("申报单位", 34), ("统一社会信用代码", 22), ("评审的提交序号", 14), ("评审专家", 14),
                               ("条款", 8), ("分数", 10), ("评语", 50), ("状态", 10), ("评分提交时间", 18)], first=True)
    scores = list(ClauseScore.objects.filter(assignment__application__programme_code=code)
                  .values_list("assignment__application__organization__name",
                               "assignment__application__organization__credit_code", "assignment__submission__number",
                               "assignment__expert__full_name", "assignment__expert__email", "clause", "score", "comment",
                               "assignment__submitted_at", "assignment__assigned_at", "assignment_id"))
    scores.sort(key=lambda r: (r[0], r[9], r[10], order.get(r[5], len(order)), r[5]))
    for name, credit, number, expert, email, clause, score, comment, submitted, _assigned, _pk in scores:
        _append(ws, [name, credit, number, expert or email, clause, score, comment,
                     "已提交" if submitted else "草稿", _local(submitted)])
    ws2 = _sheet(wb, "记录核实", [("申报单位", 34), ("统一社会信用代码", 22), ("评审的提交序号", 14), ("评审专家", 14),
                                ("记录编号", 14), ("核实结论", 10), ("不认可理由", 60), ("状态", 10)])
    verdicts = (RecordVerdict.objects.filter(assignment__application__programme_code=code, accepted=False)
                .values_list("assignment__application__organization__name",
                             "assignment__application__organization__credit_code", "assignment__submission__number",
                             "assignment__expert__full_name", "assignment__expert__email", "record_key", "reason",
                             "assignment__submitted_at")
                .order_by("assignment__application__organization__name", "assignment__assigned_at", "assignment_id",
                          "record_key"))
    for name, credit, number, expert, email, key, reason, submitted in verdicts:
        _append(ws2, [name, credit, number, expert or email, key, "不认可", reason, "已提交" if submitted else "草稿"])
    return wb


# --- per-clause scores --------------------------------------------------------------------------

def clause_means(code: str) -> dict[int, dict[str, Decimal]]:
    """application pk -> clause -> the submitted experts' aggregate (the ranking's, 2 places, half-up)."""
    return {app: {cid: c.value for cid, c in review.aggregate.clauses.items()}
            for app, review in expert_reviews(code, programme_row(code)).items()
            if review.aggregate is not None and review.aggregate.experts}


def clause_scores(code: str) -> Workbook:
    wb = Workbook()
    row = programme_row(code)
    clauses = list(parsed(row).clauses)
    lead = [("申报单位", 34), ("统一社会信用代码", 22), ("提交序号", 10), ("已提交评审专家数", 12)]
    ws = _sheet(wb, "分条款得分", lead + [(f"专家均分 {cid}", 11) for cid in clauses] + [("专家均分合计", 12)]
                + [(f"引擎得分 {cid}", 11) for cid in clauses] + [("引擎总分", 10)], first=True)
    reviews = expert_reviews(code, row)
    # the latest submission of each application (one query: newest first, keep the first per application)
    latest: dict[int, Submission] = {}
    for sub in (Submission.objects.filter(application__programme_code=code)
                .select_related("application__organization")
                .only("number", "evaluation_prior", "application__id", "application__organization__name",
                      "application__organization__credit_code")
                .order_by("application__organization__name", "application_id", "-number")):
        latest.setdefault(sub.application_id, sub)
    for app_pk, sub in latest.items():
        org = sub.application.organization
        review = reviews.get(app_pk)
        agg = review.aggregate if review is not None and review.aggregate is not None and review.aggregate.experts \
            else None
        engine = (sub.evaluation_prior or {}).get("clauses") or {}
        expert_cells = [agg.clauses[cid].value if agg and cid in agg.clauses else None for cid in clauses]
        engine_cells = [_as_number((engine.get(cid) or {}).get("score")) for cid in clauses]
        total = agg.total if agg else None
        engine_total = _as_number(((sub.evaluation_prior or {}).get("score") or {}).get("total"))
        _append(ws, [org.name, org.credit_code, sub.number, review.submitted if review else 0, *expert_cells, total,
                     *engine_cells,
                     engine_total])
    return wb


def _as_number(value: Any) -> int | float | Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal):
        return value
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


# --- the ranking --------------------------------------------------------------------------------

METHOD_LABELS = {"mean": "各位已提交专家评分的平均分", "trimmed_mean": "去掉一个最高分和一个最低分后的平均分"}
MISSING_LABELS = {"zero": "已提交专家未评的条款按 0 分计", "incomplete": "已提交专家未评的条款视为评分未完成"}
RANKING_COLUMNS = [("名次", 10), ("并列", 6), ("申报单位", 34), ("申报编号", 10), ("排序依据 / 未排名原因", 40),
                   ("申报条件", 10), ("未通过的门槛规则", 40), ("K 科技重点工作", 12), ("P 专业服务能力", 12),
                   ("专家汇总总分", 12), ("专家评分", 10), ("系统评估总分（参考）", 14), ("已提交评分专家数", 12),
                   ("已分配专家数", 12), ("评分分歧", 10), ("分歧项", 20)]


@dataclass(frozen=True)
class RankingFilters:
    """The ranking page's filters (GET ``eligible=1``, ``flagged=1``, ``q``), applied to the export."""

    eligible_only: bool = False
    flagged_only: bool = False
    q: str = ""

    @classmethod
    def from_query(cls, data: Mapping[str, str] | None) -> RankingFilters:
        data = data or {}
        return cls(data.get("eligible") == "1", data.get("flagged") == "1", (data.get("q") or "").strip())

    def keeps(self, *, eligible: bool, flagged: bool, name: str) -> bool:
        return ((eligible or not self.eligible_only) and (flagged or not self.flagged_only)
                and (not self.q or self.q.lower() in name.lower()))

    def describe(self) -> str:
        parts = (["只含符合申报条件的"] if self.eligible_only else []) + (["只含专家评分分歧较大的"] if self.flagged_only else [])
        if self.q:
            parts.append(f"单位名称包含“{self.q}”")
        return "；".join(parts) or "全部"


def _settings_text(settings: Mapping[str, Any]) -> str:
    method = settings.get("method")
    text = f"汇总方法：{METHOD_LABELS.get(method, method)}"
    if method == "trimmed_mean":
        text += f"（评分专家不少于 {settings.get('trim_min_experts')} 人时）"
    return "；".join([
        text, "各条款汇总分四舍五入保留两位小数",
        f"最少提交评分专家数：{settings.get('min_experts')}",
        f"条款分歧阈值：{settings.get('clause_spread_threshold')} 分",
        f"总分分歧阈值：{settings.get('total_spread_threshold')} 分",
        MISSING_LABELS.get(settings.get("missing"), f"未评条款：{settings.get('missing')}")])


def _order_reason(r, labels: Mapping[str, str]) -> str:
    if r.rank is None:
        return r.reason or ""
    if r.tied:
        return "并列：各排序项均相同"
    if r.decided_by:
        return f"与上一名相比由“{labels.get(r.decided_by, r.decided_by)}”区分"
    return ""


def ranking_table(code: str, filters: Mapping[str, str] | None = None) -> Workbook:
    """The ranking of ``code`` as the office's ranking page computes it, in ranking order, with the
    page's filters (GET parameters) applied; a header block says what it was computed under."""
    built = current_ranking(code)
    if built is None:
        raise UnknownProgramme(code)
    chosen = RankingFilters.from_query(filters)
    row = built.programme_year
    labels = {k.field: k.label or f"{k.field} {k.order}" for k in built.ranking.keys}
    lines = []
    for r in built.ranking.rows:
        d = built.details[r.application_id]
        if chosen.keeps(eligible=r.row.eligible, flagged=d.flagged, name=r.row.organization_name):
            lines.append((r, d))
    block = [
        ("项目代码", code), ("项目名称", row.title), ("项目文件版本", row.version), ("项目文件 SHA-256", row.short_hash),
        ("评分方案版本", row.scoring_version), ("专家评分汇总", _settings_text(built.settings)),
        ("排序规则", "依次比较：" + "；".join(f"{n}. {label}" for n, label in enumerate(labels.values(), 1))
         + "。各项全部相同者名次并列；不符合申报条件或评分未完成者排在最后，没有名次。"),
        ("筛选条件", chosen.describe()), ("申报书数", f"{len(lines)} / {len(built.ranking.rows)}"),
        ("生成时间", _local(timezone.now())),
    ]
    header_row = len(block) + 3
    wb = Workbook()
    ws = _sheet(wb, "排序", RANKING_COLUMNS, first=True, row=header_row)
    cells.write(ws, 1, 1, f"{row.title}（{code}）排序表").font = Font(bold=True, size=13)
    for n, (label, value) in enumerate(block, 2):
        cells.write(ws, n, 1, label).font = HEADER_FONT
        ws.merge_cells(start_row=n, start_column=1, end_row=n, end_column=2)
        cell = cells.write(ws, n, 3, value)
        cell.alignment = Alignment(horizontal="left")
        if isinstance(value, dt.datetime):
            cell.number_format = DATETIME_FORMAT
    for r, d in lines:
        agg = d.aggregate
        flagged_items = ([c.clause for c in agg.flagged_clauses] + (["总分"] if agg.total_flagged else [])) if agg else []
        _append(ws, [
            r.rank, "是" if r.tied else "", r.row.organization_name, r.application_id, _order_reason(r, labels),
            "符合" if r.row.eligible else "不符合", "；".join(f"{p.rule} {p.message}" for p in r.row.problems),
            r.row.k_subtotal if agg else None, r.row.p_subtotal if agg else None, r.row.total if agg else None,
            "完成" if r.row.complete else "未完成", d.engine_total, d.experts_submitted, d.experts_assigned,
            "是" if d.flagged else "", "、".join(flagged_items)])
    return wb


# --- the catalogue ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Export:
    slug: str
    title: str  # Chinese, as in the file name; marked for extraction, the exports page translates it
    description: str
    build: Any  # (code) -> Workbook; (code, filters) -> Workbook when filterable
    filterable: bool = False  # takes the ranking page's GET filters


EXPORTS: dict[str, Export] = {e.slug: e for e in (
    Export("formal", gettext_noop("形式审查结论"),
           _("每次形式审查结论一行（单位、提交序号、结论、审查人、时间、总体意见），另附全部记录意见。"), formal_outcomes),
    Export("expert-scores", gettext_noop("专家评分明细"),
           _("每份申报书、每位专家、每个条款一行（分数、评语、已提交或草稿），另附专家不认可的记录及理由。"), expert_scores),
    Export("clause-scores", gettext_noop("分条款得分"),
           _("每份申报书一行：各条款已提交专家评分的汇总分（与排序相同：按遴选计划取平均或去掉最高最低分后平均，"
             "方案调整后按新满分÷原满分折算，四舍五入保留两位小数），以及提交时规则引擎的条款得分（参考）。"), clause_scores),
    Export("ranking", gettext_noop("排序表"),
           _("按名次每份申报书一行：名次、并列与排序依据、申报条件与门槛规则、K/P 小计、专家汇总总分、系统评估总分（参考）、"
             "已提交/已分配专家数、评分分歧；表头注明项目文件版本与哈希、评分方案版本和汇总设置。"
             "在排序页面导出时保留页面的筛选条件。"), ranking_table, filterable=True),
)}


def filename(slug: str, code: str, day: dt.date) -> str:
    return f"{code}-{EXPORTS[slug].title}-{day:%Y%m%d}.xlsx"


def workbook_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
