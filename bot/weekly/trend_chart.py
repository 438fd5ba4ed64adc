"""`/ctr trend`'s chart: a campaign's weekly CTR with the usual range each week had."""

from __future__ import annotations

from collections.abc import Sequence

from bot.weekly.chart import clip, png
from core.trend import TrendPoint

BAND = "#9ecae1"
LINE = "#08519c"
UNUSUAL = "#d62728"


def render_trend(points: Sequence[TrendPoint], campaign: str, sheet_title: str) -> bytes:
    """A PNG (matplotlib's Agg back end, no display): the weekly CTR as a line, the usual
    range as a band, and the weeks unusual for the campaign marked."""
    # Imported here: matplotlib is slow to import and only the chart paths need it.
    from matplotlib import rc_context  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.ticker import PercentFormatter  # noqa: PLC0415

    # Campaign names and titles are people's text: "$" must be a dollar, never mathtext.
    with rc_context({"text.parse_math": False}):
        figure = Figure(figsize=(9, 4.5), dpi=100)
        axes = figure.add_subplot()
        xs = list(range(len(points)))
        banded = [(x, p.check) for x, p in zip(xs, points, strict=True) if p.check is not None]
        if banded:
            axes.fill_between(
                [x for x, _ in banded],
                [c.band.low for _, c in banded],
                [c.band.high for _, c in banded],
                color=BAND,
                alpha=0.5,
                linewidth=0,
                label="Usual range (95%) at that week's impressions",
                step="mid",
            )
        axes.plot(xs, [p.rate for p in points], marker="o", color=LINE, label="Weekly CTR")
        unusual = [(x, p) for x, p in zip(xs, points, strict=True) if p.check and p.check.unusual]
        if unusual:
            axes.scatter(
                [x for x, _ in unusual],
                [p.rate for _, p in unusual],
                s=90,
                facecolors="none",
                edgecolors=UNUSUAL,
                linewidths=2,
                zorder=4,
                label="Unusual for it",
            )
        axes.set_title(f"{clip(campaign)} · {clip(sheet_title)}", loc="left")
        axes.set_ylabel("CTR")
        axes.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=2))
        step = max(1, len(points) // 13)  # at most ~13 labels: 26 weeks stay legible
        axes.set_xticks(xs[::step], [f"{p.week:%d %b}" for p in points][::step])
        axes.set_xlabel("Week starting (weeks with data only)")
        highs = [p.rate for p in points] + [c.band.high for _, c in banded]
        axes.set_ylim(bottom=0, top=max(highs, default=0.01) * 1.15 or 0.01)  # room at the top
        return png(figure, axes, bool(points), loc="lower left")
