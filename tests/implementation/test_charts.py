"""Server-side SVG charts: well-formed, accessible, escaped, negative values drawn below the zero line."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from zgcfund.implementation.interfaces.charts import BarChart, Reference, Series, _nice_max

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


@pytest.mark.parametrize("horizontal", [False, True])
def test_chart_is_well_formed_svg_with_title_and_description(horizontal):
    chart = BarChart("各条款完成情况", ["K1.1", "K3.1"], [Series("申报前", [3, 5]), Series("实施期交付", [4, None])],
                     unit=" 条", horizontal=horizontal)
    root = parse(chart.svg())
    assert root.get("role") == "img"
    assert root.find(f"{NS}title").text == "各条款完成情况"
    desc = root.find(f"{NS}desc").text
    assert "K1.1：申报前 3 条，实施期交付 4 条" in desc and "实施期交付 无数据" in desc
    assert len(root.findall(f"{NS}rect")) == 3 + 2  # three bars (one value missing) and two legend keys


def test_user_text_is_escaped():
    root = parse(BarChart("<b>&", ["<script>alert(1)</script>"], [Series('"x"<', [1])]).svg())
    texts = "".join(t.text or "" for t in root.iter(f"{NS}text"))
    assert "<script>" in texts  # as text content, not markup
    assert not list(root.iter(f"{NS}script"))


def test_negative_growth_drawn_below_the_zero_line_and_reference_labelled():
    chart = BarChart("营收增速", ["甲企业", "乙企业"], [Series("增速", [Decimal("0.12"), Decimal("-0.05")])],
                     references=[Reference("行业增速", Decimal("0.08"))], percent=True)
    root = parse(chart.svg())
    bars = [r for r in root.iter(f"{NS}rect") if float(r.get("height")) != 12]
    up, down = bars
    zero = next(ln for ln in root.iter(f"{NS}line") if ln.get("stroke") == "#1d2533")
    assert float(up.get("y")) + float(up.get("height")) == pytest.approx(float(zero.get("y1")), abs=0.2)
    assert float(down.get("y")) == pytest.approx(float(zero.get("y1")), abs=0.2)
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "12.0%" in texts and "-5.0%" in texts and "行业增速 8.0%" in texts


@pytest.mark.parametrize("value, expected", [(0.37, 0.5), (7, 10), (12, 20), (230, 250), (1, 1), (0, 0)])
def test_axis_ends_on_a_round_number(value, expected):
    assert _nice_max(value) == pytest.approx(expected)
