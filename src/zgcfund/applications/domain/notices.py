"""企业注册前信息报送 (K3.2/K3.3): an approved organization lodges a future enterprise's name, place,
capital and scope; the system stamps the moment it arrived. Never edited (a correction is a new
notice). A record naming a notice (``notice_ref``) takes its notice date from the stamp; a date the
applicant types is marked self-declared, for the office to confirm."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zgcfund.accounts.rules import is_applicant_of
from zgcfund.applications.models import RegistrationNotice
from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility
from zgcfund.core import bounds
from zgcfund.core.workdays import CalendarRangeError, covers, working_days_between
from zgcfund.programmes.domain import clock

NOTICE_REF = "notice_ref"
PREFIX = "ZC"
# record field ← notice attribute: filled from the notice when the record leaves it empty
PREFILL = {"registered_in": "registered_in", "registered_capital": "registered_capital",
           "foreign": "foreign", "business_scope": "business_scope"}
PARTY = "enterprise"  # the record's party field; its name comes from ``enterprise_name``


class NoticeRefused(Exception):
    """``field`` names the input at fault (None: the whole request); ``message`` says why, in Chinese."""

    def __init__(self, field: str | None, message: str):
        self.field, self.message = field, message
        super().__init__(message)


# --- queries ----------------------------------------------------------------------------------------

def notices_of(organization) -> QuerySet[RegistrationNotice]:
    return RegistrationNotice.objects.filter(organization=organization).select_related("lodged_by")


def notices_for_office(programme_code: str | None, *, organization_id: int | None = None,
                       search: str = "") -> QuerySet[RegistrationNotice]:
    qs = RegistrationNotice.objects.select_related("organization", "lodged_by")
    if programme_code:
        qs = qs.filter(programme_code=programme_code)
    if organization_id:
        qs = qs.filter(organization_id=organization_id)
    if search.strip():
        qs = qs.filter(enterprise_name__icontains=search.strip())
    return qs


def find_notice(organization, number: str) -> RegistrationNotice | None:
    """The organization's own notice with that number; None for an unknown number or another's."""
    number = (number or "").strip().upper()
    if not number or organization is None:
        return None
    return RegistrationNotice.objects.filter(organization=organization, number=number).first()


# --- lodging ----------------------------------------------------------------------------------------

def lodging_refusal(organization, user) -> str | None:
    """None when ``user`` may lodge a notice for ``organization``; else why not, in Chinese."""
    if not is_applicant_of(user, organization):
        return _("您不是本单位的成员，不能报送。")
    if not organization.is_approved:
        return _("本单位注册信息尚未通过项目办公室审核，审核通过后才能报送企业注册前信息。")
    return None


def _label(name: str) -> str:
    return str(RegistrationNotice._meta.get_field(name).verbose_name)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, kind in (("enterprise_name", "name"), ("registered_in", "name"), ("business_scope", "text")):
        value = str(data.get(name) or "").strip()
        if not value:
            raise NoticeRefused(name, _("请填写“%(label)s”。") % {"label": _label(name)})
        problem = bounds.length_problem(_label(name), value, kind)
        if problem:
            raise NoticeRefused(name, problem)
        out[name] = value
    capital = data.get("registered_capital")
    try:
        capital = Decimal(str(capital).strip()) if capital not in (None, "") else None
    except InvalidOperation:
        capital = None
    if capital is None or not capital.is_finite():
        raise NoticeRefused("registered_capital", _("请填写“%(label)s”（数字，单位：万元）。") % {
            "label": _label("registered_capital")})
    problem = bounds.amount_problem(_label("registered_capital"), capital)
    if problem:
        raise NoticeRefused("registered_capital", problem)
    out["registered_capital"] = capital.quantize(Decimal("0.01"))
    out["foreign"] = data.get("foreign") in (True, "true", "on", "1", 1)
    return out


def _next_number(year: int) -> str:
    head = f"{PREFIX}-{year}-"
    last = (RegistrationNotice.objects.filter(number__startswith=head).order_by("-number")
            .values_list("number", flat=True).first())
    n = int(last[len(head):]) + 1 if last and last[len(head):].isdigit() else 1
    return f"{head}{n:06d}"


def lodge_notice(organization, user, programme_code: str, data: dict[str, Any]) -> RegistrationNotice:
    """A new notice, stamped now, numbered ``ZC-<Beijing year>-<serial>``. Raises PermissionDenied for a
    non-member, NoticeRefused for an unapproved organization or bad input; then nothing is written."""
    if not is_applicant_of(user, organization):
        raise PermissionDenied
    refusal = lodging_refusal(organization, user)
    if refusal:
        raise NoticeRefused(None, refusal)
    if not programme_code:
        raise NoticeRefused(None, _("尚未载入项目文件，请联系项目办公室。"))
    values = _clean(data)
    now = clock.now()  # a programme fact, like the application date (a demo installation's clock)
    with transaction.atomic():
        for _attempt in range(5):
            try:
                with transaction.atomic():  # the number is unique: a colleague may take it at the same moment
                    notice = RegistrationNotice.objects.create(
                        organization=organization, programme_code=programme_code,
                        number=_next_number(timezone.localdate(now).year), received_at=now, lodged_by=user, **values)
                break
            except IntegrityError:
                continue
        else:
            raise NoticeRefused(None, _("报送编号冲突，请重试。"))
        record_event("notice.lodge", _("报送企业注册前信息 %(number)s：%(name)s") % {
            "number": notice.number, "name": notice.enterprise_name},
            actor=user, organization=organization, obj=notice,
            changes={"number": notice.number, "programme": programme_code,
                     "received_at": notice.received_at.isoformat(), **values,
                     "registered_capital": str(values["registered_capital"])},
            visibility=Visibility.ORGANIZATION)
    return notice


# --- the working-day rule ---------------------------------------------------------------------------

def working_day_rule(clause) -> tuple[str, str, Any] | None:
    """(earlier field, later field, threshold spec) of the clause's ``working_days_between`` rule."""
    if clause is None:
        return None
    for rule in clause.raw.get("record_rules", []):
        test = rule.get("test")
        if isinstance(test, dict) and "working_days_between" in test:
            earlier, later = test["working_days_between"]
            return earlier, later, test.get("ge")
    return None


def required_working_days(programme, clause, day: dt.date) -> int | None:
    rule = working_day_rule(clause)
    if rule is None or rule[2] is None:
        return None
    threshold = rule[2]
    return int(programme.params_on(day)[threshold["param"]] if isinstance(threshold, dict) else threshold)


def registration_lead(programme, day: dt.date) -> int | None:
    """Working days a notice must precede registration (the K3.2/K3.3 rule's threshold on ``day``)."""
    for clause in programme.clauses.values():
        if notice_fields(clause):
            n = required_working_days(programme, clause, day)
            if n is not None:
                return n
    return None


def earliest_registration(received_on: dt.date, working_days: int) -> dt.date | None:
    """The first date with at least ``working_days`` working days strictly between it and ``received_on``
    (the count the K3.2 rule makes); None beyond the official calendar."""
    day = received_on
    try:
        while working_days_between(received_on, day) < working_days:
            day += dt.timedelta(days=1)
            if not covers(day):
                return None
    except CalendarRangeError:
        return None
    return day


def lead_working_days(earlier: Any, later: Any) -> int | None:
    """Working days between two ISO dates (or dates); None when either is missing or not covered."""
    try:
        a = earlier if isinstance(earlier, dt.date) else dt.date.fromisoformat(earlier)
        b = later if isinstance(later, dt.date) else dt.date.fromisoformat(later)
        return working_days_between(a, b)
    except (TypeError, ValueError):  # CalendarRangeError is a ValueError
        return None


# --- linking a record to a notice -------------------------------------------------------------------

def notice_fields(clause) -> tuple[str, str] | None:
    """(date field, its self-declared flag) of a clause whose records may name a notice."""
    if clause is None or NOTICE_REF not in clause.fields:
        return None
    for spec in clause.fields.values():
        if spec.type == "date" and spec.self_declared:
            return spec.name, spec.self_declared
    return None


def link_notice(organization, clause, data: dict[str, Any]) -> dict[str, Any]:
    """A record's format fields with the notice rule applied (a copy; other clauses unchanged).

    ``notice_ref`` naming one of the organization's notices: the date becomes the notice's stamp,
    not self-declared, and empty enterprise fields are taken from the notice. No ``notice_ref`` and a
    typed date: self-declared. A ``notice_ref`` of another organization, or unknown, is refused."""
    linked = notice_fields(clause)
    if linked is None or not isinstance(data, dict):
        return data
    date_field, flag = linked
    data = dict(data)
    ref = data.get(NOTICE_REF)
    if isinstance(ref, str):
        ref = ref.strip()
    if not ref:
        data.pop(NOTICE_REF, None)
        if data.get(date_field) not in (None, ""):
            data[flag] = True
        else:
            data.pop(flag, None)
        return data
    if not isinstance(ref, str):
        return data  # the engine reports the wrong type
    notice = find_notice(organization, ref)
    if notice is None:
        label = clause.fields[NOTICE_REF].label
        raise NoticeRefused(NOTICE_REF, _("“%(label)s”（%(field)s）：编号“%(ref)s”不是本单位报送的注册前信息，不能关联。") % {
            "label": label, "field": NOTICE_REF, "ref": ref[:40]})
    data[NOTICE_REF] = notice.number
    data[date_field] = notice.received_on.isoformat()
    data[flag] = False
    for field, attr in PREFILL.items():
        if field in clause.fields and data.get(field) in (None, ""):
            value = getattr(notice, attr)
            data[field] = _number(value) if isinstance(value, Decimal) else value
    party = data.get(PARTY)
    if PARTY in clause.fields and not (isinstance(party, dict) and party.get("name")):
        data[PARTY] = {**(party if isinstance(party, dict) else {}), "name": notice.enterprise_name}
    return data


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def link_document(organization, programme, doc: Any) -> tuple[Any, list]:
    """A zgc-application/1 document with ``link_notice`` applied to each record, and the refusals as
    problems (``records[i].notice_ref``). A malformed document is returned as is for the validator."""
    from zgcfund.core.errors import Problem

    if not isinstance(doc, dict) or not isinstance(doc.get("records"), list):
        return doc, []
    problems, records = [], []
    for i, raw in enumerate(doc["records"]):
        named = raw.get("clause") if isinstance(raw, dict) else None
        clause = programme.clauses.get(named) if isinstance(named, str) else None
        try:
            records.append(link_notice(organization, clause, raw))
        except NoticeRefused as exc:
            problems.append(Problem(f"records[{i}].{exc.field}", exc.message))
            records.append(raw)
    return {**doc, "records": records}, problems


def record_notice_facts(organization, clause, fields: dict[str, Any]) -> dict[str, Any] | None:
    """What a reviewer reads about a record's notice date: the linked notice (number, stamped date), or
    that the date is self-declared. None for a clause without notices or a record without a date."""
    linked = notice_fields(clause)
    if linked is None:
        return None
    date_field, flag = linked
    ref = fields.get(NOTICE_REF)
    if ref:
        notice = find_notice(organization, ref) if isinstance(ref, str) else None
        return {"ref": ref, "notice": notice, "received_on": notice.received_on if notice else None,
                "matches": bool(notice and fields.get(date_field) == notice.received_on.isoformat())}
    if fields.get(date_field) and fields.get(flag) is not False:
        return {"self_declared": True, "date": fields.get(date_field)}
    return None
