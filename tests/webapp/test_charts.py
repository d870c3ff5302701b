"""SVG charts: well-formed, named for screen readers, CSP-safe, escaped and drawn to scale."""

import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from webapp.charts import Bar, Point, bar_chart, trend_chart

SVG = "{http://www.w3.org/2000/svg}"

BARS = [
    Bar("Strongly agree", 40.0, "40% (20)"),
    Bar("Agree", 20.0, "20% (10)"),
    Bar("Disagree", None, "Fewer than 5"),
    Bar("Strongly disagree", 10.0, "10% (5)"),
]
POINTS = [
    Point("2024/25 Summer", 50.0, "50% (n=300)"),
    Point("2025/26 Spring", 55.0, "55% (n=350)"),
    Point("2025/26 Summer", None, "Not comparable"),
    Point("2026/27 Spring", 62.0, "62% (n=412)"),
    Point("2026/27 Summer", 64.0, "64% (n=420)"),
]
CHARTS = [
    pytest.param(lambda: bar_chart(BARS, title="How much do you agree?"), id="bar"),
    pytest.param(lambda: trend_chart(POINTS, title="Felt listened to", target=65), id="trend"),
    pytest.param(lambda: bar_chart([], title="How much do you agree?"), id="empty-bar"),
    pytest.param(lambda: trend_chart([], title="Felt listened to"), id="empty-trend"),
]


def parse(chart: Markup) -> ET.Element:
    # The charts are our own output, so the stdlib parser is safe here.
    return ET.fromstring(str(chart))  # noqa: S314


def widths(chart: Markup) -> list[float]:
    return [float(rect.get("width", "")) for rect in parse(chart).iter(f"{SVG}rect")]


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("make", CHARTS)
def test_chart_is_one_named_image(make):
    chart = make()
    assert isinstance(chart, Markup)
    root = parse(chart)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox", "").startswith("0 0 ")
    first = root[0]
    assert first.tag == f"{SVG}title"
    assert first.get("id", "").startswith("chart-")
    assert root.get("aria-labelledby") == first.get("id")
    assert first.text


@pytest.mark.parametrize("make", CHARTS)
def test_chart_needs_no_styles_scripts_or_other_files(make):
    root = parse(make())
    for element in root.iter():
        assert element.tag not in {f"{SVG}style", f"{SVG}script", f"{SVG}image", f"{SVG}use"}
        for name in element.attrib:
            assert name != "style"
            assert not name.startswith("on")
            assert not name.endswith("href")
    assert "url(" not in str(make())


@pytest.mark.parametrize("make", CHARTS)
def test_chart_is_the_same_every_time(make):
    assert str(make()) == str(make())


def test_one_bar_for_each_figure_shown_and_text_for_every_bar():
    root = parse(bar_chart(BARS, title="Q"))
    assert len(list(root.iter(f"{SVG}rect"))) == 3
    shown = texts(root)
    for bar in BARS:
        assert bar.label in shown
        assert bar.text in shown


def test_bar_length_is_proportional_to_value():
    forty, twenty, ten = widths(bar_chart(BARS, title="Q"))
    assert forty > 0
    assert forty == pytest.approx(2 * twenty, abs=0.2)
    assert forty == pytest.approx(4 * ten, abs=0.2)


def test_max_value_sets_a_full_length_bar():
    full, half = widths(
        bar_chart([Bar("A", 50.0, "50"), Bar("B", 25.0, "25")], title="Q", max_value=50)
    )
    assert widths(bar_chart([Bar("A", 100.0, "100")], title="Q")) == [full]
    assert half == pytest.approx(full / 2, abs=0.2)


def test_labels_are_escaped():
    label = '<b>&"'
    for chart in (
        bar_chart([Bar(label, 10.0, label)], title=label),
        trend_chart([Point(label, 10.0, label)], title=label, target=50),
    ):
        root = parse(chart)
        assert root.find(f".//{SVG}b") is None
        assert root.find(".//b") is None
        assert root[0].text == label
        assert texts(root).count(label) == 2
        assert "&lt;b&gt;&amp;&#34;" in str(chart)


def test_long_labels_wrap_over_at_most_three_lines():
    label = "I feel that the people who help me listen to what I say and act on it every time"
    lines = texts(parse(bar_chart([Bar(label, 10.0, "10%")], title="Q")))[:-1]
    assert 1 < len(lines) <= 3
    assert all(len(line) <= 28 for line in lines)
    assert lines[0].startswith("I feel")


def test_empty_charts_say_no_answers_yet():
    for chart in (bar_chart([], title="Q"), trend_chart([], title="Q", target=65)):
        root = parse(chart)
        assert texts(root) == ["No answers yet"]
        assert "no answers yet" in (root[0].text or "")
        assert root.find(f".//{SVG}rect") is None


def test_ids_differ_by_title_and_contents():
    def chart_id(chart: Markup) -> str:
        return parse(chart)[0].get("id", "")

    ids = {
        chart_id(bar_chart(BARS, title="Q1")),
        chart_id(bar_chart(BARS, title="Q2")),
        chart_id(bar_chart(BARS[:2], title="Q1")),
        chart_id(trend_chart(POINTS, title="Q1")),
        chart_id(trend_chart(POINTS, title="Q1", target=65)),
    }
    assert len(ids) == 5


def test_trend_has_dots_values_and_labels_for_each_round():
    root = parse(trend_chart(POINTS, title="Q"))
    assert len(list(root.iter(f"{SVG}circle"))) == 4
    shown = " ".join(texts(root))
    for point in POINTS:
        assert point.text in shown
        assert all(word in shown for word in point.label.split())
    for gridline in ("0%", "25%", "50%", "75%", "100%"):
        assert gridline in texts(root)


def test_trend_line_breaks_at_a_missing_round():
    root = parse(trend_chart(POINTS, title="Q"))
    lines = [line.get("points", "").split() for line in root.iter(f"{SVG}polyline")]
    assert [len(points) for points in lines] == [2, 2]
    unbroken = parse(trend_chart([p for p in POINTS if p.value is not None], title="Q"))
    assert len(list(unbroken.iter(f"{SVG}polyline"))) == 1


def test_trend_dots_are_placed_by_value():
    points = [Point("A", 0.0, "0%"), Point("B", 50.0, "50%"), Point("C", 100.0, "100%")]
    low, middle, high = (
        float(c.get("cy", "")) for c in parse(trend_chart(points, title="Q")).iter(f"{SVG}circle")
    )
    assert high < middle < low
    assert low - middle == pytest.approx(middle - high)


def test_target_line_only_when_a_target_is_given():
    def dashed(chart: Markup) -> list[ET.Element]:
        return [e for e in parse(chart).iter() if e.get("stroke-dasharray")]

    with_target = trend_chart(POINTS, title="Q", target=65)
    assert len(dashed(with_target)) == 1
    assert "Target 65%" in texts(parse(with_target))
    without = trend_chart(POINTS, title="Q")
    assert dashed(without) == []
    assert not any(t.startswith("Target") for t in texts(parse(without)))


def test_a_nonpositive_scale_is_refused():
    with pytest.raises(ValueError, match="max_value"):
        bar_chart(BARS, title="Q", max_value=0)
