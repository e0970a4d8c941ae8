"""The application's phases as a declared table (staff and public names, what the applicant may do).

Later issues (review, implementation) add phases here; code asks the table, never compares names.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Phase:
    name: str
    public_name: str
    staff_name: str
    applicant_can_edit: bool
    applicant_can_submit: bool
    description: str = ""


DRAFT = "draft"
SUBMITTED = "submitted"
RETURNED = "returned"
FORMAL_PASSED = "formal_passed"

PHASES: dict[str, Phase] = {
    DRAFT: Phase(DRAFT, _("填报中"), _("草稿"), True, True, _("申报书尚未提交，可随时修改。")),
    SUBMITTED: Phase(SUBMITTED, _("已提交，待形式审查"), _("待形式审查"), False, False,
                     _("申报书已提交并锁定；项目办公室退回前不能修改。")),
    RETURNED: Phase(RETURNED, _("退回修改"), _("已退回修改"), True, True,
                    _("项目办公室已退回申报书，请按意见修改后重新提交。")),
    FORMAL_PASSED: Phase(FORMAL_PASSED, _("形式审查通过，待专家评审"), _("待专家评审"), False, False,
                         _("申报书已通过形式审查，进入专家评审。")),
}

PHASE_CHOICES = [(p.name, p.staff_name) for p in PHASES.values()]


def phase(name: str) -> Phase:
    return PHASES[name]
