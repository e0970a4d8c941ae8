"""The 申报书 PDF: rendered from the frozen submission snapshot only, Chinese, CJK fonts embedded,
every record, every evaluation verdict and every evidence file with its SHA-256."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import logging
import random
import re
from html import unescape
from pathlib import Path

import pytest
from django.utils import translation

from zgcfund.applications.interfaces.pdf import (
    ApplicationSnapshot,
    document_fingerprint,
    render_application_html,
    render_application_pdf,
)
from zgcfund.core.engine import evaluate
from zgcfund.core.programme import load_programme
from zgcfund.devtools.synthetic import make_application

pypdf = pytest.importorskip("pypdf", reason="pypdf (test extra) is needed to read the PDF's text and fonts")

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "applications"
A4 = (595.28, 841.89)  # points
SUBMITTED_AT = dt.datetime(2025, 9, 20, 6, 3, 5, tzinfo=dt.UTC)  # 14:03:05 in Beijing


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def snapshot_of(doc: dict, *, pending: int = 1, registration_type_label: str = "社会团体") -> ApplicationSnapshot:
    """A snapshot as the submission service builds it; the first ``pending`` files are not uploaded yet."""
    programme = load_programme()
    evidence = [{"record_id": r["id"], "clause": r["clause"], "name": e["name"], "sha256": e["sha256"],
                 "size": 20_000 + 1_000 * i, "content_type": "application/pdf", "uploaded": True}
                for r in doc["records"] for i, e in enumerate(r.get("evidence") or ())]
    for e in evidence[:pending]:
        e["uploaded"] = False
    evidence.append({"record_id": None, "clause": None, "name": "承诺书（盖章）.pdf",
                     "sha256": hashlib.sha256(b"commitment scan").hexdigest(), "size": 480_000,
                     "content_type": "application/pdf", "uploaded": True})
    org = doc["organization"]
    return ApplicationSnapshot(
        document=doc,
        evaluation_prior=evaluate(doc, programme, "prior"),
        evaluation_projected=evaluate(doc, programme, "projected"),
        programme=programme,
        organization={"name": org["name"], "credit_code": org["credit_code"],
                      "registration_type_label": registration_type_label, "comprehensive": org["comprehensive"],
                      "registers_tech_contracts": org["registers_tech_contracts"], "contact_name": "王小明",
                      "contact_phone": "010-62345678", "contact_email": "wang@example.org"},
        submission_number=2,
        submitted_at=SUBMITTED_AT,
        submitted_by="王小明",
        programme_version=f"{programme.code} 第1版 · SHA-256 {programme.sha256[:12]}…",
        evidence=evidence,
    )


def squash(text: str) -> str:
    """Text without whitespace: the PDF wraps lines wherever a cell ends."""
    return re.sub(r"\s+", "", text)


def page_texts(pdf: bytes, pages: range | None = None) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    chosen = pages if pages is not None else range(len(reader.pages))
    return [squash(reader.pages[i].extract_text()) for i in chosen]


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """BaseFont name -> whether the font program is embedded, over every page's font dictionary."""
    fonts: dict[str, bool] = {}
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for ref in (page["/Resources"].get("/Font") or {}).values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            fonts[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts


def record_rows(html: str) -> dict[str, str]:
    """Record id -> the HTML of its row in the clause tables."""
    rows = {}
    for row in re.findall(r"<tr>\s*(<td>.*?)</tr>", html, re.S):
        first = re.match(r"<td>(.*?)</td>", row)
        if first:
            rows.setdefault(unescape(first.group(1)), unescape(row))
    return rows


HOSTILE_TITLE = '<img src="https://example.invalid/x.png"> 路演 & “对接会”'


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def windows_doc() -> dict:
    """A fixture with rejections on several rules; one title looks like markup pointing at a URL."""
    doc = load("bad-windows")
    doc["records"][0]["title"] = HOSTILE_TITLE
    return doc


@pytest.fixture(scope="module")
def windows_render(windows_doc) -> tuple[bytes, list[str]]:
    """The PDF, and what WeasyPrint warned about while making it."""
    warnings = _Warnings()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(warnings)
    try:
        pdf = render_application_pdf(snapshot_of(windows_doc))
    finally:
        logger.removeHandler(warnings)
    return pdf, warnings.messages


@pytest.fixture(scope="module")
def windows_pdf(windows_render) -> bytes:
    return windows_render[0]


@pytest.fixture(scope="module")
def windows_text(windows_pdf) -> list[str]:
    return page_texts(windows_pdf)


# --- the PDF itself ---------------------------------------------------------------------------------

def test_is_an_a4_pdf_with_the_cjk_fonts_embedded(windows_pdf):
    assert windows_pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(windows_pdf))
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.5)
    fonts = embedded_fonts(windows_pdf)
    # WeasyPrint subsets and names them e.g. "ABCDEF+Noto-Sans-CJK-SC"
    names = {re.sub(r"[^a-z]", "", name.split("+")[-1].lower()): embedded for name, embedded in fonts.items()}
    assert any(n.startswith("notosanscjk") for n in names), fonts
    assert any(n.startswith("notoserifcjk") for n in names), fonts
    assert all(names.values()), f"every font is embedded: {fonts}"
    assert reader.metadata.title.startswith("2025年中关村社会组织支持项目申报书")


def test_text_has_the_organization_every_record_and_every_evidence_sha256(windows_doc, windows_text):
    text = "".join(windows_text)
    org = windows_doc["organization"]
    assert org["name"] in text and org["credit_code"] in text
    for record in windows_doc["records"]:
        assert squash(record["title"]) in text, record["id"]
    snap = snapshot_of(windows_doc)
    for e in snap.evidence:
        assert e["sha256"] in text, e["name"]
    assert "待上传" in text  # the first file is not uploaded yet
    assert snap.evidence[-1]["sha256"] in text and "承诺书" in text


def test_cover_shows_submission_fingerprint_and_generated_line(windows_doc, windows_text):
    cover = windows_text[0]
    assert "2025年中关村社会组织支持项目" in cover and "申报书" in cover
    assert windows_doc["organization"]["name"] in cover and windows_doc["organization"]["credit_code"] in cover
    assert "第2次提交" in cover
    assert "2025年9月20日14:03:05（北京时间）" in cover  # 06:03:05 UTC shown in Asia/Shanghai
    assert "zgc-social-org-2025第1版" in cover
    assert document_fingerprint(windows_doc) in cover
    assert "本申报书由系统根据提交时的数据生成" in cover


def test_every_page_has_the_organization_and_page_x_of_y(windows_doc, windows_text):
    total = len(windows_text)
    assert total > 1
    for number, text in enumerate(windows_text, 1):
        assert f"第{number}页共{total}页" in text
        if number > 1:  # the cover has no running header
            assert windows_doc["organization"]["name"] in text


def test_rejected_records_show_rule_name_id_and_reason(windows_doc, windows_text):
    text = "".join(windows_text)
    programme = load_programme()
    prior = evaluate(windows_doc, programme, "prior")
    rejected = [r for c in prior["clauses"].values() for r in c["rejected"]]
    assert {r["rule"] for r in rejected} >= {"W-PRIOR", "W-2025", "W-INTL-STD", "X-ONCE"}
    for r in rejected:  # the rule's Chinese name first, its ID after it: 〔2025年度（W-2025）〕
        assert squash(f"{r['record']}〔{programme.rule_name(r['rule'])}（{r['rule']}）〕{r['message']}") in text, r


def test_same_snapshot_gives_the_same_bytes(windows_doc, windows_pdf):
    assert render_application_pdf(snapshot_of(windows_doc)) == windows_pdf


def test_markup_in_the_data_is_text_and_nothing_is_fetched(windows_doc, windows_render, windows_text):
    html = render_application_html(snapshot_of(windows_doc))
    assert "&lt;img src=&quot;https://example.invalid/x.png&quot;&gt; 路演 &amp; “对接会”" in html
    assert not re.search(r"<[^>]*\s(src|href)=|url\(", html)  # the 申报书 references no resource
    assert squash(HOSTILE_TITLE) in "".join(windows_text)
    assert windows_render[1] == []  # WeasyPrint neither fetched nor failed to fetch anything


# --- content (checked on the HTML the PDF is made from: fast and exact) ---------------------------

@pytest.mark.parametrize("name", ["good", "good-alliance", "bad-gates", "bad-windows", "borderline", "borderline-plan"])
def test_every_record_is_shown_under_its_clause_with_the_clause_field_labels(name):
    doc = load(name)
    programme = load_programme()
    html = render_application_html(snapshot_of(doc))
    rows = record_rows(html)
    for record in doc["records"]:
        row = rows[record["id"]]
        assert record["title"] in row
        assert {"prior": "前期", "plan": "计划"}[record["phase"]] in row
        clause = programme.clauses[record["clause"]]
        for spec in clause.fields.values():
            value = record.get(spec.name)
            if value is None:
                continue
            if spec.type == "enum":
                assert spec.values[value] in row, (record["id"], spec.name)
            elif spec.type == "bool":
                assert ("是" if value else "否") in row
            elif spec.type == "party":
                assert value["name"] in row and value["credit_code"] in row
            elif spec.type == "set":
                assert "、".join(spec.values[v] for v in value) in row
        # the clause's own labels head its table (or label each value)
        section = html.split(f"<h4>{clause.id} {clause.title}</h4>", 1)[1].split('<div class="clause">', 1)[0]
        for spec in clause.fields.values():
            if record.get(spec.name) is not None:
                assert spec.label in section


def test_clause_status_words_and_gates_on_both_bases():
    doc = load("bad-gates")
    html = render_application_html(snapshot_of(doc))
    text = squash(re.sub(r"<[^>]+>", "", html))
    # X-K1-TWO is not a gate: all three K1 items touched with no choice, the two best count, K1.3 is not chosen
    assert "K1.3服务科技服务业企业营业收入增长前期：未选择" in text
    assert "本项得分不计入（X-K1-TWO：未作选择，只计得分最高的项）" in text
    assert "K5.1综合类社会组织科技惠企服务及服务体系建设前期：不适用" in text
    assert "P6搭建科技服务平台前期：未达到" in text
    assert "K2促进科技服务业固定资产投资前期：未申报" in text
    gates = text.split("（一）资格条件", 1)[1].split("（二）参考分", 1)[0]
    assert "X-K1-TWO" in gates and "X-K3-TWO" in gates and "X-P-TWO" in gates
    assert "专业服务能力至少具备2项，现满足1项（P2）" in gates
    assert gates.count("不符合遴选条件") == 2
    scores = text.split("（二）参考分（项目办公室评分方案）", 1)[1].split("（三）", 1)[0]
    assert "科技重点工作（K）28分28分" in scores and "参考分合计33分33分" in scores
    # what the numbers are: reference points under the office's scheme; official conditions; experts decide
    assert "“参考分”按项目办公室的评分方案计算，不是遴选依据，遴选排序以评审专家的评分为准" in text
    assert "资格条件和各条款的“基本条件”来自正式文件，是正式的申报条件" in text

    good = render_application_html(snapshot_of(load("good")))
    good_text = squash(re.sub(r"<[^>]+>", "", good))
    assert "K1.3服务科技服务业企业营业收入增长前期：未选择" in good_text
    assert "参考分合计129分135分" in good_text  # prior vs projected


def test_plan_records_are_outside_the_prior_basis():
    doc = load("good")
    html = render_application_html(snapshot_of(doc))
    rows = record_rows(html)
    plan = [r for r in doc["records"] if r["phase"] == "plan"]
    assert plan
    for record in plan:
        prior_cell, projected_cell = re.findall(r'<td class="verdict [a-z]+">(.*?)</td>', rows[record["id"]], re.S)
        assert prior_cell == "口径外"
        assert projected_cell.startswith(("计入", "不计入"))


def test_rendering_leaves_the_snapshot_as_it_was(windows_doc):
    snap = snapshot_of(windows_doc)
    before = json.dumps([snap.document, snap.evaluation_prior, snap.evaluation_projected, snap.evidence], sort_keys=True)
    render_application_html(snap)
    assert json.dumps([snap.document, snap.evaluation_prior, snap.evaluation_projected, snap.evidence],
                      sort_keys=True) == before


def test_always_chinese_whatever_the_users_language(windows_doc):
    with translation.override("en"):
        html = render_application_html(snapshot_of(windows_doc))
    assert "单位基本信息" in html and "证明材料索引" in html and "社会团体" in html


def test_fingerprint_is_sha256_of_canonical_json():
    doc = {"b": [1, 2], "a": {"名称": "协会", "x": None}}
    same = {"a": {"x": None, "名称": "协会"}, "b": [1, 2]}
    canonical = '{"a":{"x":null,"名称":"协会"},"b":[1,2]}'.encode()
    assert document_fingerprint(doc) == document_fingerprint(same) == hashlib.sha256(canonical).hexdigest()
    assert document_fingerprint({**doc, "b": [2, 1]}) != document_fingerprint(doc)


# --- a large application ----------------------------------------------------------------------------

def test_300_records_break_across_pages_with_repeated_table_headers():
    doc = make_application(random.Random(1), 300)
    snap = snapshot_of(doc)
    # every record's first file is enough to run the evidence index over pages (and keeps the test quick)
    firsts = {e["record_id"]: e for e in reversed(snap.evidence)}
    pdf = render_application_pdf(dataclasses.replace(snap, evidence=list(reversed(firsts.values()))))
    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 1
    # K1.1 alone (the most common clause) runs over several pages: each one starts with the table header
    k11 = sum(1 for r in doc["records"] if r["clause"] == "K1.1")
    assert k11 > 40
    for text in page_texts(pdf, range(3, 5)):
        assert doc["organization"]["name"] in text
        assert "编号日期名称调研企业" in text and "材料前期含计划" in text
