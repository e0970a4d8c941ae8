"""The record form, generated from the clause's field specs in the programme file.

The form only turns HTML inputs into format values (numbers, dates, booleans, parties); what is
valid is decided by the engine (``check_record``), whose problems are mapped back onto the fields.
A later programme year with new fields needs no code here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from zgcfund.applications.domain.notices import NOTICE_REF, PARTY, notice_fields, notices_of
from zgcfund.applications.models import Record, RecordPhase
from zgcfund.core import bounds
from zgcfund.core.errors import Problem
from zgcfund.core.numbers import display_number
from zgcfund.core.programme import ClauseDef, FieldSpec

BOOL_CHOICES = [("", _("— 请选择 —")), ("true", _("是")), ("false", _("否"))]
PARTS = {"party": (("name", _("名称")), ("credit_code", _("统一社会信用代码"))),
         "contact": (("name", _("姓名")), ("phone", _("电话")))}


def _bounded(problem: Callable[[Any], str | None]) -> Callable[[Any], None]:
    """A validator from a ``core.bounds`` check: the same message as the JSON and Excel imports."""
    def validate(value: Any) -> None:
        message = problem(value)
        if message:
            raise ValidationError(message, code="bounds")
    return validate


def _text_field(label, kind: str, bound_label: str, **kwargs) -> forms.CharField:
    kwargs.setdefault("widget", forms.TextInput)
    field = forms.CharField(label=label, validators=[_bounded(lambda v: bounds.length_problem(bound_label, v, kind))],
                            **kwargs)
    field.widget.attrs["maxlength"] = str(bounds.limit(kind))
    return field


def _date_field(label, bound_label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, validators=[_bounded(lambda d: bounds.date_problem(bound_label, d))],
                           widget=forms.DateInput(attrs={"type": "date", "min": bounds.DATE_MIN.isoformat(),
                                                         "max": bounds.DATE_MAX.isoformat()}, format="%Y-%m-%d"),
                           **kwargs)


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class RecordForm(forms.Form):
    phase = forms.ChoiceField(label=_("阶段"), choices=RecordPhase.choices, widget=forms.RadioSelect,
                              help_text=_("前期工作绩效：2024年8月1日至申报日已发生的工作；实施期内工作计划：签署合同后开展的工作。"))
    date = _date_field(_("日期"), bounds.LABELS["date"], help_text=_("工作发生（或计划）的日期；跨时段的工作填结束日期"))
    title = _text_field(_("名称/主题"), "title", bounds.LABELS["title"])
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, clause: ClauseDef, record: Record | None = None, organization=None, **kwargs):
        """``organization``: whose 注册前信息报送 a K3.2/K3.3 record may name (a select of them)."""
        self.clause, self.record = clause, record
        if record is not None and "auto_id" not in kwargs:
            # an edit form opens inside the clause page next to the new-record form: ids (labels, the error
            # summary's links) must not repeat
            kwargs["auto_id"] = f"id_r{record.pk}_%s"
        if record is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(clause, record)
        self.notice_link = notice_fields(clause)  # (date field, self-declared flag) or None
        self.notices = {n.number: n for n in notices_of(organization)} if self.notice_link and organization else {}
        if args and args[0] is not None and self.notice_link:
            args = (self._prefilled(args[0]), *args[1:])
        super().__init__(*args, **kwargs)
        self.layout: list[tuple[FieldSpec, list[str]]] = []
        for spec in clause.fields.values():
            if self.notice_link and spec.name == self.notice_link[1]:
                continue  # set by the domain: self-declared unless the date comes from a notice
            self.layout.append((spec, self._add(spec)))
        self.fields["title"].label = _("名称/主题")
        if self.notice_link:
            self._notice_fields()

    # --- K3.2/K3.3: the record's pre-registration notice ----------------------------------------

    def selected_notice(self):
        name = NOTICE_REF
        value = self.data.get(name) if self.is_bound else self.initial.get(name)
        return self.notices.get((value or "").strip().upper()) if value else None

    def _prefilled(self, data):
        """Posted data with the chosen notice's facts in the fields left empty, and its stamped date."""
        notice = self.notices.get((data.get(NOTICE_REF) or "").strip().upper())
        if notice is None:
            return data
        data = data.copy()
        facts = {f"{PARTY}__name": notice.enterprise_name, "registered_in": notice.registered_in,
                 "registered_capital": notice.capital_text,
                 "foreign": "true" if notice.foreign else "false", "business_scope": notice.business_scope}
        for key, value in facts.items():
            if not (data.get(key) or "").strip():
                data[key] = value
        data[self.notice_link[0]] = notice.received_on.isoformat()
        return data

    def _notice_fields(self) -> None:
        date_field = self.notice_link[0]
        if NOTICE_REF in self.fields:
            label = self.fields[NOTICE_REF].label
            choices = [("", gettext("不关联（自报日期）"))] + [
                (n.number, f"{n.number} {n.enterprise_name} {n.received_on.isoformat()}") for n in self.notices.values()]
            current = (self.initial.get(NOTICE_REF) or "") if not self.is_bound else ""
            if current and current not in self.notices:  # keep a stored number visible (the domain re-checks it)
                choices.append((current, current))
            self.fields[NOTICE_REF] = forms.ChoiceField(
                label=label, required=False, choices=choices,
                widget=NoticeSelect(notices=self.notices, date_field=date_field),
                help_text=gettext("选择本单位通过“企业注册前信息报送”登记的报送；提供企业信息日期以系统登记的送达日期为准。"))
            if date_field in self.fields:  # the select comes first: choosing a notice sets the date
                names = [n for n in self.fields if n != NOTICE_REF]
                names.insert(names.index(date_field), NOTICE_REF)
                self.fields = {n: self.fields[n] for n in names}
        if date_field in self.fields:
            field = self.fields[date_field]
            notice = self.selected_notice()
            linked = gettext("系统登记：报送 %(number)s 的送达日期")
            declared = gettext("自报日期，待项目办公室核实；通过“在线报送注册前信息”报送并在上方关联的，"
                               "以系统登记的送达日期为准。")
            field.widget.attrs.update({"data-notice-date": "1", "data-linked-help": linked % {"number": "{number}"},
                                       "data-declared-help": declared})
            if notice is not None:
                field.widget.attrs["readonly"] = "readonly"
                field.help_text = linked % {"number": notice.number}
            else:
                field.help_text = declared

    def _add(self, spec: FieldSpec) -> list[str]:
        name, label, required = spec.name, spec.label, spec.required
        if spec.type in PARTS:
            names = []
            for part, part_label in PARTS[spec.type]:
                key = f"{name}__{part}"
                if part == "name":  # the format's party/contact name: "调研企业名称", "联系人姓名"
                    self.fields[key] = _text_field(f"{label} · {part_label}", "name",
                                                   f"{label}{'名称' if spec.type == 'party' else '姓名'}",
                                                   required=required)
                else:
                    self.fields[key] = forms.CharField(label=f"{label} · {part_label}", max_length=100, required=False)
                names.append(key)
            return names
        if spec.type == "bool":
            field: forms.Field = forms.TypedChoiceField(label=label, choices=BOOL_CHOICES, required=required,
                                                        coerce=lambda v: v == "true", empty_value=None)
        elif spec.type == "amount":
            field = forms.DecimalField(label=label, decimal_places=4, required=required,
                                       validators=[_bounded(lambda v, s=spec: bounds.amount_problem(s.label, v))],
                                       widget=forms.NumberInput(attrs={"step": "any", "min": 0,
                                                                       "max": bounds.AMOUNT_MAX}))
        elif spec.type == "count":
            field = forms.IntegerField(label=label, required=required,
                                       validators=[_bounded(lambda v, s=spec: bounds.count_problem(s.label, v))],
                                       widget=forms.NumberInput(attrs={"min": 0, "max": bounds.COUNT_MAX}))
        elif spec.type == "date":
            field = _date_field(label, spec.label, required=required)
        elif spec.type == "text":
            field = _text_field(label, "text", spec.label, required=required, widget=forms.Textarea(attrs={"rows": 3}))
        elif spec.type == "enum":
            field = forms.ChoiceField(label=label, required=required,
                                      choices=[("", _("— 请选择 —")), *(spec.values or {}).items()])
        elif spec.type == "set":
            field = forms.MultipleChoiceField(label=label, required=required, choices=list((spec.values or {}).items()),
                                              widget=forms.CheckboxSelectMultiple)
        elif spec.type == "industry_code":  # the engine checks the code (and says so the same way everywhere)
            field = forms.CharField(label=label, required=required, widget=forms.TextInput(attrs={"maxlength": 4}),
                                    help_text=_("GB/T 4754-2017 四位代码，如 7320"))
        else:  # string
            field = _text_field(label, "string", spec.label, required=required)
        if spec.required_when:  # e.g. P3 location for conferences: the validator names the field when missing
            on, values = spec.required_when
            shown = "、".join(f"“{self.clause.fields[on].values[v]}”" for v in values)
            note = _("类型为%(types)s时必填") % {"types": shown}
            field.help_text = f"{field.help_text}；{note}" if field.help_text else note
        self.fields[name] = field
        return [name]

    def record_data(self) -> dict[str, Any]:
        """The cleaned input as a format record (without id/clause/evidence)."""
        data = self.cleaned_data
        out: dict[str, Any] = {"phase": data["phase"], "date": data["date"].isoformat(), "title": data["title"]}
        for spec, _names in self.layout:
            if spec.type in PARTS:
                parts = {part: (data.get(f"{spec.name}__{part}") or "").strip() for part, _ in PARTS[spec.type]}
                if any(parts.values()):
                    out[spec.name] = {k: v for k, v in parts.items() if v}
                continue
            value = data.get(spec.name)
            if spec.type == "amount":
                value = _number(value)
            elif isinstance(value, dt.date):
                value = value.isoformat()
            elif spec.type == "set":
                value = list(value) if value else None
            elif isinstance(value, str):
                value = value.strip() or None
            if value is not None:
                out[spec.name] = value
        return out

    def add_problems(self, problems: list[Problem]) -> None:
        """Put the engine's problems on the fields they name (``enterprise.credit_code`` → enterprise__credit_code)."""
        for p in problems:
            head, _, rest = p.path.partition(".")
            key = f"{head}__{rest.split('.')[0].split('[')[0]}" if rest else head.split("[")[0]
            if key not in self.fields and head in self.fields:
                key = head
            if key in self.fields:
                self.add_error(key, p.message)
            elif f"{head}__name" in self.fields:
                self.add_error(f"{head}__name", p.message)
            else:
                self.add_error(None, f"{p.path}{pgettext('label separator', '：')}{p.message}" if p.path else p.message)


class NoticeSelect(forms.Select):
    """The organization's notices; each option carries its facts for the form's small script."""

    def __init__(self, *args, notices: dict | None = None, date_field: str = "", **kwargs):
        self.notices, self.date_field = notices or {}, date_field
        super().__init__(*args, **kwargs)
        self.attrs["data-notice-select"] = "1"

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        notice = self.notices.get(value)
        if notice is not None:
            option["attrs"].update({
                "data-enterprise": notice.enterprise_name, "data-registered-in": notice.registered_in,
                "data-capital": notice.capital_text,
                "data-foreign": "true" if notice.foreign else "false", "data-scope": notice.business_scope,
                "data-received": notice.received_on.isoformat()})
        return option


def initial_for(clause: ClauseDef, record: Record) -> dict[str, Any]:
    initial: dict[str, Any] = {"phase": record.phase, "date": record.date, "title": record.title,
                               "version": record.version}
    for spec in clause.fields.values():
        value = record.fields.get(spec.name)
        if value is None:
            continue
        if spec.type in PARTS and isinstance(value, dict):
            for part, _label in PARTS[spec.type]:
                initial[f"{spec.name}__{part}"] = value.get(part, "")
        elif spec.type == "bool":
            initial[spec.name] = "true" if value else "false"
        elif spec.type == "date":
            initial[spec.name] = dt.date.fromisoformat(value)
        else:
            initial[spec.name] = value
    return initial


def display_value(spec: FieldSpec, value: Any) -> str:
    """A stored field value as the applicant reads it."""
    if value is None or value == "":
        return "—"
    if spec.type == "bool":
        return str(_("是")) if value else str(_("否"))
    if spec.type == "enum":
        return (spec.values or {}).get(value, value)
    if spec.type == "set":
        return pgettext("list separator", "、").join((spec.values or {}).get(v, v) for v in value)
    if spec.type in PARTS and isinstance(value, dict):
        return " ".join(str(value.get(part, "")) for part, _ in PARTS[spec.type] if value.get(part))
    if spec.type == "amount":
        return gettext("%(amount)s 万元") % {"amount": display_number(value)}
    return str(value)


class NoticeForm(forms.Form):
    """企业注册前信息报送: the facts the office must have ≥ 10 working days before registration."""

    enterprise_name = _text_field(_("企业名称"), "name", "企业名称")
    registered_in = _text_field(_("拟注册地"), "name", "拟注册地", help_text=_("如：北京市海淀区"))
    registered_capital = forms.DecimalField(
        label=_("注册资金（万元）"), max_digits=14, decimal_places=2,
        validators=[_bounded(lambda v: bounds.amount_problem("注册资金", v))],
        widget=forms.NumberInput(attrs={"step": "0.01", "min": 0, "max": bounds.AMOUNT_MAX}))
    foreign = forms.TypedChoiceField(label=_("是否外资企业"), choices=BOOL_CHOICES, coerce=lambda v: v == "true")
    business_scope = _text_field(_("业务范围"), "text", "业务范围", widget=forms.Textarea(attrs={"rows": 4}))
