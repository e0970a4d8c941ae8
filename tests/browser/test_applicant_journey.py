"""A new applicant's whole journey in real Chromium, as the guide (docs/guide/applicant.zh.md) tells it:
register → the office approves → start the application → K3.1, P5, P7 records → evidence →
the live panel → the K1.1 Excel list → JSON export → submit with the sealed commitment scan → PDF.
The guide's screenshots are taken here (guide.shot)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from confirming import accept
from django.core import mail
from guide import shot
from openpyxl import load_workbook
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from pypdf import PdfReader

from zgcfund.accounts.models import Organization
from zgcfund.accounts.models.user import Role
from zgcfund.applications.models import Application, EvidenceFile, Submission
from zgcfund.core import creditcode
from zgcfund.devtools.people import social_org_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORG_NAME = "北京市中关村人工智能产业创新联盟"
ORG_CODE = social_org_code(4242)
ADMIN_EMAIL = "admin@ai-alliance.example"
PASSWORD = "Zhongguancun2025"  # ≥ 10 characters, letters and digits, not like the e-mail address
FIXTURE_PASSWORD = "Passw0rd-test"  # tests/conftest.py PASSWORD: users made with make_user


# --- sample files (real ones, made here) ---------------------------------------------------------

def png_bytes(text: str = "现场照片", size=(640, 420)) -> bytes:
    image = Image.new("RGB", size, (236, 243, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, size[0] - 20, size[1] - 20), outline=(20, 90, 160), width=6)
    for i in range(0, size[0], 40):
        draw.line((i, 60, i + 120, size[1] - 60), fill=(120, 160, 200), width=3)
    draw.text((40, 30), text.encode("ascii", "replace").decode(), fill=(20, 40, 80))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def pdf_bytes(size=(595, 842)) -> bytes:
    """A one-page PDF (Pillow writes real PDFs)."""
    out = io.BytesIO()
    Image.new("RGB", size, (255, 255, 255)).save(out, "PDF", resolution=72)
    return out.getvalue()


def upload(name: str, data: bytes, mime: str) -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def k11_code(i: int) -> str:
    return creditcode.make_valid(f"91110108MA{i:06d}")


def fill_k11_template(template: bytes, n: int = 55, sti: int = 32) -> bytes:
    wb = load_workbook(io.BytesIO(template))
    ws = wb.worksheets[0]
    headers = {str(c.value).rstrip(" *"): c.column for c in ws[1] if c.value}
    for i in range(1, n + 1):
        row = {"阶段": "前期工作绩效", "日期": dt.date(2025, 4, 1) + dt.timedelta(days=i),
               "调研企业名称": f"北京中关村调研样本科技有限公司{i:03d}", "调研企业统一社会信用代码": k11_code(i),
               "是否科技服务业企业": "是" if i <= sti else "否"}
        for header, value in row.items():
            ws.cell(1 + i, headers[header], value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- page helpers ---------------------------------------------------------------------------------

def log_in_with_form(page, url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(url + "/accounts/login/")
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()


def log_out(page) -> None:
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("navigation", name="用户导航").get_by_role("link", name="登录", exact=True)).to_be_visible()


def panel_row(page, clause: str):
    return page.get_by_test_id(f"panel-clause-{clause}")


def add_record(page, values: dict[str, str], *, selects: dict[str, str] | None = None, key: str) -> None:
    """Fill the clause page's 新增记录 form and save it (htmx); waits for the new record card."""
    form = page.locator("#new-record [data-testid=record-form]")
    for label, value in values.items():
        form.get_by_label(label, exact=True).fill(value)
    for label, option in (selects or {}).items():
        form.get_by_label(label, exact=True).select_option(label=option)
    form.get_by_test_id("save-record").click()
    expect(page.get_by_test_id(f"record-{key}")).to_be_visible()
    expect(page.locator("#clause-body .message--success")).to_contain_text(f"已新增记录 {key}")


def score(page, family: str) -> float:
    return float(page.get_by_test_id(f"score-{family}").inner_text())


# --- the journey ----------------------------------------------------------------------------------

def test_new_applicant_journey(live_server, page, make_user, open_window, tmp_path):
    url = live_server.url
    make_user("office@zgc.example", role=Role.OFFICE, full_name="赵办公室")

    # 1. Register the organization (and its account admin) on /accounts/register/.
    page.goto(url + "/accounts/register/")
    page.get_by_label("单位名称").fill(ORG_NAME)
    page.get_by_label("社会团体").check()
    page.get_by_label("统一社会信用代码").fill(ORG_CODE)
    expect(page.locator("#credit-code-check")).to_contain_text("代码校验通过")
    expect(page.locator("#override-box")).to_be_hidden()
    page.locator("#id_comprehensive_1").check()             # 综合类：否
    page.locator("#id_registers_tech_contracts_1").check()  # 技术合同登记：否
    page.get_by_label("联系人姓名").fill("陈联系")
    page.get_by_label("联系电话").fill("010-62345678")
    page.get_by_label("联系邮箱").fill("contact@ai-alliance.example")
    page.get_by_label("姓名", exact=True).fill("刘管理")
    page.get_by_label("登录邮箱").fill(ADMIN_EMAIL)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_label("我已阅读并同意《个人信息告知》").check()
    shot(page, "register")
    page.get_by_role("button", name="提交注册").click()
    expect(page.get_by_test_id("register-sent")).to_contain_text(ADMIN_EMAIL)
    shot(page, "register-sent")
    # The account exists once the link mailed to the login address is confirmed.
    link = re.search(r"https?://[^/\s]+(/accounts/register/confirm/[^/\s]+/)", mail.outbox[-1].body)[1]
    page.goto(url + link)
    page.get_by_role("button", name="确认注册").click()
    expect(page.get_by_test_id("org-status")).to_contain_text("待审核")
    shot(page, "register-done")
    org = Organization.objects.get(credit_code=ORG_CODE)
    assert org.status == "pending" and not org.credit_code_check_failed

    # Pending: the dashboard says so; the application may be filled in but not submitted.
    page.get_by_role("link", name="我的申报").click()
    expect(page.get_by_test_id("org-pending")).to_be_visible()
    log_out(page)

    # 2. The office approves the registration.
    log_in_with_form(page, url, "office@zgc.example", FIXTURE_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("项目办公室工作台")
    page.get_by_role("link", name="审核注册单位").click()
    page.get_by_test_id("organizations").get_by_role("row", name=ORG_NAME).get_by_role("link", name="审核").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ORG_NAME)
    page.get_by_label("通过", exact=True).check()
    page.get_by_label("审核意见").fill("登记信息与登记证书一致。")
    page.get_by_label("资格核验通过理由").fill("资格材料未在线填写，已核对登记证书原件。")
    shot(page, "office-review")
    page.get_by_role("button", name="保存审核结果并通知申报单位").click()
    expect(page.locator(".messages")).to_contain_text(f"已通过“{ORG_NAME}”的注册审核")
    org.refresh_from_db()
    assert org.is_approved
    assert any("contact@ai-alliance.example" in m.to for m in mail.outbox)
    log_out(page)

    # 3. Back as the applicant: the login page, then the dashboard.
    page.goto(url + "/accounts/login/")
    page.get_by_label("电子邮箱").fill(ADMIN_EMAIL)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    shot(page, "login", full_page=False)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的申报")
    expect(page.get_by_test_id("org-pending")).to_have_count(0)
    expect(page.get_by_test_id("application-card")).to_contain_text("申报中")

    # Invite a colleague (account admin only).
    page.get_by_role("link", name="单位信息").click()
    expect(page.get_by_test_id("org-status")).to_contain_text("已通过")
    page.get_by_role("link", name="成员与邀请").click()
    page.get_by_label("同事的电子邮箱").fill("colleague@ai-alliance.example")
    page.get_by_role("button", name="发送邀请").click()
    expect(page.locator(".messages")).to_contain_text("已向 colleague@ai-alliance.example 发送邀请邮件")
    shot(page, "members")

    page.get_by_role("link", name="我的申报").click()
    shot(page, "dashboard")
    page.get_by_test_id("start-application").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{ORG_NAME} · 申报书")
    application = Application.objects.get(organization=org)
    expect(panel_row(page, "K3.1")).to_have_attribute("data-status", "not_declared")
    k_before, p_before = score(page, "K"), score(page, "P")
    assert (k_before, p_before) == (0, 0)
    shot(page, "overview")

    # 4. K3.1: two park events with ≥ 60 participants each; the panel follows every save.
    page.locator(".editor-nav").get_by_role("link", name="K3.1", exact=True).click()
    expect(page.get_by_test_id("basic-condition")).to_contain_text("不少于2场")
    expect(page.locator("#new-record").get_by_label("前期工作绩效", exact=True)).to_be_checked()
    shot(page, "clause-k31-empty")
    add_record(page, {"日期": "2025-03-02", "名称/主题": "人工智能产业对接会", "园区": "海淀园", "参加人数": "85"},
               key="K3.1-001")
    expect(panel_row(page, "K3.1")).to_have_attribute("data-status", "not_met")
    expect(panel_row(page, "K3.1")).to_contain_text("园区服务活动场数")
    add_record(page, {"日期": "2025-06-18", "名称/主题": "大模型应用园区沙龙", "园区": "昌平园", "参加人数": "64"},
               key="K3.1-002")
    expect(panel_row(page, "K3.1")).to_have_attribute("data-status", "met")
    expect(page.get_by_test_id("score-K")).not_to_have_text("0")
    k_after_k31 = score(page, "K")
    assert k_after_k31 > k_before
    shot(page, "clause-k31-met")

    # 5. Evidence on K3.1-001: a photo (PNG) and a notice (PDF), chosen on the record's file input.
    card = page.get_by_test_id("record-K3.1-001")
    expect(card.locator(".dropzone.is-enhanced").first).to_be_attached()  # evidence.js ran on the htmx-swapped card
    card.locator(".record-evidence input[type=file]").first.set_input_files([
        upload("对接会现场照片.png", png_bytes(), "image/png"),
        upload("活动通知.pdf", pdf_bytes(), "application/pdf"),
    ])
    expect(card.locator(".record-evidence .message--success")).to_contain_text("已上传 2 个文件")
    expect(card.locator(".evidence-file")).to_have_count(2)
    page.wait_for_function("[...document.querySelectorAll('.record-evidence img')].every(i => i.complete && i.naturalWidth > 0)")
    shot(page, "evidence", locator=card)
    names = sorted(EvidenceFile.objects.filter(record__key="K3.1-001").values_list("name", "content_type"))
    assert names == [("对接会现场照片.png", "image/png"), ("活动通知.pdf", "application/pdf")]

    # 6. P5 (a completed commissioned study) and P7 (a brand event held for 3 years, 400 people).
    page.locator(".editor-nav").get_by_role("link", name="P5", exact=True).click()
    add_record(page, {"日期": "2025-05-30", "名称/主题": "中关村人工智能产业发展研究"},
               selects={"类型": "委托研究", "已完成": "是"}, key="P5-001")
    expect(panel_row(page, "P5")).to_have_attribute("data-status", "met")
    page.locator(".editor-nav").get_by_role("link", name="P7", exact=True).click()
    add_record(page, {"日期": "2025-07-12", "名称/主题": "中关村人工智能开发者大会", "持续举办年数": "3", "参与人次": "400"},
               selects={"类型": "品牌活动"}, key="P7-001")
    expect(panel_row(page, "P7")).to_have_attribute("data-status", "met")
    shot(page, "record-p7")
    assert score(page, "P") > p_before
    page.add_style_tag(content=".eval-panel__body { max-height: none; }")  # the whole panel in one picture (it scrolls)
    shot(page, "panel-p", locator=page.get_by_test_id("eval-panel"))

    # 7. K1.1 from Excel: download the template, fill 55 enterprises (32 科技服务业), import it.
    page.locator(".editor-nav").get_by_role("link", name="K1.1", exact=True).click()
    expect(panel_row(page, "K1.1")).to_have_attribute("data-status", "not_declared")
    with page.expect_download() as info:
        page.get_by_test_id("list-template").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx") and "K1.1" in download.suggested_filename
    filled = tmp_path / "K1.1 企业调研.xlsx"
    filled.write_bytes(fill_k11_template(Path(download.path()).read_bytes()))
    page.locator("#list-file-k11").set_input_files(str(filled))
    shot(page, "excel-tools", locator=page.get_by_test_id("list-tools"))
    page.get_by_test_id("list-upload").get_by_role("button", name="上传并导入").click()
    expect(page.locator(".messages")).to_contain_text("已从 Excel 导入 K1.1 清单（追加）：新增 55 条")
    expect(panel_row(page, "K1.1")).to_have_attribute("data-status", "met")
    expect(page.get_by_test_id("list-summary")).to_contain_text("共 55 条")  # a list: 20 rows a page
    assert score(page, "K") > k_after_k31
    shot(page, "excel-imported", full_page=False)
    assert application.records.filter(clause="K1.1").count() == 55

    # 8. JSON export: the whole application as zgc-application/1.
    page.locator(".editor-nav").get_by_role("link", name="总览").click()
    with page.expect_download() as info:
        page.get_by_test_id("export-json").click()
    doc = json.loads(Path(info.value.path()).read_text("utf-8"))
    assert doc["format"] == "zgc-application/1"
    assert len(doc["records"]) == 59 and doc["organization"]["credit_code"] == ORG_CODE

    # 9. Submit: tick the commitment, upload the sealed scan, submit once.
    page.get_by_test_id("go-submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("提交申报书")
    expect(page.get_by_test_id("submit-blockers")).to_have_count(0)
    page.get_by_test_id("commitment-box").check()
    page.locator("#id_commitment_scan").set_input_files([upload("承诺书（盖章）.pdf", pdf_bytes(), "application/pdf")])
    shot(page, "submit")
    page.get_by_test_id("submit-button").click()
    accept(page, "提交后申报书将锁定", ok="确认提交")
    expect(page.get_by_test_id("status-name")).to_have_text("已提交，待形式审查")
    expect(page.locator(".messages")).to_contain_text("申报书已提交（第 1 次提交）")
    expect(page.get_by_test_id("submissions")).to_contain_text("刘管理")
    shot(page, "status")
    submission = Submission.objects.get()
    assert submission.commitment is not None and submission.commitment.name == "承诺书（盖章）.pdf"
    assert len(submission.document["records"]) == 59

    with page.expect_download() as info:
        page.get_by_test_id("pdf-1").click()
    pdf = Path(info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 3
    assert info.value.suggested_filename.endswith(".pdf")

    # Submitted means frozen: the editor no longer offers a form.
    page.locator(".editor-nav").get_by_role("link", name="K3.1", exact=True).click()
    expect(page.get_by_test_id("edit-refusal")).to_contain_text("已提交")
    expect(page.get_by_test_id("record-form")).to_have_count(0)
