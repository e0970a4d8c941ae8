"""A list clause's records as a compact table: search, sort and pages, decided on the server.

A list clause (``domain.lists.LIST_CLAUSES``: K1.1 surveys, enterprises, registrations) may hold hundreds
of records; the clause page shows them a page at a time. The state lives in the query string
(``q``, ``sort``, ``dir``, ``page``; ``record`` = show the page holding that record), so every view of
the table has its own URL and works without JavaScript. Search and sort read what the applicant reads
(the displayed values), so 是/否, enterprise names and credit codes are all found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from zgcfund.applications.domain.notices import notice_fields
from zgcfund.applications.models import Record
from zgcfund.core.programme import ClauseDef

PER_PAGE = 20  # 20 rows and the page stays about two screens high, form and tools included
MAX_COLUMNS = 3  # clause fields shown as columns; the rest show in the row's details
NUMERIC = ("amount", "count", "number", "integer")
HIDDEN_TYPES = ("text",)  # long text: details only
QUERY_MAX = 100


@dataclass(frozen=True)
class Column:
    key: str  # the ``sort`` value: "key", "title", "date", "phase" or "f_<field>"
    label: str
    numeric: bool = False


@dataclass
class Row:
    record: Record
    cells: list[str]
    values: list[tuple[str, str]]  # every field (label, shown value): the row's details
    text: str  # what search looks in (lower case)
    comment: str | None = None
    target: bool = False  # the row a link asked for (``?record=``): opened and marked
    url: str = ""  # this table page with the row opened
    sort_values: dict[str, Any] = field(default_factory=dict)


@dataclass
class TableState:
    q: str = ""
    sort: str = "key"
    dir: str = "asc"
    page: str = "1"
    record: str = ""

    def query(self, **changes) -> str:
        """The query string for this state with ``changes`` (defaults left out)."""
        values = {"q": self.q, "sort": self.sort, "dir": self.dir, "page": self.page, **changes}
        items = [(k, v) for k, v in values.items()
                 if v and not (k == "sort" and v == "key") and not (k == "dir" and v == "asc")
                 and not (k == "page" and str(v) == "1")]
        return urlencode(items)


def state_from(params: QueryDict | dict) -> TableState:
    q = " ".join(str(params.get("q") or "").split())[:QUERY_MAX]
    direction = "desc" if params.get("dir") == "desc" else "asc"
    return TableState(q=q, sort=str(params.get("sort") or "key")[:40], dir=direction,
                      page=str(params.get("page") or "1")[:8], record=str(params.get("record") or "")[:60])


def state_from_url(url: str | None) -> TableState:
    """The table state of a page URL (htmx sends the page's URL with each request)."""
    return state_from(QueryDict(urlsplit(url or "").query))


def columns_for(clause_def: ClauseDef) -> tuple[list[Column], list]:
    """The table's columns and the field specs shown as columns."""
    linked = notice_fields(clause_def)
    specs = [s for s in clause_def.fields.values()
             if s.type not in HIDDEN_TYPES and not (linked and s.name == linked[1])][:MAX_COLUMNS]
    notice_date = clause_def.fields.get(linked[0]) if linked else None
    if notice_date is not None and notice_date not in specs:  # K3.2/K3.3: whether the office has the notice
        specs = [*specs[:MAX_COLUMNS - 1], notice_date]
    columns = [Column("key", _("编号")), Column("title", _("名称")), Column("date", _("日期"))]
    columns += [Column(f"f_{s.name}", s.label, s.type in NUMERIC) for s in specs]
    return columns, specs


def _natural(text: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _sort_value(spec, value: Any, shown: str) -> Any:
    if spec.type in NUMERIC and isinstance(value, int | float):
        return value
    return shown.casefold()


def _cell(spec, value: Any, shown: str) -> str:
    """A column's text: an enterprise by its name (its code shows in the row's details, and is searched)."""
    if spec.type in ("party", "contact") and isinstance(value, dict) and value.get("name"):
        return str(value["name"])
    return shown


def build_rows(clause_def: ClauseDef, records, comments: dict[str, str], shown) -> list[Row]:
    """``shown(spec, record)``: a field's displayed text (the editor's, with the notice flag)."""
    _columns, specs = columns_for(clause_def)
    linked = notice_fields(clause_def)
    all_specs = [s for s in clause_def.fields.values() if not (linked and s.name == linked[1])]
    rows = []
    for r in records:
        values = [(s.label, shown(s, r)) for s in all_specs]
        by_name = dict(zip([s.name for s in all_specs], [v for _label, v in values], strict=True))
        cells = [_cell(s, r.fields.get(s.name), by_name.get(s.name, "—")) for s in specs]
        text = " ".join([r.key, r.title, r.date.isoformat(), str(r.get_phase_display()), *by_name.values()]).casefold()
        sort_values = {"key": _natural(r.key), "title": r.title.casefold(), "date": r.date, "phase": r.phase}
        for s in specs:
            sort_values[f"f_{s.name}"] = _sort_value(s, r.fields.get(s.name), by_name.get(s.name, ""))
        rows.append(Row(r, cells, values, text, (comments or {}).get(r.key), sort_values=sort_values))
    return rows


@dataclass
class Table:
    state: TableState
    columns: list[Column]
    page: Page
    total: int
    found: int
    base_url: str = ""

    @property
    def rows(self) -> list[Row]:
        return list(self.page.object_list)

    def url(self, **changes) -> str:
        query = self.state.query(**changes)
        return f"{self.base_url}?{query}" if query else self.base_url or "?"

    @property
    def headers(self) -> list[dict]:
        """Per column: the URL sorting by it (again: the other way), and how it sorts now."""
        out = []
        for c in self.columns:
            active = self.state.sort == c.key
            direction = ("desc" if self.state.dir == "asc" else "asc") if active else "asc"
            out.append({"column": c, "url": self.url(sort=c.key, dir=direction, page=1), "active": active,
                        "aria": ("descending" if self.state.dir == "desc" else "ascending") if active else ""})
        return out

    @property
    def pages(self) -> list[dict]:
        """Page links: the first, the last and two either side of the current one; None: a gap."""
        current, last = self.page.number, self.page.paginator.num_pages
        shown = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
        out, previous = [], 0
        for n in shown:
            if n - previous > 1:
                out.append(None)
            out.append({"number": n, "url": self.url(page=n), "current": n == current})
            previous = n
        return out

    @property
    def previous_url(self) -> str | None:
        return self.url(page=self.page.previous_page_number()) if self.page.has_previous() else None

    @property
    def next_url(self) -> str | None:
        return self.url(page=self.page.next_page_number()) if self.page.has_next() else None

    @property
    def here(self) -> str:
        """This page of the table (closing a row's details)."""
        return self.url()


def _sorted(rows: list[Row], key: str, descending: bool) -> list[Row]:
    present = [r for r in rows if r.sort_values.get(key) not in (None, "—", "")]
    empty = [r for r in rows if r.sort_values.get(key) in (None, "—", "")]
    try:
        present.sort(key=lambda r: (r.sort_values[key], _natural(r.record.key)), reverse=descending)
    except TypeError:  # mixed kinds of values: compare as text
        present.sort(key=lambda r: (str(r.sort_values[key]), _natural(r.record.key)), reverse=descending)
    return present + empty  # empty cells last either way


def table(clause_def: ClauseDef, rows: list[Row], state: TableState, per_page: int = PER_PAGE,
          base_url: str = "") -> Table:
    columns, _specs = columns_for(clause_def)
    if state.sort not in {c.key for c in columns}:
        state.sort = "key"
    target = next((r for r in rows if r.record.key == state.record), None) if state.record else None
    terms = state.q.casefold().split()
    found = [r for r in rows if all(t in r.text for t in terms)]
    if target is not None and target not in found:  # the asked-for record is shown whatever the search
        state.q, found = "", rows
    found = _sorted(found, state.sort, state.dir == "desc")
    paginator = Paginator(found, per_page)
    if target is not None:
        target.target = True
        state.page = str(found.index(target) // per_page + 1)
    page = paginator.get_page(state.page)
    state.page = str(page.number)
    for row in page.object_list:
        row.url = f"{base_url}?{state.query(record=row.record.key)}"
    return Table(state, columns, page, len(rows), len(found), base_url)
