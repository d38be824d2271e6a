"""The results page's bar charts: valid SVG, every number as text, bars in proportion,
long names wrapped inside the box, zeros drawn, nothing told by colour alone."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from inmc_vote.web import charts
from inmc_vote.web.charts import Bar, Threshold, bar_chart, describe

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - our own output, under test


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def bars_of(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar-fill"]


ROUND = [
    Bar("Lyon", 12, "12 (48.0 %)", "elected", "elected", "12 votes, 48.0 %"),
    Bar("Porto", 9, "9 (36.0 %)", spoken="9 votes, 36.0 %"),
    Bar("Cuneo", 4, "4 (16.0 %)", "eliminated", "eliminated", "4 votes, 16.0 %"),
]


def test_the_chart_is_valid_svg_an_image_with_a_title_and_a_description():
    root = parse(bar_chart(ROUND, chart_id="chart-r1-c1", title="Round 1: votes per city"))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-r1-c1-title"
    assert root.get("aria-describedby") == "chart-r1-c1-desc"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert title.get("id") == "chart-r1-c1-title"
    assert title.text == "Round 1: votes per city"
    assert desc is not None
    assert desc.get("id") == "chart-r1-c1-desc"
    assert desc.text == (
        "Lyon: 12 votes, 48.0 %, elected; Porto: 9 votes, 36.0 %; "
        "Cuneo: 4 votes, 16.0 %, eliminated."
    )
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    assert (width, height) == (float(root.get("width", 0)), float(root.get("height", 0)))


def test_every_count_and_every_name_is_text():
    root = parse(bar_chart(ROUND, chart_id="c", title="t"))
    shown = texts(root)
    for bar in ROUND:
        assert bar.value_text in shown
    assert "Lyon · elected" in shown
    assert "Porto" in shown
    assert "Cuneo · eliminated" in shown


def test_bars_are_in_proportion_and_the_longest_fills_the_area():
    values = [40, 30, 10, 1]
    chart = bar_chart([Bar(f"City {v}", v, str(v)) for v in values], chart_id="c", title="t")
    widths = [float(r.get("width", 0)) for r in bars_of(parse(chart))]
    longest = widths[0]
    for value, width in zip(values, widths, strict=True):
        assert width == pytest.approx(longest * value / 40, abs=0.01)
    # the longest bar and its count stay inside the box
    root = parse(chart)
    count = next(t for t in root.iter(f"{SVG}text") if t.get("class") == "bar-count")
    assert float(count.get("x", 0)) + len("40") * charts.CHAR <= charts.WIDTH


def test_a_threshold_sets_the_scale_when_it_is_higher_and_is_drawn_in_words():
    chart = bar_chart(
        [Bar("A", 5, "5"), Bar("B", 4, "4")],
        chart_id="c",
        title="t",
        threshold=Threshold(10, "more than half: 10"),
    )
    root = parse(chart)
    a, b = (float(r.get("width", 0)) for r in bars_of(root))
    assert b == pytest.approx(a * 4 / 5, abs=0.01)
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "threshold")
    xs = {line.get("x1") for line in group.iter(f"{SVG}line")}
    assert len(xs) == 1  # one vertical line, in pieces across the bars
    x = float(xs.pop())
    assert x - charts.PAD == pytest.approx(2 * a, abs=0.02)  # 10 is twice 5
    assert "more than half: 10" in texts(root)
    assert describe([Bar("A", 5, "5")], Threshold(10, "more than half: 10")) == (
        "A: 5; more than half: 10."
    )


def test_the_threshold_line_never_crosses_a_count():
    """A bar that ends just short of the line would have its count written across the
    line: the count moves past the line instead, on its white ground."""
    bars = [
        Bar("Valladolid", 12, "12 (48.0 %)"),
        Bar("Sherbrooke", 11, "11 (44.0 %)"),
        Bar("Tampere", 2, "2 (8.0 %)"),
    ]
    root = parse(bar_chart(bars, chart_id="c", title="t", threshold=Threshold(13, "half: 13")))
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "threshold")
    line_x = float(next(group.iter(f"{SVG}line")).get("x1", 0))
    counts = [t for t in root.iter(f"{SVG}text") if t.get("class") == "bar-count"]
    grounds = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "count-ground"]
    assert len(counts) == len(grounds) == 3
    for text, ground in zip(counts, grounds, strict=True):
        start = float(ground.get("x", 0))
        end = start + float(ground.get("width", 0))
        assert not start <= line_x <= end, f"the line at {line_x} crosses {text.text!r}"
        assert end <= charts.WIDTH - charts.PAD  # and the count stays inside the box
    # the two near the line are past it; the short bar's count stays beside its bar
    assert [float(t.get("x", 0)) > line_x for t in counts] == [True, True, False]


def test_long_city_names_wrap_inside_the_box_and_lose_no_letter():
    name = (
        "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch "
        "de la Sierra Santa Cruz y San Bartolomé"
    )
    root = parse(bar_chart([Bar(name, 3, "3 (100.0 %)")], chart_id="c", title="t"))
    labels = [t for t in root.iter(f"{SVG}text") if t.get("class") == "bar-label"]
    assert len(labels) >= 2
    assert all(len(t.text or "") <= charts.CHARS_PER_LINE for t in labels)
    assert all(charts.PAD + len(t.text or "") * charts.FONT * 0.56 <= charts.WIDTH for t in labels)
    joined = "".join((t.text or "").replace(" ", "") for t in labels)
    assert joined == name.replace(" ", "")
    ys = [float(t.get("y", 0)) for t in labels]
    assert ys == sorted(ys)  # one line under the other
    (bar,) = bars_of(root)
    assert float(bar.get("y", 0)) > ys[-1]  # the bar below its name


def test_zero_votes_draw_an_empty_bar_with_its_count():
    root = parse(bar_chart([Bar("A", 3, "3"), Bar("B", 0, "0 (0.0 %)")], chart_id="c", title="t"))
    widths = [float(r.get("width", 0)) for r in bars_of(root)]
    assert widths[1] == 0
    assert "0 (0.0 %)" in texts(root)


def test_all_zero_and_no_bars_at_all_do_not_divide_by_zero():
    root = parse(bar_chart([Bar("A", 0, "0"), Bar("B", 0, "0")], chart_id="c", title="t"))
    assert [float(r.get("width", 0)) for r in bars_of(root)] == [0, 0]
    empty = parse(bar_chart([], chart_id="c", title="Nobody stood"))
    assert empty.find(f"{SVG}title") is not None


def test_marks_are_told_by_pattern_and_by_word_not_by_colour_alone():
    root = parse(
        bar_chart(
            [
                Bar("A", 3, "3", "elected", "elected"),
                Bar("B", 2, "2", "tied", "tied, settled by lot"),
                Bar("C", 2, "2", "eliminated", "eliminated"),
                Bar("D", 1, "1"),
            ],
            chart_id="chart-r2-c1",
            title="t",
        )
    )
    fills = [r.get("fill") for r in bars_of(root)]
    assert fills[1] == "url(#chart-r2-c1-dots)"
    assert fills[2] == "url(#chart-r2-c1-hatch)"
    assert len(set(fills)) == 4
    patterns = {p.get("id") for p in root.iter(f"{SVG}pattern")}
    assert patterns == {"chart-r2-c1-dots", "chart-r2-c1-hatch"}
    assert {"A · elected", "B · tied, settled by lot", "C · eliminated", "D"} <= set(texts(root))
    elected = bars_of(root)[0]
    assert elected.get("stroke-width") == "3"  # outlined, as well as darker


def test_names_are_escaped_and_no_inline_style_is_used():
    chart = str(bar_chart([Bar('<b>"Ville" & Co</b>', 1, "1 <2")], chart_id="c", title="<t>"))
    root = parse(chart)
    assert '<b>"Ville" & Co</b>' in texts(root)
    assert "1 <2" in texts(root)
    assert "<b>" not in chart
    assert "style" not in chart
    assert not re.search(r"<script|on\w+=", chart)


@pytest.mark.parametrize("bad", ["1abc", "a b", 'x"', ""])
def test_a_chart_id_must_be_a_valid_xml_id(bad):
    with pytest.raises(ValueError, match="not a valid XML id"):
        bar_chart([Bar("A", 1, "1")], chart_id=bad, title="t")


def test_a_negative_value_or_an_unknown_mark_is_refused():
    with pytest.raises(ValueError, match="negative"):
        bar_chart([Bar("A", -1, "-1")], chart_id="c", title="t")
    with pytest.raises(ValueError, match="unknown bar mark"):
        bar_chart([Bar("A", 1, "1", "winner")], chart_id="c", title="t")
