"""The scoring scheme as a Markdown table, for docs/scoring.md and the office UI."""

from __future__ import annotations

from zgcfund.core.programme import Programme


def _measure(spec: dict) -> str:
    if "sum" in spec:
        return f"合计 {spec['sum']}"
    inner = spec.get("count") or {}
    return f"不同{inner['distinct']}数" if "distinct" in inner else "计入记录数"


def scoring_markdown(programme: Programme) -> str:
    rows = ["| 条款 | 名称 | 基础分（满足基本条件） | 加分 | 上限 |", "|---|---|---|---|---|"]
    for cid, entry in programme.scoring["clauses"].items():
        clause = programme.clauses[cid]
        incs = entry.get("increments", [])
        extra = "；".join(
            f"{i.get('label', '')}（{_measure(i['measure'])}超过{i['above']}后每{i['every']}加{i['points']}分，"
            f"加分不超过{i['cap']}分）" if "cap" in i else
            f"{i.get('label', '')}（{_measure(i['measure'])}超过{i['above']}后每{i['every']}加{i['points']}分）"
            for i in incs) or "—"
        top = entry["base"] + sum(i.get("cap", 0) for i in incs)
        cap = entry.get("cap", top if all("cap" in i for i in incs) else "不设")
        rows.append(f"| {cid} | {clause.title} | {entry['base']} | {extra} | {cap} |")
    return "\n".join(rows) + "\n"
