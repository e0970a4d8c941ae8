"""Screenshots for the user guides: the applicant guide (docs/guide/applicant.zh.md) and the office
guide for programme-office staff and experts (docs/guide/office.zh.md).

The browser tests take them with ``shot(page, name)``: each goes to test-output/screenshots/, and
with ZGCFUND_GUIDE_IMAGES=1 (``make guide``) also to docs/guide/images/ (so an ordinary test run
does not rewrite the committed pictures). Only names in GUIDE_SCREENSHOTS / OFFICE_GUIDE_SCREENSHOTS
are accepted, and tests/browser/test_guide.py checks that each guide references exactly its names, so
the guides and the tests cannot drift.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
GUIDE_IMAGES = ROOT / "docs" / "guide" / "images"
GUIDE = ROOT / "docs" / "guide" / "applicant.zh.md"
MAX_BYTES = 400 * 1024

GUIDE_SCREENSHOTS = (
    # test_applicant_journey.py
    "register",
    "register-sent",
    "register-done",
    "office-review",
    "members",
    "login",
    "dashboard",
    "overview",
    "clause-k31-empty",
    "clause-k31-met",
    "evidence",
    "record-p7",
    "panel-p",
    "excel-tools",
    "excel-imported",
    "submit",
    "status",
    # test_bad_input.py
    "error-file-type",
    "error-file-size",
    "error-duplicate",
    "error-excel",
    "error-json",
    "deadline-closed",
    "edit-conflict",
    "submit-once",
    # test_judgement.py
    "choice-before-submit",
    "k32-tianjin-rejected",
    "notice-lodged",
    "k32-notice-lead-days",
    "evidence-slots",
    # test_mobile.py: the two phone pictures the applicant guide shows
    "mobile-clause-menu",
    "mobile-panel",
    # test_guide_implementation.py: after the contract
    "contract-status",
    "reports-home",
    "report-returned",
    "revenue",
)

OFFICE_GUIDE = ROOT / "docs" / "guide" / "office.zh.md"

#: The office guide's pictures, all named office-… (in the order the guide shows them).
OFFICE_GUIDE_SCREENSHOTS = (
    # test_office_flow.py
    "office-dashboard",
    "office-window",
    "office-extension",
    "office-formal-queue",
    "office-formal-return",
    "office-formal-diff",
    # test_judgement.py
    "office-formal-review-materials",
    # test_office_flow.py
    "office-expert-conflict",
    "office-assign-bulk",
    "office-assign-one",
    # test_expert_flow.py
    "office-expert-tasks",
    "office-expert-verify",
    "office-expert-score-error",
    "office-expert-submitted",
    # test_office_flow.py
    "office-expert-scores",
    "office-ranking",
    # test_office_setup.py
    "office-programme",
    "office-k13-rate",
    "office-scheme-whatif",
    "office-scheme-error",
    "office-version",
    "office-plan-error",
    "office-plan",
    "office-upload-error",
    # test_office_flow.py
    "office-selection-preview",
    "office-selection-published",
    "office-public-notice",
    "office-objection",
    "office-exports",
    "office-history",
    # test_guide_implementation.py: contract, 集体研究, funds, reports, K1.3, acceptance, results
    "office-decisions",
    "office-decision",
    "office-contract",
    "office-funds",
    "office-report-rounds",
    "office-report-round",
    "office-overdue",
    "office-report-review",
    "office-revenue-overview",
    "office-acceptance",
    "office-results",
)

#: Phone-sized pictures (375 px wide, tests/browser/test_mobile.py), all named mobile-…; they record how
#: each role's main pages look on a phone (the applicant guide shows two, listed above).
MOBILE_SCREENSHOTS = (
    "mobile-home",
    "mobile-menu-open",
    "mobile-login",
    "mobile-register",
    "mobile-public-notice",
    "mobile-dashboard",
    "mobile-overview",
    "mobile-clause",
    "mobile-submit",
    "mobile-status",
    "mobile-office-dashboard",
    "mobile-office-formal-review",
    "mobile-office-assign",
    "mobile-office-ranking",
    "mobile-office-selection",
    "mobile-expert-tasks",
    "mobile-expert-review",
)

#: Each guide and the screenshots it shows.
GUIDES = {GUIDE: GUIDE_SCREENSHOTS, OFFICE_GUIDE: OFFICE_GUIDE_SCREENSHOTS}
ALL_SCREENSHOTS = GUIDE_SCREENSHOTS + OFFICE_GUIDE_SCREENSHOTS + MOBILE_SCREENSHOTS

# Test-only banner ("演示环境：…") is hidden in guide pictures: real users never see it.
_HIDE_DEMO = ".demo-clock { display: none !important; }"


def shot(page, name: str, *, full_page: bool = True, locator=None) -> Path:
    """Save a screenshot of the page (or of ``locator``) for the guide; returns the guide image path."""
    if name not in ALL_SCREENSHOTS:
        raise ValueError(f"screenshot {name!r} is not in GUIDE_SCREENSHOTS, OFFICE_GUIDE_SCREENSHOTS or MOBILE_SCREENSHOTS "
                         "(tests/browser/guide.py)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    GUIDE_IMAGES.mkdir(parents=True, exist_ok=True)
    page.add_style_tag(content=_HIDE_DEMO)
    if locator is None and full_page:
        page.evaluate("window.scrollTo(0, 0)")  # sticky parts (the evaluation panel) sit at the top
    target = SCREENSHOTS / f"{name}.png"
    if locator is not None:
        locator.screenshot(path=str(target))
    else:
        page.screenshot(path=str(target), full_page=full_page)
    data = _shrink(target.read_bytes())
    target.write_bytes(data)
    guide_image = GUIDE_IMAGES / f"{name}.png"
    if os.environ.get("ZGCFUND_GUIDE_IMAGES") == "1":
        guide_image.write_bytes(data)
    return guide_image


def _shrink(data: bytes) -> bytes:
    """Screenshots over MAX_BYTES are stored as 256-colour PNGs (UI pictures stay sharp)."""
    if len(data) <= MAX_BYTES:
        return data
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
    smaller = out.getvalue()
    return smaller if len(smaller) < len(data) else data
