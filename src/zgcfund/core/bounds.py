"""Bounds on input, declared once.

Lengths, plausible dates, amounts and counts, the size of an application and of a JSON document.
The engine's validator enforces them on every document (JSON import, Excel lists, the CLI); the
web forms, the models, the Excel reader and the published JSON Schema read them here. So the same
input is accepted or refused the same way on every path, with the same message naming the field.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

DATE_MIN, DATE_MAX = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
AMOUNT_MAX = 1_000_000_000   # 万元, i.e. 10 万亿元: above any enterprise's revenue
COUNT_MAX = 1_000_000_000    # participants, page views, …
RECORDS_MAX = 5_000          # records in one application; rows in one Excel list import
INT_DIGITS_MAX = 100         # an integer in a JSON document (Python refuses > 4300 digits anyway)

LENGTHS: dict[str, int] = {  # kind → longest text, in characters
    "id": 60,              # a record's key (Record.key; the review's record_key columns)
    "title": 200,          # a record's title (Record.title)
    "name": 200,           # a party's or contact's name; an evidence file's name (EvidenceFile.name)
    "string": 500,         # any other one-line field of a record or the organization
    "text": 20_000,        # a multi-line record field (K2's plan)
    "comment": 2_000,      # a reviewer's comment: formal review, per record, expert's per clause
    "reason": 500,         # a reason: an expert's rejection, an extension, a confirmation, a scheme change
    "objection": 5_000,    # an objection's content and its handling
}

# Labels of the format's fields that the programme file does not declare.
LABELS = {"id": "记录编号", "clause": "条款", "phase": "阶段", "date": "日期", "title": "名称",
          "evidence": "支撑材料", "verified": "审核确认", "applied_on": "申报日期",
          "contract_signed_on": "合同签署日期", "accepted_on": "验收日期", "organization.name": "单位名称"}


def limit(kind: str) -> int:
    try:
        return LENGTHS[kind]
    except KeyError:
        raise KeyError(f"bounds.LENGTHS: unknown kind '{kind}'") from None


def number_text(value: Any) -> str:
    """A number as shown in a message, never failing (Python refuses str() of a huge int)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return "位数过多的整数"
    if isinstance(value, Decimal):
        return format(value, "f")[:40] if abs(value.adjusted()) < 40 else str(value)
    return str(value)[:40]


def length_problem(label: str, text: str, kind: str) -> str | None:
    n, most = len(text), limit(kind)
    return f"{label}过长（{n}字），不得超过{most}字" if n > most else None


def date_problem(label: str, day: dt.date) -> str | None:
    if DATE_MIN <= day <= DATE_MAX:
        return None
    return f"{label}超出合理范围（应在{DATE_MIN.isoformat()}至{DATE_MAX.isoformat()}之间），实际为{day.isoformat()}"


def amount_problem(label: str, value: int | float | Decimal) -> str | None:
    if value < 0:
        return f"{label}应为非负数（单位：万元），实际为{number_text(value)}"
    if value > AMOUNT_MAX:
        return f"{label}超出合理范围（不得超过{AMOUNT_MAX}万元），实际为{number_text(value)}"
    return None


def count_problem(label: str, value: int) -> str | None:
    if value < 0:
        return f"{label}应为非负整数，实际为{number_text(value)}"
    if value > COUNT_MAX:
        return f"{label}超出合理范围（不得超过{COUNT_MAX}），实际为{number_text(value)}"
    return None


def records_problem(n: int) -> str | None:
    if n <= RECORDS_MAX:
        return None
    return f"共{n}条记录，超过每份申报书{RECORDS_MAX}条的上限"


# --- reading a JSON document ---------------------------------------------------------------------

class UnreadableJSON(ValueError):
    """Text that is not a JSON document the format can hold; ``str()`` says why, in Chinese.
    ``syntax``: the decoder's error when the text is not JSON at all (its line and column)."""

    def __init__(self, message: str, syntax: json.JSONDecodeError | None = None):
        self.syntax = syntax
        super().__init__(message)


def _reject_constant(name: str) -> Any:
    raise UnreadableJSON(f"不允许的数值 {name}")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise UnreadableJSON(f"字段“{key[:40]}”重复出现")
        out[key] = value
    return out


def _int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > INT_DIGITS_MAX:
        raise UnreadableJSON(f"有一个{digits}位的整数，数值不得超过{INT_DIGITS_MAX}位")
    return int(text)


def read_json(text: str) -> Any:
    """Parse a document: refuses NaN/Infinity, duplicate keys, over-long integers and deep nesting
    with :class:`UnreadableJSON` (never RecursionError or the interpreter's int-conversion ValueError)."""
    try:
        return json.loads(text, parse_int=_int, parse_constant=_reject_constant,
                          object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise UnreadableJSON(f"不是有效的JSON（第{exc.lineno}行第{exc.colno}列：{exc.msg}）", exc) from None
    except RecursionError:
        raise UnreadableJSON("嵌套层数过深（数组或对象层层嵌套），不是申报数据文件") from None
    except UnreadableJSON:
        raise
    except ValueError as exc:  # pragma: no cover - json's own conversions; kept Chinese-first
        raise UnreadableJSON(f"不是有效的JSON（{exc}）") from None
