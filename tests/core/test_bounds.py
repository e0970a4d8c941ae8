"""Input bounds (core.bounds): lengths, plausible dates, amounts and counts, the number of records and
the shape of a JSON document, refused by the engine with a Chinese message naming the field and the
limit; the published schema and the CLI say the same."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest

from zgcfund.cli import main
from zgcfund.core import bounds
from zgcfund.core.application import validate
from zgcfund.core.creditcode import make_valid
from zgcfund.core.errors import InvalidDocument
from zgcfund.core.programme import load_programme
from zgcfund.core.schema import application_schema

PROGRAMME = load_programme()


def record(**fields) -> dict:
    return {"id": "e1", "clause": "K3.1", "phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会",
            "park": "海淀园", "participants": 85, **fields}


def document(*records: dict, **top) -> dict:
    return {"format": "zgc-application/1", "programme": PROGRAMME.code, "applied_on": "2025-09-20",
            "organization": {"name": "北京某某科技服务协会", "credit_code": make_valid("51110108MJ000001")},
            "records": list(records), **top}


def problems(doc: dict) -> dict[str, str]:
    with pytest.raises(InvalidDocument) as exc:
        validate(doc, PROGRAMME)
    return {p.path: p.message for p in exc.value.problems}


def test_record_key_longer_than_the_model_column_is_refused_naming_field_and_limit():
    assert problems(document(record(id="k" * 80))) == {"records[0].id": "记录编号过长（80字），不得超过60字"}
    validate(document(record(id="k" * 60)), PROGRAMME)


def test_title_longer_than_the_model_column_is_refused_naming_field_and_limit():
    assert problems(document(record(title="题" * 450))) == {"records[0].title": "名称过长（450字），不得超过200字"}


def test_party_and_evidence_names_have_the_name_limit():
    rec = {"id": "c1", "clause": "K1.1", "phase": "prior", "date": "2025-03-02", "title": "调研",
           "enterprise": {"name": "企" * 201}, "evidence": [{"name": "图" * 201 + ".png", "sha256": "a" * 64}]}
    found = problems(document(rec))
    assert found["records[0].enterprise.name"] == "调研企业名称过长（201字），不得超过200字"
    assert found["records[0].evidence[0].name"].startswith("支撑材料文件名过长（205字）")


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_implausible_dates_are_refused_in_every_date_field(day):
    k13 = {"id": "p1", "clause": "K1.3", "phase": "prior", "date": "2025-03-02", "title": "企业",
           "enterprise": {"name": "北京某某科技有限公司"}, "included_on": day}
    found = problems(document(record(date=day), k13, applied_on=day))
    expected = f"超出合理范围（应在1900-01-01至2100-12-31之间），实际为{day}"
    assert found["applied_on"] == "申报日期" + expected
    assert found["records[0].date"] == "日期" + expected
    assert found["records[1].included_on"] == "纳统日期" + expected


def test_dates_at_the_bounds_are_accepted():
    validate(document(record(date="1900-01-01"), record(id="e2", date="2100-12-31")), PROGRAMME)


def test_amounts_and_counts_have_a_plausible_maximum():
    k2 = {"id": "i1", "clause": "K2", "phase": "plan", "date": "2025-10-02", "title": "设备",
          "project_type": "equipment", "amount": bounds.AMOUNT_MAX + 1}
    found = problems(document(record(participants=bounds.COUNT_MAX + 1), k2))
    assert found["records[0].participants"] == "参加人数超出合理范围（不得超过1000000000），实际为1000000001"
    assert found["records[1].amount"].endswith("超出合理范围（不得超过1000000000万元），实际为1000000001")
    validate(document(record(participants=bounds.COUNT_MAX)), PROGRAMME)


def test_a_huge_integer_is_reported_not_raised():
    # 4300 digits: the most Python converts to text; the message must not try to print it
    found = problems(document(record(participants=int("9" * 4300))))
    assert found["records[0].participants"] == "参加人数超出合理范围（不得超过1000000000），实际为位数过多的整数"


def test_more_records_than_an_application_may_hold_is_one_problem():
    many = [record(id=f"e{i}") for i in range(bounds.RECORDS_MAX + 1)]
    assert problems(document(*many)) == {"records": "共5001条记录，超过每份申报书5000条的上限"}


# --- reading JSON text -------------------------------------------------------------------------

def test_deep_nesting_is_refused_in_chinese_not_recursion_error():
    with pytest.raises(bounds.UnreadableJSON, match="嵌套层数过深"):
        bounds.read_json("[" * 100_000)
    with pytest.raises(bounds.UnreadableJSON, match="嵌套层数过深"):
        bounds.read_json('{"a":' * 100_000 + "1" + "}" * 100_000)


def test_an_integer_over_the_conversion_limit_is_refused_in_chinese():
    with pytest.raises(bounds.UnreadableJSON, match="4301位的整数"):
        bounds.read_json('{"participants": ' + "9" * 4301 + "}")
    assert bounds.read_json('{"n": -' + "9" * bounds.INT_DIGITS_MAX + "}")["n"] < 0


@pytest.mark.parametrize(("text", "reason"), [('{"a": 1, "a": 2}', "重复"), ('{"a": NaN}', "NaN"),
                                              ("{not json", "第1行第2列")])
def test_json_text_problems_are_unreadable_json(text, reason):
    with pytest.raises(bounds.UnreadableJSON, match=reason):
        bounds.read_json(text)


@pytest.mark.parametrize(("content", "reason"), [("[" * 100_000, "嵌套层数过深"),
                                                 ('{"a": ' + "1" * 4301 + "}", "4301位的整数")])
def test_cli_exits_2_with_a_chinese_reason_on_hostile_json(tmp_path, content, reason):
    path = tmp_path / "hostile.json"
    path.write_text(content, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "zgcfund.cli", "validate", str(path)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert reason in proc.stderr and "Traceback" not in proc.stderr


def test_cli_names_the_field_of_an_implausible_date(tmp_path, capsys):
    path = tmp_path / "app.json"
    path.write_text(json.dumps(document(record(date="9999-12-31")), ensure_ascii=False), encoding="utf-8")
    assert main(["evaluate", str(path)]) == 2
    assert "records[0].date: 日期超出合理范围" in capsys.readouterr().err


# --- the published schema ------------------------------------------------------------------------

def test_schema_publishes_the_bounds():
    schema = application_schema(PROGRAMME)
    checker = jsonschema.Draft202012Validator(schema)
    assert checker.is_valid(document(record()))
    assert not checker.is_valid(document(record(id="k" * 61)))
    assert not checker.is_valid(document(record(title="题" * 201)))
    assert not checker.is_valid(document(record(participants=bounds.COUNT_MAX + 1)))
    assert schema["properties"]["records"]["maxItems"] == bounds.RECORDS_MAX


def test_an_unknown_limit_kind_names_the_key():
    with pytest.raises(KeyError, match=r"bounds\.LENGTHS: unknown kind 'titel'"):
        bounds.limit("titel")
