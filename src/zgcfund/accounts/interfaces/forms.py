"""Forms of the accounts pages: registration, organization details, office review, invitations, login."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from zgcfund.accounts.domain import throttle
from zgcfund.accounts.domain.credit import CreditCodeCheck, check_credit_code
from zgcfund.accounts.domain.phones import normalise_phone
from zgcfund.accounts.domain.registration import (
    credit_code_taken,
    duplicate_code_message,
    email_taken,
    normalise_email,
)
from zgcfund.accounts.models import User
from zgcfund.accounts.models.organization import RegistrationType
from zgcfund.accounts.models.user import Role
from zgcfund.audit.domain.security import SecurityEventKind, client_address, record_security_event

YES_NO = (("1", _("是")), ("0", _("否")))


def _yes_no(label, help_text):
    return forms.TypedChoiceField(label=label, help_text=help_text, choices=YES_NO, coerce=lambda v: v == "1",
                                  widget=forms.RadioSelect, error_messages={"required": _("请选择“是”或“否”。")})


class PhoneField(forms.CharField):
    default_error_messages = {  # noqa: RUF012 - Django's pattern
        "invalid": _("请填写中国大陆手机号码（11位）或固定电话（区号-号码，如 010-62345678，分机可写作 -123）。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.input_type = "tel"
        self.widget.attrs.setdefault("autocomplete", "tel")

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        phone = normalise_phone(value)
        if phone is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return phone


class OrganizationFieldsForm(forms.Form):
    """The organization's own fields, with the credit-code check and its override."""

    name = forms.CharField(label=_("单位名称"), max_length=100,
                           help_text=_("与《社会组织法人登记证书》所载名称完全一致。"))
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=30,
                                  help_text=_("18位，见登记证书；社会组织的代码以“5”开头。字母不区分大小写。"))
    credit_code_override = forms.BooleanField(label=_("代码与登记证书一致，申请人工核验"), required=False)
    credit_code_applicant_note = forms.CharField(
        label=_("核验说明"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("请简要说明，例如：登记证书所载代码即为此代码，证书编号及发证机关。最多300字。"))
    registration_type = forms.ChoiceField(label=_("登记类型"), choices=RegistrationType.choices,
                                          widget=forms.RadioSelect,
                                          help_text=_("按登记证书填写。产业技术联盟按社会团体登记，请选择“社会团体”。"))
    comprehensive = _yes_no(_("是否为综合类社会组织"),
                            _("政策原文：“支持综合类社会组织持续推进科技惠企业服务和社会组织服务体系建设”。"))
    registers_tech_contracts = _yes_no(_("是否承担技术合同登记工作"),
                                       _("承担技术合同登记工作的社会组织可申报“技术合同登记服务”（K5.2）。"))
    contact_name = forms.CharField(label=_("联系人姓名"), max_length=60,
                                   help_text=_("项目办公室就申报事宜联系的人员。"))
    contact_phone = PhoneField(label=_("联系电话"), help_text=_("手机或固定电话，如 13812345678 或 010-62345678。"))
    contact_email = forms.EmailField(label=_("联系邮箱"), help_text=_("审核结果等通知将发送至此邮箱。"))

    organization_pk = None  # the organization being edited (duplicate check)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.credit_check: CreditCodeCheck | None = None
        if "credit_code" in self.fields:  # live check under the field (htmx); the form works without it
            self.fields["credit_code"].widget.attrs.update({
                "hx-get": reverse("accounts:check_credit_code"), "hx-target": "#credit-code-check", "hx-swap": "outerHTML",
                "hx-trigger": "input changed delay:400ms", "hx-sync": "this:replace",
                "hx-include": "[name=registration_type]:checked",
                "autocomplete": "off", "spellcheck": "false", "class": "mono"})
            if "registration_type" in self.fields:  # the type digit is part of the check
                self.fields["registration_type"].widget.attrs.update({
                    "hx-get": reverse("accounts:check_credit_code"), "hx-target": "#credit-code-check", "hx-swap": "outerHTML",
                    "hx-trigger": "change", "hx-include": "[name=credit_code]"})

    def clean(self):
        data = super().clean()
        if "credit_code" in self.fields:
            self._clean_credit_code(data)
        return data

    def _clean_credit_code(self, data):
        raw = data.get("credit_code")
        if raw is None:
            return
        check = check_credit_code("".join(raw.split()), data.get("registration_type"))
        self.credit_check = check
        data["credit_code"] = check.code
        data["credit_code_check_failed"] = False
        note = (data.get("credit_code_applicant_note") or "").strip()
        problems = pgettext("list separator", "；").join(check.problems)
        if check.passed:
            data["credit_code_applicant_note"] = ""
        elif not check.overridable:
            self.add_error("credit_code", gettext("统一社会信用代码有误：%(p)s。请对照登记证书重新填写。") % {"p": problems})
            return
        elif not data.get("credit_code_override"):
            self.add_error("credit_code", gettext(
                "统一社会信用代码未通过校验：%(p)s。请对照登记证书核对；如代码确与证书一致，请勾选下方"
                "“代码与登记证书一致，申请人工核验”并填写说明，由项目办公室人工核验。") % {"p": problems})
            return
        elif not note:
            self.add_error("credit_code_applicant_note", gettext("申请人工核验时请填写说明，供项目办公室核对登记证书。"))
            return
        else:
            data["credit_code_check_failed"] = True
            data["credit_code_applicant_note"] = note
        if credit_code_taken(check.code, exclude_pk=self.organization_pk):
            self.add_error("credit_code", duplicate_code_message())


PASSWORD_MESSAGES = {  # Django 5.2's own zh-hans catalogue lacks some of these messages
    "password_too_short": _("密码太短，至少需要 %(min_length)d 个字符。"),
    "password_too_similar": _("密码与%(verbose_name)s太相似。"),
    "password_too_common": _("这个密码太常见了。"),
    "password_entirely_numeric": _("密码不能全是数字。"),
}


def validate_new_password(password: str, user) -> None:
    """AUTH_PASSWORD_VALIDATORS, with Chinese messages for Django's own validators."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError([ValidationError(PASSWORD_MESSAGES[e.code], code=e.code, params=e.params)
                               if e.code in PASSWORD_MESSAGES else e for e in exc.error_list]) from None


class PasswordPairMixin:
    def _password_help(self):
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

    """password1/password2, checked against AUTH_PASSWORD_VALIDATORS with the future user's details."""

    def _clean_passwords(self, data, user: User):
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", gettext("两次输入的密码不一致。"))
        elif p1:
            try:
                validate_new_password(p1, user)
            except ValidationError as exc:
                self.add_error("password1", exc)


def _password_fields():
    return (
        forms.CharField(label=_("密码"), strip=False,
                        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})),
        forms.CharField(label=_("确认密码"), strip=False, help_text=_("请再次输入同一密码。"),
                        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})),
    )


class RegistrationForm(PasswordPairMixin, OrganizationFieldsForm):
    full_name = forms.CharField(label=_("姓名"), max_length=60, help_text=_("注册人即本单位账户管理员，可邀请同事共同填报。"))
    email = forms.EmailField(label=_("登录邮箱"), max_length=254, help_text=_("用于登录和找回密码。"),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password1, password2 = _password_fields()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._password_help()

    privacy_accepted = forms.BooleanField(
        label=_("我已阅读并同意《个人信息告知》"),
        error_messages={"required": _("请阅读并同意《个人信息告知》后再提交注册。")})

    SECTIONS = (
        (_("单位信息"), ("name", "credit_code", "registration_type", "comprehensive", "registers_tech_contracts")),
        (_("联系人"), ("contact_name", "contact_phone", "contact_email")),
        (_("账户"), ("full_name", "email", "password1", "password2")),
    )

    def clean_email(self):
        # never "already registered" here: that answer would tell anyone which addresses have accounts
        # (the account's owner is told by e-mail instead, domain.registration.request_registration)
        return normalise_email(self.cleaned_data["email"])

    def clean(self):
        data = super().clean()
        self._clean_passwords(data, User(email=data.get("email") or "", full_name=data.get("full_name") or ""))
        return data


class OrganizationEditForm(OrganizationFieldsForm):
    """What the organization's admin may change: everything before approval, contact details after."""

    def __init__(self, *args, organization, **kwargs):
        from zgcfund.accounts.domain.organizations import editable_fields

        initial = {name: getattr(organization, name) for name in editable_fields(organization)}
        for name in ("comprehensive", "registers_tech_contracts"):
            if name in initial:
                initial[name] = "1" if initial[name] else "0"
        initial["credit_code_override"] = organization.credit_code_check_failed
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.organization_pk = organization.pk
        allowed = set(editable_fields(organization)) | {"credit_code_override"}
        if organization.is_approved:
            allowed.discard("credit_code_override")
        for name in list(self.fields):
            if name not in allowed:
                del self.fields[name]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("审核结果"), widget=forms.RadioSelect,
                                 choices=(("approve", _("通过")), ("reject", _("不予通过"))),
                                 error_messages={"required": _("请选择“通过”或“不予通过”。")})
    note = forms.CharField(label=_("审核意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("将通过邮件告知申报单位；不予通过时必填。"))
    override_reason = forms.CharField(
        label=_("人工核验通过理由"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("统一社会信用代码未通过校验时必填：说明已核对登记证书原件或扫描件及结论。"))
    eligibility_reason = forms.CharField(
        label=_("资格核验通过理由"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("资格核验清单有缺项或提示时，通过审核必填：说明核实情况及予以通过的依据。"))

    def __init__(self, *args, organization, eligibility_problems=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.eligibility_problems = list(eligibility_problems)
        if not organization.credit_code_check_failed:
            del self.fields["override_reason"]
        if not self.eligibility_problems:
            del self.fields["eligibility_reason"]

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", gettext("不予通过时请填写审核意见，说明原因，申报单位将收到此意见。"))
        if decision == "approve" and "override_reason" in self.fields and not (data.get("override_reason") or "").strip():
            self.add_error("override_reason", gettext(
                "该单位的统一社会信用代码未通过校验：通过审核前，请核对登记证书并填写人工核验通过的理由。"))
        if decision == "approve" and "eligibility_reason" in self.fields \
                and not (data.get("eligibility_reason") or "").strip():
            from zgcfund.accounts.domain.review import eligibility_refusal

            self.add_error("eligibility_reason", eligibility_refusal(self.eligibility_problems))
        return data


class EligibilityProfileForm(forms.Form):
    """The organization's eligibility profile (资格材料), checked by the office before approval."""

    certificate = forms.FileField(
        label=_("登记证书扫描件"), required=False,
        help_text=_("PDF 文档或 JPEG、PNG 图片，按文件内容识别类型；已上传的可不再选择，选择新文件则替换。"))
    registration_authority = forms.CharField(label=_("登记管理机关"), max_length=100, required=False,
                                             help_text=_("如：北京市海淀区民政局"))
    registered_address = forms.CharField(label=_("住所"), max_length=200, required=False,
                                         help_text=_("与登记证书所载住所一致"))
    inspection_year = forms.IntegerField(label=_("年检/年报年度"), required=False, min_value=1990, max_value=2100,
                                         error_messages={"invalid": _("请填写四位年份，如 2024。"),
                                                         "min_value": _("请填写四位年份，如 2024。"),
                                                         "max_value": _("请填写四位年份，如 2024。")})
    inspection_result = forms.ChoiceField(label=_("最近一次年检/年报结论"), required=False)
    declared = forms.BooleanField(label=_("无严重失信记录声明"), required=False)

    def __init__(self, *args, organization, **kwargs):
        from zgcfund.accounts.domain.eligibility import DECLARATION_TEXT
        from zgcfund.accounts.models.organization import InspectionResult

        initial = {"registration_authority": organization.registration_authority,
                   "registered_address": organization.registered_address,
                   "inspection_year": organization.inspection_year,
                   "inspection_result": organization.inspection_result,
                   "declared": bool(organization.no_dishonesty_declared_at)}
        super().__init__(*args, initial=initial, **kwargs)
        self.organization = organization
        self.fields["inspection_result"].choices = [("", "—"), *InspectionResult.choices]
        self.fields["declared"].help_text = DECLARATION_TEXT

    def clean(self):
        data = super().clean()
        if bool(data.get("inspection_year")) != bool(data.get("inspection_result")) and not self.errors:
            self.add_error("inspection_year" if not data.get("inspection_year") else "inspection_result",
                           gettext("年检/年报的年度和结论请一并填写。"))
        return data


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("同事的电子邮箱"), max_length=254,
                             help_text=_("对方将收到邀请邮件，链接7天内有效，只能使用一次。"))

    def clean_email(self):
        email = normalise_email(self.cleaned_data["email"])
        if email_taken(email):
            raise ValidationError(gettext("该邮箱已注册账户。每个账户只能属于一个申报单位；如需调整，请联系项目办公室。"))
        return email


class AcceptInvitationForm(PasswordPairMixin, forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=60)
    password1, password2 = _password_fields()
    privacy_accepted = forms.BooleanField(
        label=_("我已阅读并同意《个人信息告知》"),
        error_messages={"required": _("请阅读并同意《个人信息告知》后再设置账户。")})

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self._password_help()

    def clean(self):
        data = super().clean()
        self._clean_passwords(data, User(email=self.email, full_name=data.get("full_name") or ""))
        return data


class LoginForm(AuthenticationForm):
    """E-mail login, case-insensitive, refused for 15 minutes after 5 failures in 15 minutes for the
    e-mail address, and while the client's address is over its limit of failures (throttle)."""

    error_messages = {  # noqa: RUF012 - Django's pattern
        "invalid_login": _("电子邮箱或密码不正确。请注意密码区分大小写。"),
        "inactive": _("该账户已停用，请联系项目办公室。"),
        "locked": _("该邮箱登录失败次数过多，已暂停登录，请 %(minutes)s 分钟后再试，或通过“忘记密码”重置密码。"),
        "address_locked": _("您所在网络的登录失败次数过多，已暂停从该网络登录，请 %(minutes)s 分钟后再试。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = gettext("电子邮箱")
        self.fields["username"].widget = forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True})

    def _refuse(self, code: str, seconds: int, email: str, *, kind=SecurityEventKind.RATE_LIMITED):
        record_security_event(kind, self.request, identity=email, detail=f"login refused: {code}")
        return ValidationError(self.error_messages[code], code=code, params={"minutes": max(1, (seconds + 59) // 60)})

    def clean(self):
        email = normalise_email(self.cleaned_data.get("username") or "")
        address = client_address(self.request)
        seconds = throttle.address_locked_for(address)
        if seconds:
            raise self._refuse("address_locked", seconds, email)
        if email:
            seconds = throttle.locked_for(email)
            if seconds:
                raise self._refuse("locked", seconds, email)
            stored = User.objects.filter(email__iexact=email).values_list("email", flat=True).first()
            if stored:
                self.cleaned_data["username"] = stored
        try:
            data = super().clean()
        except ValidationError as exc:
            if exc.code != "invalid_login":
                raise
            if self._inactive_with_right_password():
                raise ValidationError(self.error_messages["inactive"], code="inactive") from None
            email_locked = bool(email) and throttle.record_failure(email)
            address_locked = throttle.record_address_failure(address)
            if email_locked:
                raise self._refuse("locked", throttle.LOCK_SECONDS, email, kind=SecurityEventKind.LOCKOUT) from None
            if address_locked:
                raise self._refuse("address_locked", throttle.address_locked_for(address), email,
                                   kind=SecurityEventKind.LOCKOUT) from None
            raise
        if email:
            throttle.clear(email)
        return data

    def _inactive_with_right_password(self) -> bool:
        """A deactivated account's owner, with its right password, is told the account is deactivated."""
        user = User.objects.filter(email__iexact=self.cleaned_data.get("username") or "").first()
        return bool(user and not user.is_active and user.check_password(self.cleaned_data.get("password") or ""))


class NewPasswordForm(SetPasswordForm):
    """Password reset's new password, with the same Chinese messages as registration."""

    def clean(self):
        data = forms.Form.clean(self)  # instead of SetPasswordForm's checks, which would repeat these
        p1, p2 = data.get("new_password1"), data.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", gettext("两次输入的密码不一致。"))
        elif p1:
            try:
                validate_new_password(p1, self.user)
            except ValidationError as exc:
                self.add_error("new_password1", exc)
        return data


class ResetForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = gettext("注册时使用的电子邮箱")


class SecurityLogFilterForm(forms.Form):
    """Filters of the office's security-log page (all optional)."""

    kind = forms.ChoiceField(label=_("事件类型"), required=False,
                             choices=[("", _("全部")), *SecurityEventKind.choices])
    who = forms.CharField(label=_("用户或登录邮箱"), max_length=254, required=False)
    address = forms.CharField(label=_("客户端地址"), max_length=45, required=False,
                              help_text=_("完整地址，或地址开头（如 10.1.）"))
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", gettext("截止日期不能早于起始日期。"))
        return data


class AccountFilterForm(forms.Form):
    """Filters of the office's accounts page (all optional)."""

    q = forms.CharField(label=_("姓名或电子邮箱"), max_length=254, required=False)
    role = forms.ChoiceField(label=_("角色"), required=False, choices=[("", _("全部")), *Role.choices])
    organization = forms.CharField(label=_("申报单位"), max_length=100, required=False)
    active = forms.ChoiceField(label=_("状态"), required=False,
                               choices=(("", _("全部")), ("1", _("正常")), ("0", _("已停用"))))


class AccountStatusForm(forms.Form):
    """The office deactivates or reactivates an account, with a reason for the record."""

    action = forms.ChoiceField(choices=(("deactivate", "deactivate"), ("reactivate", "reactivate")),
                               widget=forms.HiddenInput)
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("将记入操作记录，例如：人员离职、单位申请、账户疑似被盗用。最多300字。"),
                             error_messages={"required": _("请填写原因，将记入操作记录。")})


class StaffAccountForm(forms.Form):
    """The office creates an expert's or an office user's account; its owner sets the password by mail."""

    role = forms.ChoiceField(label=_("角色"), widget=forms.RadioSelect,
                             choices=((Role.EXPERT, _("评审专家")), (Role.OFFICE, _("项目办公室")),
                                      (Role.FINANCE, _("财务人员"))),
                             error_messages={"required": _("请选择角色：评审专家或项目办公室。")})
    full_name = forms.CharField(label=_("姓名"), max_length=60, error_messages={"required": _("请填写姓名。")})
    email = forms.EmailField(label=_("电子邮箱"), max_length=254,
                             help_text=_("用于登录；设置密码的链接将发送至此邮箱，%(days)s天内有效。"),
                             error_messages={"required": _("请填写电子邮箱。"),
                                             "invalid": _("电子邮箱格式不正确，请检查后重新填写。")})
    phone = PhoneField(label=_("手机号码"), required=False,
                       help_text=_("选填。如 13812345678，也可填写固定电话（如 010-62345678）。"))

    def __init__(self, *args, **kwargs):
        from zgcfund.accounts.domain.staff import SET_PASSWORD_DAYS

        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = self.fields["email"].help_text % {"days": SET_PASSWORD_DAYS}

    def clean_email(self):
        from zgcfund.accounts.domain.staff import duplicate_staff_email_message

        email = normalise_email(self.cleaned_data["email"])
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            raise ValidationError(duplicate_staff_email_message(existing), code="taken")
        return email
