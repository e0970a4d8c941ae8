"""The published JSON Schema of ``zgc-application/1``, generated from a programme file.

The per-clause record fields come from the programme, so the schema and the
validator can never disagree. ``schemas/zgc-application-1.schema.json`` is this
output for the 2025 programme; a test keeps the published file current.
"""

from __future__ import annotations

import json
from typing import Any

from zgcfund.core import bounds
from zgcfund.core.application import DELIVERY_STATUSES, FORMAT, PHASES
from zgcfund.core.programme import FieldSpec, Programme

SCHEMA_ID = "https://zgcfund.example/schemas/zgc-application-1.schema.json"
DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "format": "date",
        "description": f"{bounds.DATE_MIN.isoformat()} 至 {bounds.DATE_MAX.isoformat()}"}
CREDIT_CODE = {"type": "string", "pattern": r"^\s*[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}\s*$",
               "description": "统一社会信用代码（GB 32100-2015），校验位由 zgcfund validate 检查"}
PARTY = {"type": "object", "additionalProperties": False, "required": ["name"],
         "properties": {"name": {"type": "string", "minLength": 1, "maxLength": bounds.LENGTHS["name"]},
                        "credit_code": {"anyOf": [CREDIT_CODE, {"type": "null"}]}}}
CONTACT = {"type": "object", "additionalProperties": False,
           "properties": {"name": {"type": ["string", "null"], "maxLength": bounds.LENGTHS["name"]},
                          "phone": {"type": ["string", "null"]}}}


def _field(spec: FieldSpec) -> dict[str, Any]:
    base: dict[str, Any]
    match spec.type:
        case "string" | "text":
            base = {"type": "string", "maxLength": bounds.LENGTHS[spec.type]}
        case "bool":
            base = {"type": "boolean"}
        case "count":
            base = {"type": "integer", "minimum": 0, "maximum": bounds.COUNT_MAX}
        case "amount":
            base = {"type": "number", "minimum": 0, "maximum": bounds.AMOUNT_MAX, "description": "万元"}
        case "date":
            base = dict(DATE)
        case "party":
            base = PARTY
        case "contact":
            base = CONTACT
        case "industry_code":
            base = {"type": "string", "pattern": r"^\d{4}$"}
        case "enum":
            base = {"enum": list(spec.values or {})}
        case "set":
            base = {"type": "array", "uniqueItems": True, "items": {"enum": list(spec.values or {})}}
        case _:  # pragma: no cover - the programme schema forbids other types
            raise ValueError(spec.type)
    schema = {"title": spec.label, "anyOf": [base, {"type": "null"}]}
    if spec.required:
        schema = {"title": spec.label, **base}
    return schema


DELIVERY = {
    "title": "交付情况（验收时填写，仅实施期内工作计划记录）",
    "type": "object", "additionalProperties": False, "required": ["status"],
    "properties": {
        "status": {"enum": list(DELIVERY_STATUSES),
                   "description": "；".join(f"{k}：{v}" for k, v in DELIVERY_STATUSES.items())},
        "reason": {"type": ["string", "null"], "maxLength": bounds.LENGTHS["text"],
                   "description": "未全部交付的原因（部分交付、未交付时必填）"},
        "verified": {"type": ["boolean", "null"], "description": "交付情况经验收核实"},
        "delivered_on": {"anyOf": [DATE, {"type": "null"}], "description": "交付日期（未交付时不填）"},
    },
    "allOf": [{"if": {"properties": {"status": {"enum": ["partly_delivered", "not_delivered"]}}},
               "then": {"required": ["reason"], "properties": {"reason": {"type": "string", "minLength": 1}}}}],
}


def _evidence(kinds: dict[str, str]) -> dict[str, Any]:
    item: dict[str, Any] = {"name": {"type": "string", "maxLength": bounds.LENGTHS["name"]},
                            "sha256": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}}
    if kinds:
        item["kind"] = {"enum": list(kinds), "description": "；".join(f"{k}：{v}" for k, v in kinds.items())}
    return {"type": "array", "items": {"type": "object", "additionalProperties": False,
                                       "required": ["name", "sha256"], "properties": item}}


def application_schema(programme: Programme) -> dict[str, Any]:
    common = {
        "id": {"type": "string", "minLength": 1, "maxLength": bounds.LENGTHS["id"]},
        "clause": {"enum": list(programme.clauses)},
        "phase": {"enum": list(PHASES)},
        "date": DATE,
        "title": {"type": "string", "minLength": 1, "maxLength": bounds.LENGTHS["title"]},
        "evidence": _evidence({}),
        "verified": {"type": ["boolean", "null"]},
        "delivery": {"anyOf": [DELIVERY, {"type": "null"}]},
    }
    per_clause = []
    for cid, clause in programme.clauses.items():
        props = dict(common)
        props.update({name: _field(f) for name, f in clause.fields.items()})
        props["evidence"] = _evidence({k: v.label for k, v in clause.evidence_kinds.items()})
        required = ["id", "clause", "phase", "date", "title"] + [n for n, f in clause.fields.items() if f.required]
        then: dict[str, Any] = {"title": f"{cid} {clause.title}", "properties": props, "required": required,
                                "additionalProperties": False}
        conditional = [{"if": {"properties": {f.required_when[0]: {"enum": list(f.required_when[1])}},
                               "required": [f.required_when[0]]},
                        "then": {"required": [name], "properties": {name: {"not": {"type": "null"}}}}}
                       for name, f in clause.fields.items() if f.required_when]
        if conditional:
            then["allOf"] = conditional
        per_clause.append({"if": {"properties": {"clause": {"const": cid}}, "required": ["clause"]}, "then": then})
    choose = {g.group: g.choose for g in programme.gates if g.kind == "choose"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": FORMAT,
        "description": f"{programme.title}申报数据交换格式（{programme.code}）。金额单位万元，日期YYYY-MM-DD；未知字段为错误。",
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "programme", "applied_on", "organization", "records"],
        "properties": {
            "format": {"const": FORMAT},
            "programme": {"type": "string"},
            "applied_on": DATE,
            "contract_signed_on": {"anyOf": [DATE, {"type": "null"}]},
            "accepted_on": {"anyOf": [DATE, {"type": "null"}], "description": "验收日期（验收口径 final 的评估基准日）"},
            "organization": {
                "type": "object", "additionalProperties": False, "required": ["name", "credit_code"],
                "properties": {"name": {"type": "string", "minLength": 1, "maxLength": bounds.LENGTHS["string"]},
                               "credit_code": CREDIT_CODE,
                               "comprehensive": {"type": "boolean"},
                               "registers_tech_contracts": {"type": "boolean"}},
            },
            "choices": {
                "type": "object", "additionalProperties": False,
                "properties": {g: {"type": "array", "uniqueItems": True, "maxItems": choose.get(g, len(m)),
                                   "items": {"enum": m}} for g, m in programme.choice_groups.items()},
            },
            "records": {"type": "array", "maxItems": bounds.RECORDS_MAX, "items": {
                "type": "object", "required": ["clause"], "properties": {"clause": {"enum": list(programme.clauses)}},
                "allOf": per_clause}},
        },
    }


def application_schema_text(programme: Programme) -> str:
    return json.dumps(application_schema(programme), ensure_ascii=False, indent=2) + "\n"
