"""The applicant guide and the browser tests that take its screenshots cannot drift apart (no browser here)."""

from __future__ import annotations

import io
import os
import re

import pytest
from guide import GUIDE, GUIDE_IMAGES, GUIDE_SCREENSHOTS, MAX_BYTES, _shrink, shot

IMAGE = re.compile(r"!\[([^\]]*)\]\(images/([^)\s]+)\.png\)")


def referenced() -> list[tuple[str, str]]:
    return IMAGE.findall(GUIDE.read_text("utf-8"))


def test_every_guide_image_is_taken_by_a_browser_test():
    names = [name for _alt, name in referenced()]
    assert names, "the guide shows no screenshots"
    assert sorted(set(names) - set(GUIDE_SCREENSHOTS)) == []


def test_every_screenshot_is_used_by_the_guide():
    names = {name for _alt, name in referenced()}
    assert [n for n in GUIDE_SCREENSHOTS if n not in names] == []


def test_screenshot_names_are_unique_and_images_have_alt_text():
    assert len(GUIDE_SCREENSHOTS) == len(set(GUIDE_SCREENSHOTS))
    assert all(alt.strip() for alt, _name in referenced())


def test_guide_images_are_modest_when_present():
    """The PNGs come from the browser tests; where they exist they stay small (optimised over 400 KB)."""
    sizes = {p.stem: p.stat().st_size for p in GUIDE_IMAGES.glob("*.png")}
    assert set(sizes) <= set(GUIDE_SCREENSHOTS), "stale guide image: no test takes it"
    assert {name: size for name, size in sizes.items() if size > MAX_BYTES} == {}


def test_guide_anchors_point_at_headings():
    text = GUIDE.read_text("utf-8")
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


def test_every_guide_image_is_committed():
    """`make guide` regenerates them; the guide never points at a missing picture."""
    missing = [name for _alt, name in referenced() if not (GUIDE_IMAGES / f"{name}.png").exists()]
    assert missing == []
