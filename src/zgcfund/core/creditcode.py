"""统一社会信用代码 (GB 32100-2015) validation.

Layout of the 18 characters (1-based positions):

* 1     登记管理部门代码 (registration authority): 1-9, A, N, Y
* 2     机构类别代码 (organization type)
* 3-8   登记管理机关行政区划码 (GB/T 2260 division code, 6 digits)
* 9-17  主体标识码 = GB 11714 organization code: 8 characters + its own check digit (0-9 or X)
* 18    校验码, any of the 31 characters of :data:`CHARSET`

Pure Python, no Django.  The hot path (:func:`is_valid`) uses precomputed per-position lookup
tables and runs in roughly a microsecond.

:func:`check_character` and :func:`org_code_check_digit` expect normalised (upper-case) input;
the other public functions normalise (strip surrounding whitespace, upper-case) themselves.
"""

from __future__ import annotations

__all__ = [
    "CHARSET",
    "check_character",
    "describe",
    "is_social_organization",
    "is_valid",
    "make_valid",
    "normalise",
    "org_code_check_digit",
    "problems",
]

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters of GB 32100; a character's value is its index (no I, O, S, V, Z)."""

LENGTH = 18

_VALUE: dict[str, int] = {ch: i for i, ch in enumerate(CHARSET)}

# Position weights 3^(i-1) mod 31 for positions 1-17.
_WEIGHTS: tuple[int, ...] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Per-position tables: character -> value * weight (mod 31).  Positions 1-17 only.
_WEIGHTED: tuple[dict[str, int], ...] = tuple(
    {ch: (v * w) % 31 for ch, v in _VALUE.items()} for w in _WEIGHTS
)

# sum mod 31 -> expected check character.
_CHECK_FOR_SUM: tuple[str, ...] = tuple(CHARSET[(31 - s) % 31] for s in range(31))

# GB 11714 organization code: base-36 values, weights for its 8 body characters.
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS: tuple[int, ...] = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_WEIGHTED: tuple[dict[str, int], ...] = tuple(
    {ch: (v * w) % 11 for v, ch in enumerate(_ORG_ALPHABET)} for w in _ORG_WEIGHTS
)
_ORG_CHECK_FOR_SUM: tuple[str, ...] = tuple("0123456789X0"[11 - s] for s in range(11))

_AUTHORITIES: dict[str, str] = {
    "1": "机构编制",
    "5": "民政",
    "9": "工商",
    "Y": "其他",
}
"""Names from the project context doc; the other codes allowed by the standard map to 其他."""

VALID_AUTHORITY_CODES = frozenset("123456789ANY")

_ORG_TYPES: dict[str, dict[str, str]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
}

_DIGITS = frozenset("0123456789")


def normalise(code: str) -> str:
    """Strip surrounding whitespace and upper-case (users type lower case)."""
    return code.strip().upper()


def check_character(first17: str) -> str:
    """GB 32100 check character (position 18) for the first 17 characters.

    Raises ValueError unless ``first17`` is 17 characters of :data:`CHARSET`.
    """
    if not isinstance(first17, str) or len(first17) != 17:
        raise ValueError("应提供17位字符")
    try:
        total = sum(table[ch] for table, ch in zip(_WEIGHTED, first17, strict=True))
    except KeyError as exc:
        raise ValueError(f"字符“{exc.args[0]}”不属于统一社会信用代码字符集") from None
    return _CHECK_FOR_SUM[total % 31]


def org_code_check_digit(eight: str) -> str:
    """GB 11714 organization-code check digit ("0"-"9" or "X") for the 8 body characters.

    Raises ValueError unless ``eight`` is 8 characters from 0-9, A-Z.
    """
    if not isinstance(eight, str) or len(eight) != 8:
        raise ValueError("组织机构代码本体应为8位")
    try:
        total = sum(table[ch] for table, ch in zip(_ORG_WEIGHTED, eight, strict=True))
    except KeyError as exc:
        raise ValueError(f"字符“{exc.args[0]}”不能用于组织机构代码") from None
    return _ORG_CHECK_FOR_SUM[total % 11]


def is_valid(code: str) -> bool:
    """True when ``code`` (after :func:`normalise`) is a valid 统一社会信用代码."""
    if not isinstance(code, str):
        return False
    c = code.strip().upper()
    if len(c) != LENGTH or c[0] not in VALID_AUTHORITY_CODES:
        return False
    w = _WEIGHTED
    try:
        total = (
            w[0][c[0]]
            + w[1][c[1]]
            + w[2][c[2]]
            + w[3][c[3]]
            + w[4][c[4]]
            + w[5][c[5]]
            + w[6][c[6]]
            + w[7][c[7]]
            + w[8][c[8]]
            + w[9][c[9]]
            + w[10][c[10]]
            + w[11][c[11]]
            + w[12][c[12]]
            + w[13][c[13]]
            + w[14][c[14]]
            + w[15][c[15]]
            + w[16][c[16]]
        )
    except KeyError:
        return False
    if _CHECK_FOR_SUM[total % 31] != c[17] or not c[2:8].isdigit():
        return False
    o = _ORG_WEIGHTED
    org = (
        o[0][c[8]]
        + o[1][c[9]]
        + o[2][c[10]]
        + o[3][c[11]]
        + o[4][c[12]]
        + o[5][c[13]]
        + o[6][c[14]]
        + o[7][c[15]]
    )
    return _ORG_CHECK_FOR_SUM[org % 11] == c[16]


def problems(code: str) -> list[str]:
    """Everything wrong with ``code``, as short Chinese messages; ``[]`` when valid.

    Input is normalised first (whitespace stripped, upper-cased); positions are 1-based.
    Never raises, whatever the input.
    """
    if code is None:
        return ["未提供统一社会信用代码"]
    if not isinstance(code, str):
        return [f"统一社会信用代码应为文本，实际为{type(code).__name__}"]
    c = normalise(code)
    if not c:
        return ["统一社会信用代码为空"]

    out: list[str] = []
    if len(c) != LENGTH:
        out.append(f"长度应为{LENGTH}位，实际为{len(c)}位")
    if c[0] not in VALID_AUTHORITY_CODES:
        out.append(f"登记管理部门代码（第1位）“{c[0]}”无效")
    bad_chars = False
    for pos, ch in enumerate(c, start=1):
        if ch not in _VALUE:
            bad_chars = True
            if pos > 1:  # position 1 already reported as an invalid authority code
                out.append(f"第{pos}位字符“{ch}”不属于统一社会信用代码字符集")
    if len(c) != LENGTH or bad_chars:
        return out  # the checks below need 18 characters from CHARSET

    division = c[2:8]
    if not all(ch in _DIGITS for ch in division):
        out.append(f"行政区划码（第3–8位）应为6位数字，实际为“{division}”")
    expected_org = org_code_check_digit(c[8:16])
    if expected_org != c[16]:
        out.append(f"组织机构代码校验位（第17位）应为“{expected_org}”，实际为“{c[16]}”")
    expected = check_character(c[:17])
    if expected != c[17]:
        out.append(f"校验码应为“{expected}”，实际为“{c[17]}”")
    return out


def describe(code: str) -> dict[str, str]:
    """Parts of a valid code, e.g. ``{"authority": "民政", "org_type": "社会团体",
    "division": "110108", "org_code": "MJ0000000", ...}``.

    Also returns the raw ``authority_code`` and ``org_type_code``.  Raises ValueError (with the
    :func:`problems` messages) for an invalid code.
    """
    found = problems(code)
    if found:
        raise ValueError("；".join(found))
    c = normalise(code)
    return {
        "authority": _AUTHORITIES.get(c[0], "其他"),
        "authority_code": c[0],
        "org_type": _ORG_TYPES.get(c[0], {}).get(c[1], "其他"),
        "org_type_code": c[1],
        "division": c[2:8],
        "org_code": c[8:17],
    }


def is_social_organization(code: str) -> bool:
    """True when the registration authority (position 1, after normalising) is 5 民政.

    Looks at position 1 only; combine with :func:`is_valid` where validity matters.
    """
    return isinstance(code, str) and code.strip()[:1] == "5"


def make_valid(first16: str) -> str:
    """Complete 16 characters into a valid-checksum code (for tests, fixtures, demo data).

    Appends the GB 11714 check digit of positions 9-16 (always 0-9 or X, both in CHARSET) and
    then the GB 32100 check character.  Input is normalised; raises ValueError unless it is 16
    characters of :data:`CHARSET`.  Does not check the authority or division code.
    """
    if not isinstance(first16, str):
        raise ValueError("应提供16位字符")
    c = normalise(first16)
    if len(c) != 16:
        raise ValueError(f"应提供16位字符，实际为{len(c)}位")
    for pos, ch in enumerate(c, start=1):
        if ch not in _VALUE:
            raise ValueError(f"第{pos}位字符“{ch}”不属于统一社会信用代码字符集")
    first17 = c + org_code_check_digit(c[8:16])
    return first17 + check_character(first17)
