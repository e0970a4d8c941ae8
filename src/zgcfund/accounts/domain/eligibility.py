"""Who may apply (issue 10): the organization's eligibility profile and the checklist the office
sees before approving it. The registration types the programme admits come from the programme file
(``eligibility.admitted_registration_types``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zgcfund.accounts.domain.credit import TYPE_DIGIT
from zgcfund.core import creditcode
from zgcfund.core.programme import Programme, load_programme

BEIJING_PREFIX = "11"
DECLARATION_TEXT = gettext_lazy(
    "本单位郑重声明：本单位未被列入严重失信主体名单，近三年无严重失信记录；如有不实，愿承担相应责任。")


def declaration_text_zh() -> str:
    """The declaration as stored with the organization (always in Chinese, whatever the page language)."""
    with translation.override("zh-hans"):
        return str(DECLARATION_TEXT)


def _packaged_programme() -> Programme:
    return load_programme()


#: Where the programme comes from. accounts sits below programmes and does not import it: the
#: programmes app installs its current version here when Django starts (ProgrammesConfig.ready).
programme_source: Callable[[], Programme] = _packaged_programme


def admitted_registration_types() -> tuple[str, ...]:
    """From the current programme version, else from the packaged programme file."""
    return programme_source().admitted_registration_types


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    present: bool
    detail: str = ""


@dataclass
class Checklist:
    items: list[ChecklistItem] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.items if not item.present]

    @property
    def problems(self) -> list[str]:
        """Every missing item and raised flag, as short texts (for the refusal and the audit record)."""
        return [_("缺少%(item)s") % {"item": item.label} for item in self.missing] + self.flags

    @property
    def clear(self) -> bool:
        return not self.missing and not self.flags


def division_of(code: str) -> str | None:
    """Positions 3–8 of the code when they are 6 digits."""
    code = creditcode.normalise(code or "")
    division = code[2:8]
    return division if len(division) == 6 and division.isdigit() else None


def eligibility_checklist(org, admitted: tuple[str, ...] | None = None) -> Checklist:
    from zgcfund.accounts.models.organization import InspectionResult, RegistrationType

    admitted = admitted_registration_types() if admitted is None else admitted
    inspection = ""
    if org.inspection_year and org.inspection_result:
        inspection = _("%(year)s年度：%(result)s") % {"year": org.inspection_year,
                                                   "result": org.get_inspection_result_display()}
    declared = ""
    if org.no_dishonesty_declared_at:
        declared = _("已于 %(at)s 声明") % {
            "at": timezone.localtime(org.no_dishonesty_declared_at).strftime("%Y-%m-%d %H:%M")}
    items = [
        ChecklistItem("certificate", _("登记证书扫描件"), bool(org.certificate), org.certificate_name),
        ChecklistItem("registration_authority", _("登记管理机关"), bool(org.registration_authority.strip()),
                      org.registration_authority),
        ChecklistItem("registered_address", _("住所"), bool(org.registered_address.strip()), org.registered_address),
        ChecklistItem("inspection", _("最近一次年检/年报结论"), bool(inspection), inspection),
        ChecklistItem("declaration", _("无严重失信记录声明"), bool(org.no_dishonesty_declared_at), declared),
    ]
    flags: list[str] = []
    division = division_of(org.credit_code)
    if division is not None and not division.startswith(BEIJING_PREFIX):
        flags.append(_("登记地不在北京（代码行政区划 %(division)s）") % {"division": division})
    code = creditcode.normalise(org.credit_code or "")
    reg_type = TYPE_DIGIT.get(code[1:2]) if code[:1] == "5" else None
    if reg_type is None:
        flags.append(_("无法从统一社会信用代码确认机构类别（第1–2位“%(c)s”），不属于本项目接纳的登记类型")
                     % {"c": code[:2]})
    elif reg_type not in admitted:
        flags.append(_("机构类别为%(type)s，不属于本项目接纳的登记类型（%(admitted)s）") % {
            "type": RegistrationType(reg_type).label,
            "admitted": "、".join(str(RegistrationType(t).label) for t in admitted)})
    if org.inspection_result == InspectionResult.UNQUALIFIED:
        flags.append(_("最近一次年检/年报结论为不合格"))
    return Checklist(items, flags)
