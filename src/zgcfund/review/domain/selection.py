"""Selection over a programme's ranking (core ``zgcfund.core.selection``): preview, save a draft,
confirm (immutable afterwards), publish for the notice period (公示), record objections, export the
published list. Every decision is audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from zgcfund.applications.domain import workflow
from zgcfund.applications.models import Application
from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility
from zgcfund.core import bounds, cells
from zgcfund.core.ranking import INCOMPLETE_REASON, RankingInputError, jsonable
from zgcfund.core.selection import UNRANKED, SelectionResult, select
from zgcfund.programmes.domain import clock
from zgcfund.review.domain import notify
from zgcfund.review.domain.ranking import build_ranking
from zgcfund.review.models import Objection, Selection

METHOD_NAMES = {"by_count": gettext_lazy("按数量"), "by_budget": gettext_lazy("按预算"), "by_bands": gettext_lazy("按档次")}
MAX_NOTICE_DAYS = 60


class SelectionRefused(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class SelectionInvalid(Exception):
    """Form errors keyed by field name (raised by the forms in ``review.interfaces.forms`` and here)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


# --- preview, draft, confirm, publish ----------------------------------------------------------

def preview(code: str, spec: dict[str, Any]) -> SelectionResult:
    programme_ranking = build_ranking(code)
    if programme_ranking is None:
        raise SelectionRefused(_("项目 %(code)s 不存在。") % {"code": code})
    try:
        return select(programme_ranking.ranking, spec)
    except RankingInputError as exc:
        raise SelectionRefused(pgettext("list separator", "；").join(exc.problems)) from None


def save_draft(code: str, spec: dict[str, Any], by) -> Selection:
    programme_ranking = build_ranking(code)
    if programme_ranking is None:
        raise SelectionRefused(_("项目 %(code)s 不存在。") % {"code": code})
    try:
        result = select(programme_ranking.ranking, spec)
    except RankingInputError as exc:
        raise SelectionRefused(pgettext("list separator", "；").join(exc.problems)) from None
    row = programme_ranking.programme_year
    with transaction.atomic():
        selection = Selection.objects.create(code=code, method=spec["method"], spec=spec, result=result.to_dict(),
                                             programme_sha256=row.sha256, scoring_version=row.scoring_version,
                                             programme_year=row, ranking_settings=jsonable(programme_ranking.settings),
                                             created_by=by, created_at=clock.now())
        record_event("selection.draft", _("保存遴选草稿（%(method)s，入选 %(n)s 项）")
                     % {"method": METHOD_NAMES[spec["method"]], "n": len(result.selected)},
                     actor=by, obj=selection, changes={"code": code, "spec": spec}, visibility=Visibility.OFFICE)
    return selection


def confirm_refusal(selection: Selection) -> str | None:
    """Why the draft cannot be confirmed now (None: it can): already confirmed, a tie at the cut undecided,
    the ranking changed since the draft, or the programme already has a confirmed selection."""
    if selection.is_confirmed:
        return _("该遴选结果已于 %(when)s 确认，不能再修改。") % {"when": selection.confirmed_at.strftime("%Y-%m-%d %H:%M")}
    if any(o["status"] == "tie_at_cut" for o in selection.result["not_selected"]):
        return _("入选线上有并列申报尚待决定：请在预览中选定入选的并列申报后重新保存，再确认。")
    try:
        current = preview(selection.code, selection.spec).to_dict()
    except SelectionRefused as exc:
        return exc.message
    if current != selection.result:
        return _("保存草稿后排名或评分已有变化，请重新预览并保存草稿后再确认。")
    if Selection.objects.filter(code=selection.code, confirmed_at__isnull=False).exists():
        return _("项目 %(code)s 已有确认的遴选结果。") % {"code": selection.code}
    return None


def confirm(selection: Selection, by, reason: str = "") -> Selection:
    """Confirm a draft: refused when a tie at the cut is undecided or the ranking changed since the draft.
    The effect of the collective decision ``selection`` (the page proposes it, ``review.domain.decisions``)."""
    too_long = bounds.length_problem(_("确认理由"), reason or "", "reason")
    if too_long:
        raise SelectionRefused(too_long + _("。"))
    with transaction.atomic():
        selection = Selection.objects.select_for_update().get(pk=selection.pk)
        refusal = confirm_refusal(selection)
        if refusal:
            raise SelectionRefused(refusal)
        selection.confirmed_by = by
        selection.confirmed_at = clock.now()
        try:
            with transaction.atomic():
                Selection.objects.filter(pk=selection.pk).update(confirmed_by=by, confirmed_at=selection.confirmed_at)
        except IntegrityError:
            raise SelectionRefused(_("项目 %(code)s 已有确认的遴选结果。") % {"code": selection.code}) from None
        record_event("selection.confirm", _("确认遴选结果（入选 %(n)s 项）%(reason)s")
                     % {"n": len(selection.result["selected"]),
                        "reason": pgettext("label separator", "：") + reason if reason else ""},
                     actor=by, obj=selection, changes={"code": selection.code, "reason": reason}, visibility=Visibility.OFFICE)
    return selection


def decision_label(selection: Selection) -> str:
    """The selection as the collective decision names it."""
    return _("%(code)s 遴选草稿 #%(pk)s（%(method)s，入选 %(n)s 项）") % {
        "code": selection.code, "pk": selection.pk, "method": METHOD_NAMES.get(selection.method, selection.method),
        "n": len(selection.result["selected"])}


def decision_summary(selection: Selection) -> list[tuple[str, str]]:
    """The lines the decision page shows about the selection: method, how many selected, the total amount."""
    selected = selection.result["selected"]
    total = sum((Decimal(str(o["amount"])) for o in selected if o.get("amount")), Decimal(0))
    rows = [(_("遴选方式"), str(METHOD_NAMES.get(selection.method, selection.method))),
            (_("入选"), _("%(n)s 项") % {"n": len(selected)}),
            (_("保存草稿"), f"{selection.created_by.get_full_name()} {timezone.localtime(selection.created_at):%Y-%m-%d %H:%M}")]
    if total:
        rows.insert(2, (_("支持金额合计（万元）"), bounds.number_text(total)))
    return rows


def publish(selection: Selection, by, notice_days: int | None) -> Selection:
    """Publish a confirmed selection for the notice period (公示). Every application it lists takes its
    declared move (``select`` or ``not_select``) in the same transaction, so applicants learn the outcome
    at publication and not before; one that has since left the ranked phases (withdrawn) is skipped and
    named in the audit entry."""
    if not isinstance(notice_days, int) or not 1 <= notice_days <= MAX_NOTICE_DAYS:
        raise SelectionRefused(_("公示天数：请填写 1 至 %(max)s 之间的整数。") % {"max": MAX_NOTICE_DAYS})
    with transaction.atomic():
        selection = Selection.objects.select_for_update().get(pk=selection.pk)
        if not selection.is_confirmed:
            raise SelectionRefused(_("遴选结果尚未确认，不能公示。"))
        if selection.is_published:
            raise SelectionRefused(_("该遴选结果已于 %(when)s 公示。") % {"when": selection.published_at.strftime("%Y-%m-%d")})
        selection.published_by = by
        selection.published_at = clock.now()
        selection.notice_days = notice_days
        selection.notice_ends_on = clock.today() + dt.timedelta(days=notice_days)
        selection.save(update_fields=["published_by", "published_at", "notice_days", "notice_ends_on"])
        skipped = _apply_outcomes(selection, by)
        record_event("selection.publish", _("发布遴选结果公示，公示期 %(days)s 天，至 %(end)s")
                     % {"days": notice_days, "end": selection.notice_ends_on.isoformat()},
                     actor=by, obj=selection,
                     changes={"code": selection.code, "notice_days": notice_days, "skipped": skipped},
                     visibility=Visibility.OFFICE)
    return selection


def _apply_outcomes(selection: Selection, by) -> list[int]:
    """Move each listed application by ``select`` / ``not_select``; return the ids skipped."""
    outcomes = [(o, "select") for o in selection.result["selected"]]
    outcomes += [(o, "not_select") for o in selection.result["not_selected"]]
    apps = Application.objects.in_bulk([o["application_id"] for o, _move in outcomes])
    skipped = []
    for outcome, move in outcomes:
        app = apps.get(outcome["application_id"])
        if app is None or not workflow.allows(app, move):
            skipped.append(outcome["application_id"])
            continue
        try:
            workflow.transition(app, move, by, obj=selection)
        except workflow.TransitionRefused as exc:
            raise SelectionRefused(exc.message) from None
    return skipped


def notice_has_ended(selection: Selection) -> bool:
    return selection.is_published and clock.today() > selection.notice_ends_on


def end_notice(selection: Selection, by=None) -> int:
    """Close the notice period (公示期满) of a published selection once its last day has passed: every
    application still selected moves to ``published`` (awaiting the contract). ``by`` is the office user,
    or None when the system does it. Returns how many moved; refused before the period has ended."""
    with transaction.atomic():
        selection = Selection.objects.select_for_update().get(pk=selection.pk)
        if not selection.is_published:
            raise SelectionRefused(_("遴选结果尚未公示。"))
        if not notice_has_ended(selection):
            raise SelectionRefused(_("公示期至 %(end)s，期满后才能结束公示。") % {"end": selection.notice_ends_on.isoformat()})
        ids = [o["application_id"] for o in selection.result["selected"]]
        moved = 0
        for app in Application.objects.filter(pk__in=ids).order_by("pk"):
            if workflow.allows(app, "publish"):
                try:
                    workflow.transition(app, "publish", by, obj=selection)
                except workflow.TransitionRefused as exc:
                    raise SelectionRefused(exc.message) from None
                moved += 1
        if moved:
            record_event("selection.notice_closed", _("遴选结果公示期满（%(n)s 项入选申报待签约）") % {"n": moved},
                         actor=by, obj=selection, changes={"code": selection.code, "moved": moved},
                         visibility=Visibility.OFFICE)
    return moved


def awaiting_notice_end(selection: Selection) -> bool:
    """Whether the selection is published, its notice period has ended, and selected applications still wait."""
    if not notice_has_ended(selection):
        return False
    ids = [o["application_id"] for o in selection.result["selected"]]
    return Application.objects.filter(pk__in=ids, status__in=workflow.TRANSITIONS["publish"].sources).exists()


def published(code: str) -> Selection | None:
    return (Selection.objects.filter(code=code, confirmed_at__isnull=False, published_at__isnull=False)
            .order_by("-published_at").first())


def unfinished_reviews(result: dict) -> list[dict]:
    """The eligible applications a selection result leaves out because their expert reviews are unfinished
    (unranked, the reason the core's "专家评分未完成"; an ineligible one's reason begins otherwise), each
    ``{"application_id", "organization_name", "detail"}`` (the detail: which experts or clauses are missing)."""
    return [{"application_id": o["application_id"], "organization_name": o["organization_name"],
             "detail": o["reason"][len(INCOMPLETE_REASON):]}
            for o in result.get("not_selected", ())
            if o.get("status") == UNRANKED and (o.get("reason") or "").startswith(INCOMPLETE_REASON)]


def applicant_outcome(application: Application) -> dict | None:
    """What the applicant learns from the published selection of its programme (installed as
    ``applications.domain.outcome.published_outcome``): None before publication or when the published
    selection does not list the application; else ``{"selected", "band", "amount", "published_at",
    "notice_ends_on", "notice_ended"}``. Never the rank or score of anyone else."""
    selection = published(application.programme_code)
    if selection is None:
        return None
    chosen = {o["application_id"]: o for o in selection.result["selected"]}
    if application.pk in chosen:
        outcome = chosen[application.pk]
    elif application.pk in listed_ids(selection):
        outcome = None
    else:
        return None
    return {"selected": outcome is not None, "band": (outcome or {}).get("band") or "",
            "amount": (outcome or {}).get("amount") or "", "published_at": selection.published_at,
            "notice_ends_on": selection.notice_ends_on, "notice_ended": notice_has_ended(selection)}


# --- objections --------------------------------------------------------------------------------

def listed_ids(selection: Selection) -> set[int]:
    return {o["application_id"] for o in (*selection.result["selected"], *selection.result["not_selected"])}


def record_objection(selection: Selection, by, *, application_id: int | None, received_on: dt.date | None,
                     submitter_name: str, submitter_unit: str, content: str, handling: str = "") -> Objection:
    """Record an objection received during the notice period (``interfaces.forms.objection_input`` reads
    the form: ``received_on`` is None when the date typed is not a date); raises SelectionInvalid."""
    errors: dict[str, str] = {}
    submitter_name, submitter_unit = (submitter_name or "").strip(), (submitter_unit or "").strip()
    content, handling = (content or "").strip(), (handling or "").strip()
    if not selection.is_published:
        raise SelectionRefused(_("遴选结果尚未公示，不能登记异议。"))
    application = None
    if application_id is not None and application_id in listed_ids(selection):
        application = Application.objects.filter(pk=application_id).first()
    if application is None:
        errors["application"] = _("所涉申报：请从本次遴选结果中选择一项申报。")
    day = received_on
    if day is None:
        errors["received_on"] = _("收到日期：请填写日期（年-月-日）。")
    else:
        start = timezone.localdate(selection.published_at)
        if not start <= day <= selection.notice_ends_on:
            errors["received_on"] = _("收到日期：须在公示期内（%(start)s 至 %(end)s），公示期外的异议不予受理。") \
                % {"start": start.isoformat(), "end": selection.notice_ends_on.isoformat()}
    if not submitter_name and not submitter_unit:
        errors["submitter_name"] = _("异议人：须以真实姓名或加盖单位公章提出，匿名异议不予受理。请填写姓名或单位。")
    if not content:
        errors["content"] = _("异议内容：请填写。")
    for name, label, value in (("submitter_name", _("异议人姓名"), submitter_name),
                               ("submitter_unit", _("异议单位"), submitter_unit)):
        most = Objection._meta.get_field(name).max_length
        if len(value) > most:
            errors[name] = _("%(label)s过长（%(n)s字），不得超过%(max)s字") % {"label": label, "n": len(value), "max": most}
    for name, label, value in (("content", _("异议内容"), content), ("handling", _("处理情况"), handling)):
        too_long = bounds.length_problem(label, value, "objection")
        if too_long:
            errors[name] = too_long
    if errors:
        raise SelectionInvalid(errors)
    with transaction.atomic():
        objection = Objection.objects.create(selection=selection, application=application, received_on=day,
                                             submitter_name=submitter_name, submitter_unit=submitter_unit,
                                             content=content, handling=handling, recorded_by=by)
        record_event("selection.objection", _("登记公示异议（%(who)s）") % {"who": submitter_name or submitter_unit},
                     actor=by, application=application, obj=objection,
                     changes={"selection": selection.pk, "received_on": day.isoformat()}, visibility=Visibility.OFFICE)
        # the organization concerned (never the objector's identity) and the office staff
        notify.on_commit("selection.objection", notify.send_objection, objection.pk)
    return objection


# --- export --------------------------------------------------------------------------------------

EXPORT_HEADER = ["序号", "名次", "申报单位", "档次", "支持金额（万元）"]


def export_rows(selection: Selection) -> list[list[Any]]:
    return [[i, o["rank"], o["organization_name"], o.get("band") or "", o.get("amount") or ""]
            for i, o in enumerate(selection.result["selected"], start=1)]


def export_xlsx(selection: Selection) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "公示名单"
    cells.append(sheet, [f"{selection.code} 遴选结果公示（公示期至 {selection.notice_ends_on.isoformat()}）"])
    cells.append(sheet, EXPORT_HEADER)
    for row in export_rows(selection):
        amount = row[4]
        row[4] = Decimal(amount) if amount else ""
        cells.append(sheet, row)  # an organization name is never a formula
    sheet.column_dimensions["C"].width = 40
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def export_csv(selection: Selection) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(EXPORT_HEADER)
    writer.writerows(cells.csv_row(row) for row in export_rows(selection))  # "=…" names are not formulas
    return "\ufeff" + buf.getvalue()  # BOM: Excel opens UTF-8 Chinese correctly
