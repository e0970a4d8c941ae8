"""The `zgcfund` CLI contract of application-format.md: exit 0 on any valid
document whatever the outcome, exit 2 naming the field path and the reason."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from zgcfund.cli import main
from zgcfund.core.creditcode import make_valid
from zgcfund.core.programme import load_programme
from zgcfund.core.schema import application_schema_text

ROOT = Path(__file__).resolve().parents[2]
ORG_CODE = make_valid("51110108MJ000001")


def document(**overrides) -> dict:
    doc = {
        "format": "zgc-application/1",
        "programme": "zgc-social-org-2025",
        "applied_on": "2025-09-20",
        "contract_signed_on": None,
        "organization": {"name": "北京市人工智能产业协会", "credit_code": ORG_CODE,
                         "comprehensive": False, "registers_tech_contracts": False},
        "records": [
            {"id": "e1", "clause": "K3.1", "phase": "prior", "date": "2025-03-02",
             "title": "人工智能产业对接会", "park": "海淀园", "participants": 85},
            {"id": "e2", "clause": "K3.1", "phase": "prior", "date": "2025-05-12",
             "title": "生物医药园区交流会", "park": "昌平园", "participants": 59},
        ],
    }
    doc.update(overrides)
    return doc


@pytest.fixture
def write(tmp_path):
    def _write(doc, name="app.json") -> str:
        path = tmp_path / name
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        return str(path)
    return _write


def test_evaluate_json_is_zgc_evaluation(write, capsys):
    assert main(["evaluate", write(document())]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["format"] == "zgc-evaluation/1"
    assert out["basis"] == "prior"
    assert set(out["clauses"]) == set(load_programme().clauses)
    k31 = out["clauses"]["K3.1"]
    assert k31["status"] == "not_met"  # one qualifying event of the two required
    assert k31["counted"] == ["e1"]
    assert k31["rejected"] == [{"record": "e2", "rule": "K3.1", "message": "参加人数 59 人，少于 60 人"}]
    assert out["eligible"] is False and [p["rule"] for p in out["problems"]] == ["X-P-TWO"]
    assert out["programme_sha256"] == load_programme().sha256


def test_evaluate_projected_counts_plan_records(write, capsys):
    doc = document()
    doc["records"].append({"id": "e3", "clause": "K3.1", "phase": "plan", "date": "2026-03-02",
                           "title": "新能源园区招商会", "park": "亦庄园", "participants": 120})
    path = write(doc)
    main(["evaluate", path, "--basis", "prior"])
    prior = json.loads(capsys.readouterr().out)
    main(["evaluate", path, "--basis", "projected"])
    projected = json.loads(capsys.readouterr().out)
    assert prior["clauses"]["K3.1"]["status"] == "not_met" and prior["outside_basis"] == ["e3"]
    assert projected["clauses"]["K3.1"]["status"] == "met"
    assert projected["clauses"]["K3.1"]["counted"] == ["e1", "e3"]
    assert projected["score"]["K"] > prior["score"]["K"]


def _final_document() -> dict:
    doc = document(contract_signed_on="2025-11-01", accepted_on="2026-07-15")
    doc["records"] += [
        {"id": "e3", "clause": "K3.1", "phase": "plan", "date": "2026-03-02", "title": "新能源园区招商会",
         "park": "亦庄园", "participants": 120, "delivery": {"status": "delivered", "verified": True,
                                                            "delivered_on": "2026-03-02"}},
        {"id": "e4", "clause": "K3.1", "phase": "plan", "date": "2026-04-20", "title": "生物医药园区对接会",
         "park": "大兴园", "participants": 100, "delivery": {"status": "not_delivered", "reason": "场地未能落实"}},
        {"id": "e5", "clause": "K3.1", "phase": "plan", "date": "2026-05-20", "title": "集成电路园区对接会",
         "park": "亦庄园", "participants": 100, "delivery": {"status": "delivered"}},
    ]
    return doc


def test_evaluate_final_counts_delivered_and_verified_plan_records(write, capsys):
    """W-PLAN / DELIVERY: --basis final counts prior records and the verified delivered commitments."""
    path = write(_final_document())
    assert main(["evaluate", path, "--basis", "final"]) == 0
    final = json.loads(capsys.readouterr().out)
    assert final["basis"] == "final" and final["outside_basis"] == []
    k31 = final["clauses"]["K3.1"]
    assert k31["status"] == "met" and k31["counted"] == ["e1", "e3"]
    rejected = {r["record"]: r for r in k31["rejected"]}
    assert {rid: r["rule"] for rid, r in rejected.items()} == {"e2": "K3.1", "e4": "DELIVERY", "e5": "DELIVERY"}
    assert "未交付：场地未能落实" in rejected["e4"]["message"]
    assert "未经验收核实" in rejected["e5"]["message"]
    main(["evaluate", path, "--basis", "prior"])
    prior = json.loads(capsys.readouterr().out)
    assert prior["basis"] == "prior" and prior["outside_basis"] == ["e3", "e4", "e5"]
    assert prior["clauses"]["K3.1"]["counted"] == ["e1"]


def test_evaluate_final_text_report_names_the_acceptance_date(write, capsys):
    assert main(["evaluate", write(_final_document()), "--basis", "final", "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "验收口径" in out and "验收日期：2026-07-15" in out
    assert "不计入 e4 [DELIVERY]：未交付：场地未能落实" in out


def test_evaluate_final_without_accepted_on_exits_2(write, capsys):
    doc = _final_document()
    del doc["accepted_on"]
    path = write(doc)
    assert main(["evaluate", path, "--basis", "final"]) == 2
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if line.strip().startswith("accepted_on:"))
    assert "按验收口径（basis final）评估时必填" in line
    assert main(["evaluate", path, "--basis", "projected"]) == 0  # the other bases need no acceptance date


def test_evaluate_text_report_in_chinese_with_reasons(write, capsys):
    assert main(["evaluate", write(document()), "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "K3.1 园区服务活动 — 未满足" in out
    assert "不计入 e2 [K3.1]：参加人数 59 人，少于 60 人" in out
    assert "[X-P-TWO]" in out and "不符合遴选条件" in out


@pytest.mark.parametrize(("mutate", "path", "reason"), [
    (lambda d: d.update(extra=1), "extra", "未知字段"),
    (lambda d: d["records"][0].update(participantz=85), "records[0].participantz", "没有此字段"),
    (lambda d: d["records"][0].update(participants="85人"), "records[0].participants", "非负整数"),
    (lambda d: d["records"][0].update(date="2025-02-30"), "records[0].date", "不是有效日期"),
    (lambda d: d["organization"].update(credit_code="51110108MJ0000013X"), "organization.credit_code", "校验码"),
    (lambda d: d["records"][0].update(clause="K9.9"), "records[0].clause", "未知条款编号"),
    (lambda d: d["records"][1].update(id="e1"), "records[1].id", "重复"),
    (lambda d: d.update(accepted_on="2026-13-01"), "accepted_on", "不是有效日期"),
    (lambda d: d["records"][0].update(delivery={"status": "delivered"}), "records[0].delivery", "phase: plan"),
    (lambda d: d["records"][0].update(phase="plan", delivery={"status": "partly_delivered", "verfied": True}),
     "records[0].delivery.verfied", "未知字段"),
    (lambda d: d["records"][0].update(phase="plan", delivery={"status": "not_delivered"}),
     "records[0].delivery.reason", "必填"),
])
def test_invalid_document_exits_2_naming_field(write, capsys, mutate, path, reason):
    doc = document()
    mutate(doc)
    assert main(["validate", write(doc)]) == 2
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if line.strip().startswith(path + ":"))
    assert reason in line


@pytest.mark.parametrize(("content", "reason"), [
    ("{not json", "不是有效的JSON"),
    ('{"a": 1, "a": 2}', "重复"),
    ('{"a": NaN}', "NaN"),
])
def test_unreadable_json_exits_2(write, capsys, content, reason):
    assert main(["evaluate", write(content)]) == 2
    assert reason in capsys.readouterr().err


def test_missing_file_exits_2(capsys, tmp_path):
    assert main(["validate", str(tmp_path / "none.json")]) == 2
    assert "无法读取文件" in capsys.readouterr().err


def test_valid_document_whatever_outcome_exits_0(write, capsys):
    doc = document(records=[])
    assert main(["evaluate", write(doc)]) == 0
    assert main(["validate", write(doc)]) == 0
    assert "格式有效" in capsys.readouterr().out


def test_console_script_prints_no_traceback(write):
    path = write("[1, 2")
    proc = subprocess.run([sys.executable, "-m", "zgcfund.cli", "evaluate", path],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "不是有效的JSON" in proc.stderr


def test_published_schema_is_current():
    published = (ROOT / "schemas" / "zgc-application-1.schema.json").read_text(encoding="utf-8")
    assert published == application_schema_text(load_programme()), "run: zgcfund schema -o schemas/zgc-application-1.schema.json"


def test_published_schema_accepts_valid_and_rejects_typos():
    schema = json.loads((ROOT / "schemas" / "zgc-application-1.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    assert not list(validator.iter_errors(document()))
    doc = document()
    doc["records"][0]["participantz"] = 1
    assert list(validator.iter_errors(doc))
    assert not list(validator.iter_errors(_final_document()))
    doc = _final_document()
    doc["records"][3]["delivery"] = {"status": "not_delivered"}  # a reason is required unless delivered
    assert list(validator.iter_errors(doc))
    doc = _final_document()
    doc["records"][2]["delivery"]["verifed"] = True
    assert list(validator.iter_errors(doc))


def test_docs_scoring_table_matches_programme_file(capsys):
    assert main(["programme", "--scoring"]) == 0
    table = capsys.readouterr().out
    doc = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    start = doc.index("<!-- scoring-table:start -->\n") + len("<!-- scoring-table:start -->\n")
    assert doc[start:doc.index("<!-- scoring-table:end -->")] == table
