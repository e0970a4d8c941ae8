"""A readable Chinese report of an evaluation, clause by clause, with the reasons."""

from __future__ import annotations

from typing import Any

from zgcfund.core.engine import STATUS_NAMES
from zgcfund.core.numbers import display_number
from zgcfund.core.programme import Programme

BASIS_NAMES = {"prior": "前期工作绩效（遴选参考口径）", "projected": "前期工作绩效＋实施期内工作计划（合同承诺口径）",
               "final": "前期工作绩效＋已交付并经核实的实施期内工作计划（验收口径）"}


def _num(value: Any) -> str:
    return display_number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def _condition_lines(node: dict, depth: int) -> list[str]:
    pad = "      " + "  " * depth
    mark = "✓" if node["passed"] else "✗"
    if "measure" in node:
        param = f"（参数 {node['param']}）" if node.get("param") else ""
        return [f"{pad}{mark} {node['check']}：{_num(node['value'])} {node['op']} {_num(node['threshold'])}{param}"]
    lines = [f"{pad}{mark} {node['check']}"]
    for item in node["items"]:
        lines += _condition_lines(item, depth + 1)
    return lines


def text_report(evaluation: dict, programme: Programme, document: dict | None = None) -> str:
    out: list[str] = [f"{programme.title} — 量化评估报告", "=" * 40]
    if document:
        org = document.get("organization") or {}
        out.append(f"申报单位：{org.get('name', '')}（{org.get('credit_code', '')}）")
        out.append(f"申报日期：{document.get('applied_on', '')}")
        if evaluation["basis"] == "final":
            out.append(f"验收日期：{document.get('accepted_on', '')}")
    out.append(f"计分口径：{BASIS_NAMES[evaluation['basis']]}")
    score = evaluation["score"]
    families = " ".join(f"{programme.families[f]['name']}（{f}）{_num(score[f])}分" for f in programme.families)
    out.append(f"得分：{families}，总分 {_num(score['total'])} 分")
    out.append("结论：" + ("符合遴选条件" if evaluation["eligible"] else "不符合遴选条件"))
    for p in evaluation["problems"]:
        out.append(f"  ✗ [{p['rule']}] {p['message']}")
    for d in evaluation.get("deferred", []):
        out.append(f"  … [{d['rule']}] {d['message']}")
    if evaluation.get("outside_basis"):
        out.append(f"实施期内工作计划记录（本口径不计）：{'、'.join(evaluation['outside_basis'])}")

    clauses = evaluation["clauses"]
    for family, spec in programme.families.items():
        out += ["", f"【{family}】{spec['name']}"]
        for area in spec["areas"]:
            members = [c for c in programme.clauses.values() if c.area == area]
            if [c.id for c in members] != [area]:
                out.append(f"  {area} {programme.areas[area]}")
            for c in members:
                res = clauses[c.id]
                status = STATUS_NAMES[res["status"]]
                score_txt = f"，{_num(res['score'])}分" if res["status"] == "met" else ""
                out.append(f"    {c.id} {c.title} — {status}{score_txt}")
                if res["status"] in ("met", "not_met"):
                    out.append(f"      基本条件：{c.basic_condition}")
                if res.get("counted"):
                    out.append(f"      计入记录：{'、'.join(res['counted'])}")
                for rej in res["rejected"]:
                    out.append(f"      不计入 {rej['record']} [{rej['rule']}]：{rej['message']}")
                trace = res.get("trace")
                if trace and res["status"] in ("met", "not_met"):
                    out += _condition_lines(trace["condition"], 0)
                    for inc in (trace.get("score") or {}).get("increments", []):
                        if inc["added"]:
                            out.append(f"      加分：{inc['label']}，+{_num(inc['added'])}分")
                if res.get("score_excluded_by"):
                    out.append(f"      本项得分不计入（{res['score_excluded_by']}：只计得分最高的两项）")
                for m in res.get("missing_evidence") or ():
                    out.append(f"      支撑材料不全 {m['record']}：{m['message']}")
    out += ["", f"规则文件 {programme.code} sha256:{evaluation['programme_sha256'][:16]}… · "
                f"分值方案 {evaluation['scoring_version']} · 引擎 {evaluation['engine_version']}"]
    return "\n".join(out) + "\n"
