"""No user text becomes a formula in any spreadsheet or CSV the system writes: the review exports,
the ranking, the public 公示 list (xlsx and CSV) and the Excel list templates. Text stays text,
exactly as typed; numbers and dates stay numbers and dates; an exported list reads back as text."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from tests.review.test_exports import scored, submitted_application
from tests.review.test_ranking_web import Seeder, same

from zgcfund.accounts.models.user import Role
from zgcfund.applications.domain.editing import save_record
from zgcfund.applications.domain.lists import import_list
from zgcfund.applications.interfaces import excel
from zgcfund.core import cells
from zgcfund.core.creditcode import make_valid
from zgcfund.review.domain import assignment as assigning
from zgcfund.review.domain import selection as selection_domain
from zgcfund.review.domain.formal import decide
from zgcfund.review.interfaces import forms

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","点我")'
CMD = "=cmd|' /C calc'!A0"
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def assert_no_formula(data: bytes, expected: set[str]) -> None:
    """No cell of any sheet is a formula (the system writes none of its own: dropdowns and
    validations are not cells); risky text is a quote-prefixed text cell; ``expected`` is there intact."""
    texts = set()
    for ws in load_workbook(io.BytesIO(data)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                where = (ws.title, cell.coordinate, cell.value)
                assert cell.data_type != "f", where
                if isinstance(cell.value, str):
                    texts.add(cell.value)
                    assert cell.data_type == "s", where
                    assert cell.quotePrefix or not cells.risky(cell.value), where
    assert not expected - texts, expected - texts


def test_cells_helper_keeps_numbers_and_dates_and_prefixes_risky_csv_text():
    assert cells.csv_row([HYPERLINK, "-5", -5, "甲", 1.5, None]) == ["'" + HYPERLINK, "'-5", -5, "甲", 1.5, None]
    assert [cells.risky(v) for v in ("+1", "@a", "\tx", "\rx", "a=b", "", -1)] == [True] * 4 + [False] * 3
    ws = Workbook().active
    cells.append(ws, [CMD, -5, dt.date(2025, 3, 2), "#REF!", "bad\x01char"])
    assert [c.data_type for c in ws[1]] == ["s", "n", "d", "s", "s"]
    assert [c.value for c in ws[1]] == [CMD, -5, dt.date(2025, 3, 2), "#REF!", "badchar"]


@pytest.fixture
def dangerous_review(make_org, make_user, loaded, open_window):
    """Every user text that reaches the review exports starts like a formula."""
    office = make_user("office-x@zgc.example", role=Role.OFFICE, full_name="=审查人")
    experts = [make_user(f"x-expert{n}@zgc.example", role=Role.EXPERT, full_name=f"@专家{n}") for n in (1, 2)]
    org, other = make_org(HYPERLINK), make_org(CMD)
    passed = submitted_application(org, make_user("x-a@example.org", organization=org))
    decide(passed, office, "passed", "+材料齐全", {})
    returned = submitted_application(other, make_user("x-b@example.org", organization=other))
    decide(returned, office, "returned", "-请补充活动照片", {"K3.1-002": "=缺少签到表"})
    passed.refresh_from_db()
    assigning.assign(passed, experts, office)
    scored(experts[0], passed, "9.50", "=1+1 活动扎实")
    scored(experts[1], passed, "8.35", "@规模一般", reject="-与 K3.1-001 为同一活动")
    return {"office": office, "code": passed.programme_code}


@pytest.mark.parametrize(("kind", "expected"), [
    ("formal", {HYPERLINK, CMD, "=审查人", "+材料齐全", "-请补充活动照片", "=缺少签到表"}),
    ("expert-scores", {HYPERLINK, "@专家1", "@专家2", "=1+1 活动扎实", "@规模一般", "-与 K3.1-001 为同一活动"}),
    ("clause-scores", {HYPERLINK, CMD}),
])
def test_review_exports_write_user_text_as_text_never_formulas(client, dangerous_review, kind, expected):
    client.force_login(dangerous_review["office"])
    response = client.get(reverse("office:export_download", args=[dangerous_review["code"], kind]))
    assert response.status_code == 200
    assert_no_formula(response.content, expected)


@pytest.fixture
def dangerous_ranking(loaded, make_org, make_user, office_user):
    seed = Seeder(make_org, make_user, office_user)
    return [seed.application(HYPERLINK, scores=same("12", "8")), seed.application(CMD, scores=same("10", "5")),
            seed.application("-1", scores=same("9", "5")), seed.application("\t@SUM(1+1)", scores=same("8", "5"))]


def test_ranking_export_writes_organization_names_as_text(client, dangerous_ranking, office_user, loaded):
    client.force_login(office_user)
    url = reverse("office:export_download", args=[loaded.code, "ranking"])
    data = client.get(url, {"q": "="}).content  # the filter text is shown in the header block too
    assert_no_formula(data, {HYPERLINK, CMD})
    data = client.get(url).content
    assert_no_formula(data, {HYPERLINK, CMD, "-1", "\t@SUM(1+1)"})
    ws = load_workbook(io.BytesIO(data)).active
    ranks = [c.value for c in ws["A"] if isinstance(c.value, int)]
    assert ranks == [1, 2, 3, 4]  # numbers stay numbers


def test_public_selection_xlsx_and_csv_never_carry_a_live_formula(client, dangerous_ranking, office_user, loaded):
    spec = forms.selection_spec({"method": "by_count", "n": "4"})
    draft = selection_domain.save_draft(loaded.code, spec, office_user)
    selection_domain.confirm(draft, office_user, "经主任办公会研究")
    selection_domain.publish(draft, office_user, 7)
    xlsx = client.get(reverse("public:export_xlsx", args=[loaded.code]))
    assert xlsx.status_code == 200
    assert_no_formula(xlsx.content, {HYPERLINK, CMD, "-1", "\t@SUM(1+1)"})
    response = client.get(reverse("public:export_csv", args=[loaded.code]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[2] for r in rows[1:]] == ["'" + HYPERLINK, "'" + CMD, "'-1", "'\t@SUM(1+1)"]
    assert not [v for r in rows for v in r if v.startswith(DANGEROUS_START)]
    assert [r[:2] for r in rows[1:]] == [["1", "1"], ["2", "2"], ["3", "3"], ["4", "4"]]


def test_excel_list_export_keeps_record_text_as_text_and_reads_it_back(client, application, applicant, open_window):
    text = {"title": HYPERLINK, "enterprise": {"name": CMD, "credit_code": make_valid("91110108MA000001")},
            "registered_in": "+海淀区", "business_scope": "-技术开发\n@技术服务"}
    save_record(application, applicant, "K3.2", {"phase": "prior", "date": "2025-06-30", "registered_capital": 800,
                                                  "foreign": True, "notified_on": "2025-05-06",
                                                  "registered_on": "2025-06-20", **text})
    client.force_login(applicant)
    url = reverse("applications:list_template", args=[application.pk, "K3.2"])
    data = client.get(url, {"filled": "1"}).content
    assert_no_formula(data, {HYPERLINK, CMD, "+海淀区", "-技术开发\n@技术服务"})
    ws = load_workbook(io.BytesIO(data))[excel.DATA_SHEET]
    column = {c.path: n for n, c in enumerate(excel.columns_for(excel.programme_of(application), "K3.2"), 1)}
    assert ws.cell(2, column["registered_capital"]).value == 800 and ws.cell(2, column["registered_capital"]).data_type == "n"
    assert ws.cell(2, column["date"]).is_date
    # read back: the text, not an error or an empty cell; the unchanged export changes nothing
    parsed = excel.read_upload(io.BytesIO(data), application, "K3.2")
    [row] = parsed.rows
    assert not row.problems
    assert {k: row.data[k] for k in text} == text
    result = import_list(application, applicant, "K3.2", parsed.rows, "replace", exported=parsed.exported,
                         source="list.xlsx")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
