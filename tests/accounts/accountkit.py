"""Helpers of the accounts tests: credit codes and a complete registration form."""

from __future__ import annotations

from zgcfund.core import creditcode


def code(first16: str) -> str:
    """A code with valid check characters for the given first 16 characters."""
    return creditcode.make_valid(first16)


SOCIAL_GROUP_CODE = code("5111010800000042")      # 5 民政, 1 社会团体, 110108 海淀
NON_ENTERPRISE_CODE = code("5211010800000043")    # 5 民政, 2 民办非企业单位
COMPANY_CODE = code("9111010800000044")           # 9 工商: not a social organization


def bad_check_character(valid: str) -> str:
    last = creditcode.CHARSET[(creditcode.CHARSET.index(valid[-1]) + 1) % 31]
    return valid[:-1] + last


STRONG_PASSWORD = "Zhongguancun2025"


def registration_data(**overrides) -> dict:
    data = {
        "name": "北京市中关村智能制造产业技术联盟",
        "credit_code": SOCIAL_GROUP_CODE,
        "registration_type": "social_group",
        "comprehensive": "0",
        "registers_tech_contracts": "1",
        "contact_name": "陈联系",
        "contact_phone": "138 1234 5678",
        "contact_email": "Contact@Alliance.example",
        "full_name": "刘管理",
        "email": "Admin@Alliance.example",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
        "privacy_accepted": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
