"""K1.3 服务营收增长 (zgcfund.core.growth), issue 13: the two aims, per enterprise and for the group.

Aim (a): 2025年1-11月 over 2024年1-11月 against ``industry_growth_rate`` (上拉作用); aim (b): 2026年1-2月
over 2025年1-2月 against ``start_growth_rate`` (开门红). Both compare with the programme file's ``gt``.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest

from zgcfund.core.errors import ProgrammeFileError
from zgcfund.core.growth import (
    MET,
    NOT_MET,
    PENDING,
    UNDETERMINED,
    EnterpriseRevenue,
    GrowthInputError,
    enterprises_from_records,
    k13_aims,
    k13_growth,
)
from zgcfund.core.programme import load_programme, parse_programme

PROGRAMME = load_programme()
ACCEPTANCE = dt.date(2026, 7, 15)
APPLIED = dt.date(2025, 9, 20)
CODES = ["91110106MA01U8X89K", "91110108MA00000019", "91110108MA0000002X"]


def ent(i: int, nov: tuple | None = None, feb: tuple | None = None, code: str | None = "auto") -> EnterpriseRevenue:
    figures = {}
    if nov is not None:
        figures |= {"revenue_2025_jan_nov": nov[0], "revenue_2024_jan_nov": nov[1]}
    if feb is not None:
        figures |= {"revenue_2026_jan_feb": feb[0], "revenue_2025_jan_feb": feb[1]}
    figures = {k: (D(str(v)) if v is not None else None) for k, v in figures.items()}
    return EnterpriseRevenue(CODES[i] if code == "auto" else code, f"北京绩效企业{i}科技有限公司", figures)


def test_K1_3_aims_come_from_the_programme_file_with_their_periods_and_rates():
    a, b = k13_aims(PROGRAMME)
    assert (a.key, a.name, a.op, a.rate_param) == ("a", "一是", "gt", "industry_growth_rate")
    assert (a.current.label, a.current.start, a.current.end) == ("2025年1-11月", dt.date(2025, 1, 1), dt.date(2025, 11, 30))
    assert (a.previous.field, a.previous.label) == ("revenue_2024_jan_nov", "2024年1-11月")
    assert "上拉作用" in a.quote
    assert (b.rate_param, b.current.label, b.current.end, b.previous.label) == (
        "start_growth_rate", "2026年1-2月", dt.date(2026, 2, 28), "2025年1-2月")
    assert "开门红" in b.quote
    assert k13_aims(PROGRAMME) is k13_aims(PROGRAMME)  # compiled once


def test_K1_3_a_met_when_the_group_grows_faster_than_the_industry():
    result = k13_growth([ent(0, nov=(1200, 1000)), ent(1, nov=(550, 500))], ACCEPTANCE,
                        rates={"a": D("0.05"), "b": D("0.03")})
    a = result.aim("a")
    assert a.status == MET and a.meets is True
    assert a.growth == D(1750 - 1500) / D(1500)
    assert (a.current_total, a.previous_total, a.enterprises) == (D(1750), D(1500), 2)
    assert "同比增长16.67%" in a.message and "高于行业增速5%" in a.message and "满足" in a.message
    assert "上拉作用" in a.message and a.message.endswith("（K1.3）")


def test_K1_3_a_not_met_when_the_group_grows_no_faster_than_the_industry():
    # equal growth pulls nothing up: the programme file compares with gt (高于行业增速)
    result = k13_growth([ent(0, nov=(1050, 1000))], ACCEPTANCE, rates={"a": "0.05"})
    a = result.aim("a")
    assert a.status == NOT_MET and a.meets is False
    assert "未高于行业增速5%" in a.message and "未满足" in a.message
    assert result.status == NOT_MET


def test_K1_3_b_met_and_not_met_on_its_own_table():
    good = k13_growth([ent(0, nov=(1200, 1000), feb=(230, 200))], ACCEPTANCE, rates={"a": "0.05", "b": "0.10"})
    assert good.aim("b").status == MET and good.status == MET
    assert "开门红" in good.aim("b").message
    weak = k13_growth([ent(0, nov=(1200, 1000), feb=(210, 200))], ACCEPTANCE, rates={"a": "0.05", "b": "0.10"})
    assert weak.aim("a").status == MET and weak.aim("b").status == NOT_MET
    assert weak.status == NOT_MET  # each aim on its own table, both must hold


def test_K1_3_rates_by_parameter_name_or_the_office_value_in_the_programme_file():
    by_param = k13_growth([ent(0, nov=(1040, 1000))], ACCEPTANCE, rates={"industry_growth_rate": "0.05"})
    assert by_param.aim("a").status == NOT_MET and by_param.aim("a").rate == D("0.05")
    default = k13_growth([ent(0, nov=(1040, 1000))], ACCEPTANCE)
    assert default.aim("a").rate == D(0) and default.aim("a").status == MET  # office default 0: positive growth


def test_K1_3_group_verdict_differs_from_single_enterprises():
    # one enterprise shrinks, the other grows a lot: the group (the aim's verdict) still grows faster
    result = k13_growth([ent(0, nov=(900, 1000)), ent(1, nov=(3000, 2000))], ACCEPTANCE, rates={"a": "0.05"})
    first, second = (e.aims[0] for e in result.enterprises)
    assert first.status == NOT_MET and first.growth == D("-0.1") and "同比下降10%" in first.message
    assert second.status == MET and "同比增长50%" in second.message
    assert result.aim("a").status == MET and result.aim("a").growth == D(900) / D(3000)


def test_K1_3_zero_base_growth_undefined_never_a_division_by_zero():
    result = k13_growth([ent(0, nov=(500, 0))], ACCEPTANCE, rates={"a": "0.05"})
    e = result.enterprises[0].aims[0]
    assert e.status == UNDETERMINED and e.growth is None and e.in_total
    assert "2024年1-11月营收为0，同比增速无法计算" in e.message
    a = result.aim("a")
    assert a.status == UNDETERMINED and a.growth is None and "上年同期合计为0，增速无法计算" in a.message
    # a zero base beside a positive one: the group's growth is defined
    mixed = k13_growth([ent(0, nov=(500, 0)), ent(1, nov=(1000, 1000))], ACCEPTANCE, rates={"a": "0.05"})
    assert mixed.aim("a").growth == D("0.5") and mixed.aim("a").status == MET


def test_K1_3_missing_figure_left_out_of_the_group_and_stated():
    result = k13_growth([ent(0, nov=(1200, 1000)), ent(1, nov=(800, None))], ACCEPTANCE, rates={"a": "0.05"})
    missing = result.enterprises[1].aims[0]
    assert missing.status == UNDETERMINED and not missing.in_total
    assert "未填写2024年1-11月营收，无法计算同比增速，不计入合计" in missing.message
    a = result.aim("a")
    assert a.enterprises == 1 and a.current_total == D(1200) and a.status == MET
    assert "未计入合计：北京绩效企业1科技有限公司" in a.message
    # no enterprise with both figures: the aim cannot be judged
    none = k13_growth([ent(0, nov=(None, 1000))], ACCEPTANCE)
    assert none.aim("a").status == UNDETERMINED and "没有同时填写" in none.aim("a").message
    assert none.status == UNDETERMINED


def test_K1_3_no_enterprises_cannot_be_judged():
    result = k13_growth([], ACCEPTANCE)
    assert result.status == UNDETERMINED and "未列出绩效企业" in result.aim("a").message


def test_K1_3_duplicate_enterprise_is_an_error_naming_it():
    twice = [ent(0, nov=(1200, 1000)), ent(1, nov=(1, 1)),
             EnterpriseRevenue(CODES[0], "北京绩效企业0科技有限公司（重复）", {})]
    with pytest.raises(GrowthInputError) as err:
        k13_growth(twice, ACCEPTANCE)
    (problem,) = err.value.problems
    assert problem.startswith("enterprises[2]") and CODES[0] in problem and "enterprises[0]" in problem
    assert "同一企业只可列出一次" in problem
    # without credit codes: the same normalised name is the same enterprise
    with pytest.raises(GrowthInputError, match="名称相同"):
        k13_growth([EnterpriseRevenue(None, "北京甲 科技", {}), EnterpriseRevenue(None, "北京甲科技", {})], ACCEPTANCE)


def test_K1_3_bad_figures_are_errors_naming_the_key():
    bad = [EnterpriseRevenue(CODES[0], "甲", {"revenue_2025_jan_now": D(1), "revenue_2024_jan_nov": D(-5),
                                             "revenue_2026_jan_feb": 1.5, "revenue_2025_jan_feb": "abc"})]
    with pytest.raises(GrowthInputError) as err:
        k13_growth(bad, ACCEPTANCE, rates={"c": "0.1"})
    text = "\n".join(err.value.problems)
    for fragment in ("rates.c：未知的目标", "figures.revenue_2025_jan_now：企业“甲”的未知营收字段",
                     "revenue_2024_jan_nov（企业“甲”）：营收须为非负数", "不接受 1.5", "“abc”不是数字"):
        assert fragment in text


def test_K1_3_period_not_ended_cannot_be_judged():
    # at application (2025-09-20) neither period has ended: both aims are commitments
    result = k13_growth([ent(0, nov=(1200, 1000), feb=(230, 200))], APPLIED)
    assert [a.status for a in result.aims] == [PENDING, PENDING] and result.status == PENDING
    assert "2025年1-11月尚未结束" in result.aim("a").message
    assert "2026年1-2月尚未结束（统计期至2026-02-28，评估基准日2025-09-20）" in result.aim("b").message
    assert "验收时核对" in result.aim("b").message
    assert "所填营收暂不使用" in result.enterprises[0].aims[1].message
    # 2026-01-31: aim (a) can be judged, aim (b) not yet
    mid = k13_growth([ent(0, nov=(1200, 1000), feb=(230, 200))], dt.date(2026, 1, 31), rates={"a": "0.05"})
    assert mid.aim("a").status == MET and mid.aim("b").status == PENDING and mid.status == PENDING
    # the day the period ends it can be judged
    assert k13_growth([ent(0, feb=(230, 200))], dt.date(2026, 2, 28)).aim("b").status == MET


def test_K1_3_negative_industry_rate():
    # the industry shrank 5%; a group shrinking 3% still beats it, one shrinking 8% does not
    rates = {"a": D("-0.05"), "b": D("-0.05")}
    result = k13_growth([ent(0, nov=(970, 1000), feb=(92, 100))], ACCEPTANCE, rates=rates)
    assert result.aim("a").status == MET and "同比下降3%，高于行业增速-5%" in result.aim("a").message
    assert result.aim("b").status == NOT_MET and "同比下降8%，未高于行业增速-5%" in result.aim("b").message


def test_K1_3_rate_not_entered_cannot_be_judged():
    result = k13_growth([ent(0, nov=(1200, 1000))], ACCEPTANCE, rates={"a": None})
    assert result.aim("a").status == UNDETERMINED and "尚未录入行业增速" in result.aim("a").message
    assert result.aim("a").growth == D("0.2")


def test_K1_3_to_dict_is_json_with_exact_decimals():
    result = k13_growth([ent(0, nov=(1200, 1000), feb=(230, 200))], ACCEPTANCE, rates={"a": "0.05", "b": "0.1"})
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["rule"] == "K1.3" and data["status"] == "met" and data["as_of"] == "2026-07-15"
    a = data["aims"][0]
    assert (a["aim"], a["growth"], a["growth_percent"], a["rate"], a["current_total"]) == ("a", "0.2000", "20%", "0.05", "1200")
    assert data["enterprises"][0]["credit_code"] == CODES[0]
    assert data["enterprises"][0]["aims"][1]["status"] == "met"


def test_K1_3_input_from_application_records():
    records = [
        {"id": "g1", "clause": "K1.3", "enterprise": {"name": "甲", "credit_code": CODES[0]},
         "revenue_2025_jan_nov": 4120, "revenue_2024_jan_nov": 3580.5},
        {"id": "g2", "clause": "K1.3", "enterprise": {"name": "乙", "credit_code": CODES[1]}, "verified": False},
        {"id": "x", "clause": "K3.1", "park": "海淀园"},
    ]
    (e,) = enterprises_from_records(records)
    assert e.credit_code == CODES[0] and e.figures == {"revenue_2025_jan_nov": D(4120), "revenue_2024_jan_nov": D("3580.5")}


def test_K1_3_aim_declaration_errors_name_the_key():
    text = PROGRAMME.source_text.replace(
        "values: {2025-01-01: 2026-02-28}", "values: {2025-01-01: 2026-02-20}", 1)
    broken = parse_programme(text, "broken.yaml")
    with pytest.raises(ProgrammeFileError, match=r"parameters\.k13_jan_feb_2026_end"):
        k13_aims(broken)


def test_K1_3_agrees_with_the_engine_table_growth():
    # the same figures judged by the engine's condition (projected basis: as of 2026-06-30) and here
    from pathlib import Path

    from zgcfund.core.engine import evaluate

    doc = json.loads((Path(__file__).resolve().parents[2] / "fixtures/applications/good-alliance.json").read_text("utf-8"))
    evaluation = evaluate(doc, PROGRAMME, "projected")
    items = evaluation["clauses"]["K1.3"]["trace"]["condition"]["items"]
    engine = {i["param"]: (i["passed"], i["value"]) for i in items if i.get("measure") == "table_growth"}
    result = k13_growth(enterprises_from_records(doc["records"]), dt.date(2026, 6, 30))
    mine = {a.aim.rate_param: (a.meets, float(a.growth.quantize(D("0.0001")))) for a in result.aims}
    assert mine == engine
