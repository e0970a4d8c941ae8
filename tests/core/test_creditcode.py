"""Tests for zgcfund.core.creditcode (统一社会信用代码, GB 32100-2015)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zgcfund.core.creditcode import (
    CHARSET,
    check_character,
    describe,
    is_social_organization,
    is_valid,
    make_valid,
    normalise,
    org_code_check_digit,
    problems,
)

# --- independent reference implementation (straight from the standards' text) -------------

REF_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def ref_check_character(first17: str) -> str:
    total = sum(REF_CHARSET.index(ch) * pow(3, i, 31) for i, ch in enumerate(first17))
    c = 31 - total % 31
    return REF_CHARSET[0 if c == 31 else c]


def ref_org_check(eight: str) -> str:
    total = sum(int(ch, 36) * w for ch, w in zip(eight, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    c = 11 - total % 11
    return {10: "X", 11: "0"}.get(c, str(c))


# --- strategies ----------------------------------------------------------------------------

authorities = st.sampled_from("123456789ANY")
org_types = st.sampled_from("1239")
divisions = st.text(alphabet="0123456789", min_size=6, max_size=6)
org_bodies = st.text(alphabet=CHARSET, min_size=8, max_size=8)


@st.composite
def valid_codes(draw):
    return make_valid(draw(authorities) + draw(org_types) + draw(divisions) + draw(org_bodies))


# Worked by hand (see test_hand_computed_examples):
SOCIAL_ORG = "51110108MJ000000XQ"


# --- charset and weights -------------------------------------------------------------------


def test_charset_is_31_chars_without_i_o_s_v_z():
    assert CHARSET == REF_CHARSET
    assert len(set(CHARSET)) == 31
    assert not set("IOSVZ") & set(CHARSET)


# --- check characters against hand computation and the reference -----------------------------


@pytest.mark.parametrize(
    ("first16", "org_digit", "check_char"),
    [
        # org: M=22*3 + J=19*7 = 199, 199 % 11 = 1, 11-1 = 10 -> X
        # check: 5*1 + 1*3 + 1*9 + 1*27 + 1*26 + 8*17 + M(21)*20 + J(18)*29 + X(29)*28
        #        = 1960, 1960 % 31 = 7, 31-7 = 24 -> Q
        ("51110108MJ000000", "X", "Q"),
        # org: 2*4 = 8, 11-8 = 3; check: 206 + 2*10 + 3*28 = 310 = 10*31 -> 31 -> 0
        ("5111010800000020", "3", "0"),
        # org: 0 -> 11 -> 0; check: 5 + F(15)*3 + 9 + 27 + 26 + 136 = 248 = 8*31 -> 0
        ("5F11010800000000", "0", "0"),
        # org: 1*3+2*7+3*9+4*10+5*5+6*8+7*4+8*2 = 201, 201 % 11 = 3 -> 8
        ("9111010812345678", "8", None),
    ],
)
def test_hand_computed_examples(first16, org_digit, check_char):
    assert org_code_check_digit(first16[8:]) == org_digit
    code = make_valid(first16)
    assert code[16] == org_digit
    if check_char is not None:
        assert code[17] == check_char
    assert code[17] == ref_check_character(code[:17])
    assert is_valid(code)
    assert problems(code) == []


@given(st.text(alphabet=CHARSET, min_size=17, max_size=17))
def test_check_character_matches_reference(first17):
    assert check_character(first17) == ref_check_character(first17)


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=8, max_size=8))
def test_org_code_check_digit_matches_reference_and_is_0_9_or_x(eight):
    digit = org_code_check_digit(eight)
    assert digit == ref_org_check(eight)
    assert digit in "0123456789X"


@pytest.mark.parametrize("bad", ["", "1" * 16, "1" * 18, "1" * 16 + "I", "1" * 16 + "a"])
def test_check_character_rejects_bad_length_or_chars(bad):
    with pytest.raises(ValueError):
        check_character(bad)


@pytest.mark.parametrize("bad", ["", "1234567", "123456789", "1234567a", "123456-8"])
def test_org_code_check_digit_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        org_code_check_digit(bad)


@pytest.mark.parametrize(
    "bad", [None, "", "5111010800000", "51110108MJ00000O", "5111010800000000X"]
)
def test_make_valid_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        make_valid(bad)


# --- properties --------------------------------------------------------------------------


@given(valid_codes())
def test_generated_codes_are_valid_and_match_reference(code):
    assert is_valid(code)
    assert problems(code) == []
    assert code[16] == ref_org_check(code[8:16])
    assert code[17] == ref_check_character(code[:17])


@given(valid_codes())
def test_every_single_character_substitution_is_detected(code):
    # Weights 3^k mod 31 are non-zero and values differ by 1..30, so the mod-31 sum changes
    # for every single substitution (positions 1-17); position 18 is compared directly.
    for i in range(18):
        for ch in CHARSET:
            if ch == code[i]:
                continue
            corrupted = code[:i] + ch + code[i + 1 :]
            assert not is_valid(corrupted), (code, i + 1, ch)
            found = problems(corrupted)
            assert any(m.startswith("校验码应为") for m in found), (corrupted, found)


@given(st.text(max_size=25))
def test_is_valid_agrees_with_problems_on_arbitrary_text(text):
    assert is_valid(text) == (problems(text) == [])


@given(valid_codes(), st.sampled_from(["", " ", "\t", "\n", "  \r\n"]))
def test_lowercase_and_surrounding_whitespace_are_accepted(code, pad):
    messy = pad + code.lower() + pad
    assert is_valid(messy)
    assert problems(messy) == []
    assert normalise(messy) == code


# --- bad inputs and messages ---------------------------------------------------------------


def test_problems_on_none_and_non_strings_do_not_crash():
    assert problems(None) == ["未提供统一社会信用代码"]
    assert problems(123) == ["统一社会信用代码应为文本，实际为int"]
    assert not is_valid(None)
    assert not is_valid(511101080000002030)
    assert not is_social_organization(None)


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_empty_or_blank_code(blank):
    assert problems(blank) == ["统一社会信用代码为空"]
    assert not is_valid(blank)


@pytest.mark.parametrize(("code", "n"), [(SOCIAL_ORG[:17], 17), (SOCIAL_ORG + "0", 19), ("5", 1)])
def test_wrong_length(code, n):
    assert problems(code) == [f"长度应为18位，实际为{n}位"]
    assert not is_valid(code)


def test_internal_whitespace_is_not_stripped():
    code = SOCIAL_ORG[:8] + " " + SOCIAL_ORG[8:]
    assert problems(code) == [
        "长度应为18位，实际为19位",
        "第9位字符“ ”不属于统一社会信用代码字符集",
    ]


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_forbidden_letters_reported_with_position(letter):
    code = SOCIAL_ORG[:4] + letter + SOCIAL_ORG[5:]
    assert problems(code) == [f"第5位字符“{letter}”不属于统一社会信用代码字符集"]
    assert problems(code.lower()) == problems(code)
    assert not is_valid(code)


def test_invalid_authority_code_position_1():
    assert problems("Z" + SOCIAL_ORG[1:]) == ["登记管理部门代码（第1位）“Z”无效"]
    # In the charset but not an authority code (check characters recomputed, so only this).
    found = problems(make_valid("B" + SOCIAL_ORG[1:16]))
    assert found == ["登记管理部门代码（第1位）“B”无效"]
    assert not is_valid(make_valid("B" + SOCIAL_ORG[1:16]))


def test_division_must_be_digits():
    code = make_valid("511A0108MJ000000")
    assert problems(code) == ["行政区划码（第3–8位）应为6位数字，实际为“1A0108”"]
    assert not is_valid(code)


def test_wrong_check_character_message():
    assert problems(SOCIAL_ORG[:17] + "3") == ["校验码应为“Q”，实际为“3”"]


def test_wrong_org_code_check_digit_message():
    code = SOCIAL_ORG[:16] + "4"
    code += ref_check_character(code)  # keep position 18 consistent: only position 17 is wrong
    assert problems(code) == ["组织机构代码校验位（第17位）应为“X”，实际为“4”"]
    assert not is_valid(code)


# --- describe / is_social_organization ------------------------------------------------------


def test_describe_social_organization():
    assert describe(SOCIAL_ORG) == {
        "authority": "民政",
        "authority_code": "5",
        "org_type": "社会团体",
        "org_type_code": "1",
        "division": "110108",
        "org_code": "MJ000000X",
    }
    assert describe(" " + SOCIAL_ORG.lower()) == describe(SOCIAL_ORG)


@pytest.mark.parametrize(
    ("prefix", "authority", "org_type"),
    [
        ("52", "民政", "民办非企业单位"),
        ("53", "民政", "基金会"),
        ("59", "民政", "其他"),
        ("91", "工商", "企业"),
        ("92", "工商", "个体工商户"),
        ("93", "工商", "农民专业合作社"),
        ("11", "机构编制", "机关"),
        ("12", "机构编制", "事业单位"),
        ("Y1", "其他", "其他"),
        ("31", "其他", "其他"),
    ],
)
def test_describe_authority_and_org_type_names(prefix, authority, org_type):
    info = describe(make_valid(prefix + "110108MJ000000"))
    assert (info["authority"], info["org_type"]) == (authority, org_type)


def test_describe_rejects_invalid_code():
    with pytest.raises(ValueError, match="校验码"):
        describe(SOCIAL_ORG[:17] + "3")


def test_is_social_organization():
    assert is_social_organization(SOCIAL_ORG)
    assert is_social_organization(" " + SOCIAL_ORG)
    assert not is_social_organization(make_valid("91110108MJ000000"))
    assert not is_social_organization("")
