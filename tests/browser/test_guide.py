"""The user guides (applicant; office and experts) and the browser tests that take their screenshots
cannot drift apart (no browser here)."""

from __future__ import annotations

import io
import os
import re

import pytest
from guide import (
    ALL_SCREENSHOTS,
    GUIDE,
    GUIDE_IMAGES,
    GUIDE_SCREENSHOTS,
    GUIDES,
    MAX_BYTES,
    MOBILE_SCREENSHOTS,
    OFFICE_GUIDE,
    OFFICE_GUIDE_SCREENSHOTS,
    _shrink,
    shot,
)

IMAGE = re.compile(r"!\[([^\]]*)\]\(images/([^)\s]+)\.png\)")

#: Each guide with the screenshots it must show (ids: applicant, office).
each_guide = pytest.mark.parametrize("guide, names", [(g, n) for g, n in GUIDES.items()],
                                     ids=[g.name.split(".")[0] for g in GUIDES])


def referenced(guide=GUIDE) -> list[tuple[str, str]]:
    return IMAGE.findall(guide.read_text("utf-8"))


def test_both_guides_are_checked():
    assert GUIDES == {GUIDE: GUIDE_SCREENSHOTS, OFFICE_GUIDE: OFFICE_GUIDE_SCREENSHOTS}


@each_guide
def test_every_guide_image_is_taken_by_a_browser_test(guide, names):
    shown = [name for _alt, name in referenced(guide)]
    assert shown, "the guide shows no screenshots"
    assert sorted(set(shown) - set(names)) == []


@each_guide
def test_every_screenshot_is_used_by_the_guide(guide, names):
    shown = {name for _alt, name in referenced(guide)}
    assert [n for n in names if n not in shown] == []


@each_guide
def test_screenshot_names_are_unique_and_images_have_alt_text(guide, names):
    assert len(names) == len(set(names))
    assert all(alt.strip() for alt, _name in referenced(guide))


def test_no_picture_is_shared_between_guides_and_office_pictures_are_prefixed():
    assert len(ALL_SCREENSHOTS) == len(set(ALL_SCREENSHOTS))
    assert [n for n in OFFICE_GUIDE_SCREENSHOTS if not n.startswith("office-")] == []
    assert [n for n in MOBILE_SCREENSHOTS if not n.startswith("mobile-")] == []


def test_guide_images_are_modest_when_present():
    """The PNGs come from the browser tests; where they exist they stay small (optimised over 400 KB)."""
    sizes = {p.stem: p.stat().st_size for p in GUIDE_IMAGES.glob("*.png")}
    assert set(sizes) <= set(ALL_SCREENSHOTS), "stale guide image: no test takes it"
    assert {name: size for name, size in sizes.items() if size > MAX_BYTES} == {}


@each_guide
def test_guide_anchors_point_at_headings(guide, names):
    text = guide.read_text("utf-8")
    headings = {_anchor(h) for h in re.findall(r"^#{2,3} (.+)$", text, re.M)}
    links = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert sorted(links - headings) == []


def _anchor(heading: str) -> str:
    """GitHub's heading anchors: lower case, punctuation dropped (CJK kept), spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_shot_refuses_a_name_not_in_the_list():
    with pytest.raises(ValueError, match="GUIDE_SCREENSHOTS"):
        shot(object(), "not-a-guide-picture")


def test_large_screenshots_are_stored_as_smaller_pngs():
    from PIL import Image

    noise = Image.frombytes("RGB", (700, 500), os.urandom(700 * 500 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    big = out.getvalue()
    assert len(big) > MAX_BYTES
    small = _shrink(big)
    assert len(small) < len(big)
    assert Image.open(io.BytesIO(small)).size == (700, 500)
    assert _shrink(b"tiny") == b"tiny"


@each_guide
def test_every_guide_image_is_committed(guide, names):
    """`make guide` regenerates them; the guide never points at a missing picture."""
    missing = [name for _alt, name in referenced(guide) if not (GUIDE_IMAGES / f"{name}.png").exists()]
    assert missing == []
