from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zgcfund.files.storage import private_storage


class RegistrationType(models.TextChoices):
    # Industry-technology alliances (产业技术联盟) register as 社会团体.
    SOCIAL_GROUP = "social_group", _("社会团体")
    PRIVATE_NON_ENTERPRISE = "private_non_enterprise", _("民办非企业单位")
    FOUNDATION = "foundation", _("基金会")


class InspectionResult(models.TextChoices):
    """最近一次年检/年报结论 (a failed annual inspection disqualified in earlier years)."""
    QUALIFIED = "qualified", _("合格")
    BASICALLY_QUALIFIED = "basically_qualified", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")
    REPORT_FILED = "report_filed", _("年报已报送")


class OrganizationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")


class Organization(models.Model):
    """A social organization (申报单位) that applies. Approved by the office before it may submit."""

    name = models.CharField(_("单位名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    credit_code_check_failed = models.BooleanField(_("代码未通过校验"), default=False)
    credit_code_applicant_note = models.CharField(_("申报单位对代码的说明"), max_length=300, blank=True)
    credit_code_override_reason = models.CharField(_("办公室核验通过理由"), max_length=300, blank=True)
    registration_type = models.CharField(_("登记类型"), max_length=32, choices=RegistrationType.choices)
    comprehensive = models.BooleanField(_("综合性社会组织"), default=False)
    registers_tech_contracts = models.BooleanField(_("开展技术合同登记"), default=False)
    contact_name = models.CharField(_("联系人"), max_length=60)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    contact_email = models.EmailField(_("联系邮箱"))

    # What the office checks before approving (资格材料); filled by the organization's admin.
    certificate = models.FileField(_("登记证书扫描件"), storage=private_storage, upload_to="certificates/%Y/%m/",
                                   blank=True, max_length=300)
    certificate_name = models.CharField(_("登记证书扫描件文件名"), max_length=200, blank=True)
    certificate_content_type = models.CharField(max_length=100, blank=True)
    certificate_sha256 = models.CharField(max_length=64, blank=True)
    certificate_uploaded_at = models.DateTimeField(_("登记证书上传时间"), null=True, blank=True)
    registration_authority = models.CharField(_("登记管理机关"), max_length=100, blank=True)
    registered_address = models.CharField(_("住所"), max_length=200, blank=True)
    inspection_year = models.PositiveSmallIntegerField(_("年检/年报年度"), null=True, blank=True)
    inspection_result = models.CharField(_("最近一次年检/年报结论"), max_length=32, blank=True,
                                         choices=InspectionResult.choices)
    no_dishonesty_declaration = models.CharField(_("无严重失信记录声明"), max_length=500, blank=True)
    no_dishonesty_declared_at = models.DateTimeField(_("声明时间"), null=True, blank=True)
    eligibility_override_reason = models.CharField(_("资格核验通过理由"), max_length=500, blank=True)

    status = models.CharField(_("审核状态"), max_length=16, choices=OrganizationStatus.choices,
                              default=OrganizationStatus.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)

    privacy_notice_version = models.CharField(_("已阅个人信息告知版本"), max_length=20)
    privacy_accepted_at = models.DateTimeField(_("同意告知时间"), default=timezone.now)
    created_at = models.DateTimeField(_("注册时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("申报单位")
        verbose_name_plural = _("申报单位")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.name

    @property
    def is_approved(self) -> bool:
        return self.status == OrganizationStatus.APPROVED


class MemberRole(models.TextChoices):
    ADMIN = "admin", _("单位管理员")
    EDITOR = "editor", _("填报人")


class Membership(models.Model):
    """A user's place in one organization (an applicant user belongs to exactly one)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership",
                                verbose_name=_("用户"))
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships",
                                     verbose_name=_("申报单位"))
    role = models.CharField(_("单位内角色"), max_length=16, choices=MemberRole.choices, default=MemberRole.EDITOR)
    joined_at = models.DateTimeField(_("加入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"


class Invitation(models.Model):
    """An organization admin's invitation for an editor; the token is stored only as its SHA-256."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("受邀邮箱"))
    role = models.CharField(_("单位内角色"), max_length=16, choices=MemberRole.choices, default=MemberRole.EDITOR)
    token_sha256 = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("邀请")
        verbose_name_plural = _("邀请")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at
