"""The registration check of a 统一社会信用代码: GB 32100 validity, a social organization's code
(registration authority 5 民政), and agreement of its type digit with the chosen registration type."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from zgcfund.core import creditcode

# Position 2 under authority 5 (民政) → registration type.
TYPE_DIGIT = {"1": "social_group", "2": "private_non_enterprise", "3": "foundation"}


@dataclass(frozen=True)
class CreditCodeCheck:
    code: str                          # normalised
    problems: list[str] = field(default_factory=list)
    parts: dict[str, str] | None = None  # creditcode.describe() of a code valid under GB 32100

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def overridable(self) -> bool:
        """Only a code of 18 letters and digits can be accepted by the office against the check."""
        return len(self.code) == creditcode.LENGTH and self.code.isascii() and self.code.isalnum()


def check_credit_code(raw: str, registration_type: str | None = None) -> CreditCodeCheck:
    from zgcfund.accounts.models.organization import RegistrationType

    code = creditcode.normalise(raw or "")
    if not code:
        return CreditCodeCheck(code, [_("请填写统一社会信用代码")])
    found = list(creditcode.problems(code))
    parts = None
    if not found:
        parts = creditcode.describe(code)
    if code[0] != "5" and code[0] in creditcode.VALID_AUTHORITY_CODES:
        authority = {"1": _("机构编制"), "9": _("工商")}.get(code[0], _("其他"))
        found.append(_("第1位登记管理部门代码为“%(c)s”（%(a)s），社会组织的代码应以“5”（民政）开头")
                     % {"c": code[0], "a": authority})
    if code[0] == "5" and len(code) > 1 and registration_type and code[1] in TYPE_DIGIT \
            and TYPE_DIGIT[code[1]] != registration_type:
        found.append(_("第2位机构类别代码“%(c)s”表示%(meant)s，与所选登记类型“%(chosen)s”不一致") % {
            "c": code[1], "meant": RegistrationType(TYPE_DIGIT[code[1]]).label,
            "chosen": RegistrationType(registration_type).label if registration_type in RegistrationType.values
            else registration_type})
    return CreditCodeCheck(code, found, parts)
