"""Bar charts as inline SVG, drawn on the server: no script, no colour needed to read them.

Each bar carries its city's name above it and its count beside it as text; a bar's
state (elected, eliminated, tied) is told by a word and by a fill pattern, never by
colour alone. The chart is `role="img"` with a title and a description listing every
count, and each page shows the same numbers in a table as its accessible equivalent.

The drawing uses presentation attributes only (no `style`), so the site's strict
Content-Security-Policy allows it; the style sheet may restyle its classes.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

WIDTH = 420  # viewBox units; the page scales the chart to its column (at most 26rem)
PAD = 4
FONT = 18  # label and count size, in viewBox units
LINE = 23  # height of a line of text
BAR = 24  # height of a bar
GAP = 14  # space after each bar
CHAR = FONT * 0.6  # a generous average width of a character
CHARS_PER_LINE = int((WIDTH - 2 * PAD) / (FONT * 0.56))
MARKS = ("elected", "eliminated", "tied", "")

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Bar:
    """One candidate's bar: `value_text` is shown beside it, short ("12 (48.0 %)"), and
    `spoken` in the description ("12 votes, 48.0 %"; `value_text` when empty);
    `mark_text` follows the name (a word for `mark`: "elected", "eliminated"...)."""

    label: str
    value: int
    value_text: str
    mark: str = ""
    mark_text: str = ""
    spoken: str = ""


@dataclass(frozen=True)
class Threshold:
    """A dashed line across the bars at `value`, named by `text` ("majority: 13")."""

    value: int
    text: str


def bar_chart(
    bars: Sequence[Bar], *, chart_id: str, title: str, threshold: Threshold | None = None
) -> Markup:
    """One horizontal bar per candidate, in the order given, lengths proportional to the
    values (the longest value, or the threshold if higher, spans the bar area)."""
    if not _ID.fullmatch(chart_id):
        raise ValueError(f"the chart id {chart_id!r} is not a valid XML id")
    for bar in bars:
        if bar.value < 0:
            raise ValueError(f"a bar cannot be negative: {bar.label} has {bar.value}")
        if bar.mark not in MARKS:
            raise ValueError(f"unknown bar mark {bar.mark!r}")
    top = max([b.value for b in bars] + [threshold.value if threshold else 0] + [1])
    # Room right of the longest bar for the longest count, so that nothing leaves the box.
    room = min(max((len(b.value_text) for b in bars), default=1) * CHAR + 12, WIDTH / 2)
    area = WIDTH - 2 * PAD - room
    y = PAD + (LINE if threshold else 0)
    line_x = PAD + round(area * threshold.value / top, 2) if threshold else None
    body: list[str] = []
    bar_tops: list[int] = []
    for index, bar in enumerate(bars):
        name = bar.label + (f" · {bar.mark_text}" if bar.mark_text else "")
        lines = textwrap.wrap(name, CHARS_PER_LINE, break_long_words=True) or [""]
        weight = ' font-weight="700"' if bar.mark == "elected" else ""
        body.append(f'<g class="bar bar-{bar.mark or "plain"}">')
        for line in lines:
            y += LINE
            body.append(
                f'<text x="{PAD}" y="{y - 6}" font-size="{FONT}" class="bar-label"{weight}>'
                f"{escape(line)}</text>"
            )
        width = round(area * bar.value / top, 2)
        bar_tops.append(y)
        body.append(_bar_rect(chart_id, bar.mark, PAD, y, width))
        count_x = _count_x(PAD + width + 6, len(bar.value_text) * CHAR, line_x)
        # a white ground under the count as well, so that nothing drawn crosses it
        ground = len(bar.value_text) * CHAR + 6
        body.append(
            f'<rect x="{count_x - 3:g}" y="{y + 1}" width="{ground:g}" height="{BAR - 2}" '
            'fill="#ffffff" class="count-ground"/>'
            f'<text x="{count_x:g}" y="{y + BAR - 6}" font-size="{FONT - 1}" '
            f'class="bar-count">{escape(bar.value_text)}</text>'
        )
        body.append("</g>")
        y += BAR + (GAP if index < len(bars) - 1 else 0)
    height = y + PAD
    # where every bar starts: a short stroke at each bar (a zero shows as this stroke alone)
    axis = "".join(
        f'<line x1="{PAD}" y1="{t - 3}" x2="{PAD}" y2="{t + BAR + 3}" stroke="#1b1f24" '
        'stroke-width="2" class="axis"/>'
        for t in bar_tops
    )
    line = ""
    if threshold is not None and line_x is not None:  # drawn first, under the bars
        line = _threshold(threshold, line_x, bar_tops)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(describe(bars, threshold))}</desc>',
        _patterns(chart_id),
        line,
        axis,
        *body,
        "</svg>",
    ]
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


def _count_x(after_bar: float, text_width: float, line_x: float | None) -> float:
    """Where a bar's count starts: just after its bar, unless the threshold's line would
    run through it; then just past the line, so that the line and the count never meet
    (the room kept right of the longest bar holds it: the line is at most that long)."""
    if line_x is not None and after_bar - 4 <= line_x <= after_bar + text_width + 4:
        return line_x + 6
    return after_bar


def _threshold(threshold: Threshold, x: float, bar_tops: list[int]) -> str:
    """The threshold's name on top, and a dashed mark across each bar (not across the
    names, which stay readable)."""
    anchor = "end" if x > WIDTH / 2 else "start"
    text_x = x - 4 if anchor == "end" else x + 4
    marks = "".join(
        f'<line x1="{x:g}" y1="{top - 4}" x2="{x:g}" y2="{top + BAR + 4}"/>' for top in bar_tops
    )
    return (
        '<g class="threshold" stroke="#1b1f24" stroke-width="2" stroke-dasharray="4 3">'
        f'<line x1="{x:g}" y1="{PAD + 4}" x2="{x:g}" y2="{PAD + LINE}"/>{marks}'
        f'<text x="{text_x:g}" y="{PAD + LINE - 5}" font-size="{FONT - 2}" stroke="none" '
        f'fill="#1b1f24" text-anchor="{anchor}" class="threshold-label">'
        f"{escape(threshold.text)}</text></g>"
    )


def describe(bars: Sequence[Bar], threshold: Threshold | None = None) -> str:
    """The chart in words: every bar's name, count and mark, then the threshold."""
    said = [
        f"{b.label}: {b.spoken or b.value_text}" + (f", {b.mark_text}" if b.mark_text else "")
        for b in bars
    ]
    if threshold is not None:
        said.append(threshold.text)
    return "; ".join(said) + "."


def _bar_rect(chart_id: str, mark: str, x: int, y: int, width: float) -> str:
    """The bar itself: solid for most, solid and outlined for the elected, hatched for the
    eliminated, dotted for a tie; a zero draws no bar (its count says 0)."""
    fills = {
        "elected": "#083f78",
        "eliminated": f"url(#{chart_id}-hatch)",
        "tied": f"url(#{chart_id}-dots)",
        "": "#0b5cad",
    }
    stroke = ' stroke="#1b1f24" stroke-width="1.5"' if mark in ("eliminated", "tied") else ""
    if mark == "elected":
        stroke = ' stroke="#000" stroke-width="3"'
    return (
        f'<rect x="{x}" y="{y}" width="{width:g}" height="{BAR}" fill={quoteattr(fills[mark])}'
        f'{stroke} class="bar-fill"/>'
    )


def _patterns(chart_id: str) -> str:
    return (
        "<defs>"
        f'<pattern id="{chart_id}-hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        '<rect width="8" height="8" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="8" stroke="#1b1f24" stroke-width="3"/></pattern>'
        f'<pattern id="{chart_id}-dots" width="7" height="7" patternUnits="userSpaceOnUse">'
        '<rect width="7" height="7" fill="#dbe7f5"/>'
        '<circle cx="3.5" cy="3.5" r="1.8" fill="#083f78"/></pattern>'
        "</defs>"
    )
