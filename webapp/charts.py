"""Server-side SVG charts for results pages, drawn beside a table of the same figures."""

import hashlib
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# The page's CSP forbids inline styles, so every look comes from presentation attributes.
TEXT = "#0b0c0c"
BAR = "#1d70b8"  # 5.2:1 against white, and white text on it is 5.2:1 too
GRID = "#b1b4b6"
WHITE = "#ffffff"
FONT = 16
SMALL = 14
# A generous average glyph width in ems: too wide only wastes space, too narrow overlaps text.
CHAR = 0.6
PAD = 8

BAR_WIDTH = 360  # narrow, so text stays near full size when the chart shrinks to 320 px
BAR_HEIGHT = 24
BAR_GAP = 16
LABEL_LINE = 20
LABEL_CHARS = 28

LEFT = 48  # room for "100%"
SLOT = 88  # per round: room for a value such as "62% (n=412)"
TOP = 32  # room for the value text above a dot at 100%
PLOT_HEIGHT = 200
AXIS_LINE = 18
AXIS_CHARS = 12
GRIDLINES = (0, 25, 50, 75, 100)
# A white outline drawn under the glyphs, so a line passing behind text does not cut through it.
HALO: dict[str, str | float] = {
    "stroke": WHITE,
    "stroke_width": 4,
    "stroke_linejoin": "round",
    "paint_order": "stroke",
}


@dataclass(frozen=True)
class Bar:
    """One answer's share: value is None when suppressed, and text is printed at the bar's end."""

    label: str
    value: float | None
    text: str


@dataclass(frozen=True)
class Point:
    """One round's figure: value is None when suppressed or not comparable."""

    label: str
    value: float | None
    text: str


def bar_chart(bars: Sequence[Bar], *, title: str, max_value: float = 100.0) -> Markup:
    """A horizontal bar chart."""
    if max_value <= 0:
        raise ValueError("max_value must be positive")
    chart_id = _chart_id("bar", title, bars, max_value)
    if not bars:
        return _empty(chart_id, title)
    parts = []
    y = float(PAD)
    for bar in bars:
        for line in _wrap(bar.label, LABEL_CHARS):
            parts.append(_tag("text", line, x=PAD, y=y + 15, font_size=FONT, fill=TEXT))
            y += LABEL_LINE
        parts.append(_bar(bar, y + 4, max_value))
        y += 4 + BAR_HEIGHT + BAR_GAP
    return _svg(chart_id, title, BAR_WIDTH, y - BAR_GAP + PAD, Markup("").join(parts))


def trend_chart(points: Sequence[Point], *, title: str, target: float | None = None) -> Markup:
    """A line chart across rounds, with a dashed target line when a target is given."""
    chart_id = _chart_id("trend", title, points, target)
    if not points:
        return _empty(chart_id, title)
    width = LEFT + SLOT * len(points) + PAD
    parts = _gridlines(width)
    if target is not None:
        parts += _target_line(target, width)
    placed = [(_slot_x(i), None if p.value is None else _y(p.value)) for i, p in enumerate(points)]
    parts += _lines(placed)
    for point, (x, y) in zip(points, placed, strict=True):
        if y is not None:
            parts.append(_tag("circle", cx=x, cy=y, r=5, fill=BAR, stroke=WHITE, stroke_width=2))
            parts.append(_value_text(point.text, x, y - 12))
    labels, rows = _axis_labels(points)
    parts += labels
    height = TOP + PLOT_HEIGHT + 20 + AXIS_LINE * (rows - 1) + PAD + 4
    return _svg(chart_id, title, width, height, Markup("").join(parts))


def _bar(bar: Bar, top: float, max_value: float) -> Markup:
    """The bar and its printed value; a suppressed bar is its text alone."""
    middle = top + BAR_HEIGHT / 2
    text: dict[str, str | float] = {
        "font_size": FONT,
        "font_weight": "bold",
        "dominant_baseline": "middle",
    }
    if bar.value is None:
        return _tag("text", bar.text, x=PAD, y=middle, fill=TEXT, **text)
    plot = BAR_WIDTH - 2 * PAD
    length = plot * _clamp(bar.value / max_value, 0.0, 1.0)
    rect = _tag("rect", x=PAD, y=top, width=length, height=BAR_HEIGHT, fill=BAR)
    # A long bar leaves no room after it, so its value goes inside, in white.
    if PAD + length + 6 + len(bar.text) * FONT * CHAR <= BAR_WIDTH - PAD:
        label = _tag("text", bar.text, x=PAD + length + 6, y=middle, fill=TEXT, **text)
    else:
        label = _tag(
            "text", bar.text, x=PAD + length - 6, y=middle, fill=WHITE, text_anchor="end", **text
        )
    return rect + label


def _gridlines(width: float) -> list[Markup]:
    """Horizontal lines at each quarter, labelled on the left; the 0% line is the axis."""
    parts = []
    for value in GRIDLINES:
        y = _y(value)
        stroke = TEXT if value == 0 else GRID
        parts.append(_tag("line", x1=LEFT, y1=y, x2=width - PAD, y2=y, stroke=stroke))
        parts.append(
            _tag(
                "text",
                f"{value}%",
                x=LEFT - 6,
                y=y,
                font_size=SMALL,
                fill=TEXT,
                text_anchor="end",
                dominant_baseline="middle",
            )
        )
    return parts


def _target_line(target: float, width: float) -> list[Markup]:
    """A dashed line across the plot, labelled at its right-hand end."""
    y = _y(target)
    line = _tag(
        "line",
        x1=LEFT,
        y1=y,
        x2=width - PAD,
        y2=y,
        stroke=TEXT,
        stroke_width=2,
        stroke_dasharray="8 6",
    )
    label = _tag(
        "text",
        f"Target {_num(target)}%",
        x=width - PAD,
        y=y - 6,
        font_size=SMALL,
        fill=TEXT,
        text_anchor="end",
        **HALO,
    )
    return [line, label]


def _lines(placed: Sequence[tuple[float, float | None]]) -> list[Markup]:
    """One polyline per run of known values, so a missing round leaves a gap."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in placed:
        if y is None:
            runs.append([])
        else:
            runs[-1].append((x, y))
    return [
        _tag(
            "polyline",
            points=" ".join(f"{_num(x)},{_num(y)}" for x, y in run),
            fill="none",
            stroke=BAR,
            stroke_width=3,
        )
        for run in runs
        if len(run) > 1
    ]


def _axis_labels(points: Sequence[Point]) -> tuple[list[Markup], int]:
    """Each round's label under the axis, then a missing round's text; also the rows used."""
    parts = []
    rows = 1
    for i, point in enumerate(points):
        lines = _wrap(point.label, AXIS_CHARS)
        if point.value is None:
            lines.append(point.text)
        for row, line in enumerate(lines):
            parts.append(
                _tag(
                    "text",
                    line,
                    x=_slot_x(i),
                    y=TOP + PLOT_HEIGHT + 20 + AXIS_LINE * row,
                    font_size=SMALL,
                    fill=TEXT,
                    text_anchor="middle",
                    font_weight="bold" if point.value is None and row == len(lines) - 1 else None,
                )
            )
        rows = max(rows, len(lines))
    return parts, rows


def _value_text(text: str, x: float, y: float) -> Markup:
    """A dot's printed value, above it."""
    return _tag(
        "text",
        text,
        x=x,
        y=y,
        font_size=SMALL,
        font_weight="bold",
        fill=TEXT,
        text_anchor="middle",
        **HALO,
    )


def _empty(chart_id: str, title: str) -> Markup:
    """A chart-sized message, so the page keeps its shape before anyone has answered."""
    message = _tag(
        "text",
        "No answers yet",
        x=BAR_WIDTH / 2,
        y=30,
        font_size=FONT,
        fill=TEXT,
        text_anchor="middle",
    )
    # The image's children are hidden from screen readers, so its name must carry the news.
    return _svg(chart_id, f"{title}: no answers yet", BAR_WIDTH, 48, message)


def _svg(chart_id: str, title: str, width: float, height: float, body: Markup) -> Markup:
    """The outer element: scales to its container and is named by its title."""
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="heard-chart" role="img"'
        ' width="100%" viewBox="0 0 {width} {height}" aria-labelledby="{id}">'
        '<title id="{id}">{title}</title>{body}</svg>'
    ).format(width=_num(width), height=_num(height), id=chart_id, title=escape(title), body=body)


def _tag(name: str, content: str | None = None, **attrs: str | float | None) -> Markup:
    """One SVG element, its text escaped; underscores in attribute names become hyphens."""
    attributes = Markup("").join(
        Markup(' {}="{}"').format(key.replace("_", "-"), _num(v) if isinstance(v, float) else v)
        for key, v in attrs.items()
        if v is not None
    )
    if content is None:
        return Markup("<{}{}/>").format(name, attributes)
    return Markup("<{}{}>{}</{}>").format(name, attributes, escape(content), name)


def _chart_id(kind: str, title: str, items: Sequence[Bar] | Sequence[Point], *extra: object) -> str:
    """A stable id from the chart's contents, so two charts on a page do not share a title id."""
    digest = hashlib.sha256(repr((kind, title, tuple(items), extra)).encode()).hexdigest()
    return f"chart-{digest[:10]}"


def _wrap(text: str, width: int) -> list[str]:
    """Up to three lines; the table beside the chart has the full label."""
    return textwrap.wrap(text, width, max_lines=3, placeholder=" …")


def _slot_x(index: int) -> float:
    return LEFT + SLOT * (index + 0.5)


def _y(value: float) -> float:
    return TOP + PLOT_HEIGHT * (1 - _clamp(value, 0.0, 100.0) / 100)


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def _num(value: float) -> str:
    """At most one decimal place: short, and the same on every run."""
    return f"{round(value, 1):g}"
