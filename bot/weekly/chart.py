"""The summary's chart: weekly CTR of the total, the best and worst campaigns and those
unusual for themselves, with interval bands, over the weeks that have data."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.ctr import CtrResult
from core.summary import Charted, HistoryPoint, Role

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MAX_LABEL = 40
# Lines that coincide stay apart by marker, dash and a small sideways nudge.
MARKERS = ("o", "s", "^", "v", "D", "P", "X", "*")
DASHES = ("-", "--", "-.", ":")
ROLE_LABELS = {Role.BEST: "Best", Role.WORST: "Worst", Role.UNUSUAL: "Unusual for itself"}


@dataclass(frozen=True, slots=True)
class Line:
    """One series as drawn: its legend label and each week's result (None: no traffic)."""

    label: str
    results: tuple[CtrResult | None, ...]


def chart_lines(history: Sequence[HistoryPoint], charted: Sequence[Charted]) -> list[Line]:
    """The total first, then each charted campaign labelled with why it is there.

    >>> chart_lines([], [Charted("Search", Role.BEST)])[1].label
    'Best: Search'
    """
    lines = [Line("Total", tuple(point.total for point in history))]
    for campaign in charted:
        results = tuple(point.campaigns.get(campaign.name) for point in history)
        label = f"{ROLE_LABELS[campaign.role]}: {clip(campaign.name)}"
        lines.append(Line(label, results))
    return lines


def render_chart(history: Sequence[HistoryPoint], charted: Sequence[Charted], title: str) -> bytes:
    """A PNG of the weeks' CTRs (headless: matplotlib's Agg back end, no display)."""
    # Imported here: matplotlib is slow to import and only the summary path needs it.
    from matplotlib import rc_context  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.ticker import PercentFormatter  # noqa: PLC0415

    # Titles and campaign names are people's text: "$" must be a dollar, never mathtext.
    with rc_context({"text.parse_math": False}):
        figure = Figure(figsize=(9, 4.5), dpi=100)
        axes = figure.add_subplot()
        lines = chart_lines(history, charted)
        for index, line in enumerate(lines):
            _plot(axes, index, len(lines), line)
        axes.set_title(clip(title, 80), loc="left")
        axes.set_ylabel("CTR (95% interval shaded)")
        axes.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=2))
        axes.set_xticks(range(len(history)), [f"{point.week:%d %b}" for point in history])
        axes.set_xlabel("Week starting (weeks with data only)")
        axes.set_ylim(bottom=0)
        return png(figure, axes, bool(history), loc="upper left", bbox_to_anchor=(1.01, 1))


def png(figure: Figure, axes: Axes, has_data: bool, **legend: Any) -> bytes:
    """The chart's grid, its legend (or "No data yet") and its PNG bytes: how every chart of
    the bot ends."""
    axes.grid(alpha=0.3)
    if has_data:
        axes.legend(fontsize="small", frameon=False, **legend)
    else:
        axes.text(0.5, 0.5, "No data yet", transform=axes.transAxes, ha="center")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _plot(axes: Axes, index: int, count: int, line: Line) -> None:
    nudge = (index - (count - 1) / 2) * 0.06 if index else 0.0  # the total stays on its tick
    points = [(x + nudge, r) for x, r in enumerate(line.results) if r is not None]
    if not points:
        return
    xs, results = [x for x, _ in points], [r for _, r in points]
    (drawn,) = axes.plot(
        xs,
        [r.rate for r in results],
        marker=MARKERS[index % len(MARKERS)],
        linestyle=DASHES[index % len(DASHES)],
        linewidth=2.5 if index == 0 else 1.5,
        color="black" if index == 0 else None,
        markersize=6,
        label=line.label,
        zorder=3 if index == 0 else 2,
    )
    axes.fill_between(
        xs,
        [r.ci_low for r in results],
        [r.ci_high for r in results],
        color=drawn.get_color(),
        alpha=0.12,
        linewidth=0,
    )


def clip(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
