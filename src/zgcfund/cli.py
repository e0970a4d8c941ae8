"""The ``zgcfund`` command line.

    zgcfund evaluate FILE [--basis prior|projected|final] [--format json|text]
    zgcfund validate FILE
    zgcfund schema [--output PATH]
    zgcfund programme [CODE_OR_PATH]
    zgcfund remind [--days N]   (remind experts of the review due date; run daily)
    zgcfund manage ARGS...      (Django management commands)

Exit 0 on a valid document whatever the outcome; 2 on an invalid document or
file, with the field path and the reason. Never a traceback for bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from zgcfund.core.application import validate
from zgcfund.core.bounds import UnreadableJSON, read_json
from zgcfund.core.engine import ALL_BASES, evaluate_application
from zgcfund.core.errors import InvalidDocument, ProgrammeFileError
from zgcfund.core.programme import Programme, load_programme, packaged_programmes
from zgcfund.core.report import text_report
from zgcfund.core.schema import application_schema_text
from zgcfund.core.scheme_table import scoring_markdown

EXIT_INVALID = 2


class InputError(Exception):
    """Bad input the user must fix; printed without a traceback."""


def read_document(path: str) -> Any:
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: 无法读取文件（{exc.strerror}）") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: 文件不是UTF-8编码（第{exc.start}字节）") from None
    try:
        return read_json(text)
    except UnreadableJSON as exc:
        raise InputError(f"{path}: {exc}") from None


def programme_for(doc: Any, override: str | None) -> Programme:
    if override:
        return load_programme(override)
    code = doc.get("programme") if isinstance(doc, dict) else None
    if isinstance(code, str) and code in packaged_programmes():
        return load_programme(code)
    # Unknown programme: validate against the default one, which reports the
    # programme field together with every other problem.
    return load_programme()


def _print_invalid(path: str, exc: InvalidDocument) -> None:
    print(f"{path}: 申报文档不符合 zgc-application/1 格式（{len(exc.problems)}处问题）：", file=sys.stderr)
    for p in exc.problems:
        print(f"  {p}", file=sys.stderr)


def cmd_evaluate(args: argparse.Namespace) -> int:
    doc = read_document(args.file)
    programme = programme_for(doc, args.programme)
    app = validate(doc, programme)
    result = evaluate_application(programme, app, args.basis)
    if args.format == "text":
        sys.stdout.write(text_report(result, programme, doc))
    else:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    doc = read_document(args.file)
    programme = programme_for(doc, args.programme)
    app = validate(doc, programme)
    print(f"{args.file}: 格式有效（{programme.code}，{len(app.records)}条记录）")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    text = application_schema_text(load_programme(args.programme))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_programme(args: argparse.Namespace) -> int:
    p = load_programme(args.programme)
    if args.scoring:
        sys.stdout.write(scoring_markdown(p))
        return 0
    print(f"{p.title}（{p.code}）sha256:{p.sha256}")
    print(f"分值方案：{p.scoring['version']}")
    for c in p.clauses.values():
        print(f"  {c.id:5} {c.family} {c.title}：{c.basic_condition}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zgcfund", description="中关村社会组织支持项目：申报评估工具")
    sub = parser.add_subparsers(dest="command", required=True)

    ev = sub.add_parser("evaluate", help="按条款评估一份申报（zgc-application/1）")
    ev.add_argument("file", help="申报文件（JSON；- 表示标准输入）")
    ev.add_argument("--basis", choices=ALL_BASES, default="prior",
                    help="prior：只计前期工作绩效（遴选口径，默认）；projected：加计实施期内工作计划；"
                         "final：验收口径，加计已交付并经核实的实施期内工作计划（文档须填写 accepted_on）")
    ev.add_argument("--format", choices=("json", "text"), default="json", help="输出格式")
    ev.add_argument("--programme", help="规则文件路径或项目代码（默认按文档的 programme 字段）")
    ev.set_defaults(func=cmd_evaluate)

    va = sub.add_parser("validate", help="只校验格式与语义，不评估")
    va.add_argument("file")
    va.add_argument("--programme")
    va.set_defaults(func=cmd_validate)

    sc = sub.add_parser("schema", help="输出 zgc-application/1 的 JSON Schema")
    sc.add_argument("--programme", default=None)
    sc.add_argument("--output", "-o")
    sc.set_defaults(func=cmd_schema)

    pr = sub.add_parser("programme", help="列出规则文件中的条款")
    pr.add_argument("programme", nargs="?", default=None)
    pr.add_argument("--scoring", action="store_true", help="以Markdown表格输出分值方案")
    pr.set_defaults(func=cmd_programme)

    sub.add_parser("remind", help="提醒尚未提交评审意见的专家（专家评审截止日前 N 天起，每天运行）", add_help=False)
    sub.add_parser("manage", help="Django 管理命令（migrate、runserver、load_programme …）", add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["manage"]:
        from zgcfund.web.manage import main as manage

        return manage(["zgcfund manage", *argv[1:]]) or 0
    if argv[:1] == ["remind"]:  # the Django command of that name (review/management/commands/remind.py)
        from zgcfund.web.manage import main as manage

        return manage(["zgcfund manage", "remind", *argv[1:]]) or 0
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    except InvalidDocument as exc:
        _print_invalid(getattr(args, "file", ""), exc)
        return EXIT_INVALID
    except ProgrammeFileError as exc:
        print(f"规则文件错误：{exc}", file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:  # e.g. piped into head
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
