"""Organizations and users for tests and demo data (never used by the running service's logic)."""

from __future__ import annotations

import itertools

from django.utils import timezone

from zgcfund.accounts.domain import PRIVACY_NOTICE_VERSION
from zgcfund.accounts.models import Membership, Organization, User
from zgcfund.accounts.models.organization import MemberRole, OrganizationStatus, RegistrationType
from zgcfund.accounts.models.user import Role
from zgcfund.core import creditcode

_serial = itertools.count(1)


def social_org_code(n: int) -> str:
    """A valid 统一社会信用代码 of a 民政-registered social group (prefix 51), numbered ``n``."""
    return creditcode.make_valid(f"511100005{n:07d}")


def create_organization(name: str | None = None, *, credit_code: str | None = None, approved: bool = True,
                        comprehensive: bool = False, registers_tech_contracts: bool = False,
                        registration_type: str = RegistrationType.SOCIAL_GROUP) -> Organization:
    n = next(_serial)
    while credit_code is None and Organization.objects.filter(credit_code=social_org_code(n)).exists():
        n = next(_serial)
    return Organization.objects.create(
        name=name or f"北京测试科技服务协会{n}", credit_code=credit_code or social_org_code(n),
        registration_type=registration_type, comprehensive=comprehensive,
        registers_tech_contracts=registers_tech_contracts, contact_name="张联系", contact_phone="13800000000",
        contact_email=f"contact{n}@example.org",
        status=OrganizationStatus.APPROVED if approved else OrganizationStatus.PENDING,
        reviewed_at=timezone.now() if approved else None, privacy_notice_version=PRIVACY_NOTICE_VERSION)


def create_user(email: str, password: str = "Passw0rd-demo", *, role: str = Role.APPLICANT, full_name: str = "",
                organization: Organization | None = None, member_role: str = MemberRole.ADMIN) -> User:
    user = User.objects.create_user(email=email, password=password, full_name=full_name or email.split("@")[0],
                                    role=role)
    if organization is not None:
        Membership.objects.create(user=user, organization=organization, role=member_role)
    return user
