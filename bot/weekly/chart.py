"""The summary's chart: weekly CTR of the total and the top campaigns, with interval bands."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from core.ctr import CtrResult
from core.summary import HistoryPoint

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def render_chart(history: Sequence[HistoryPoint], title: str) -> bytes:
    """A PNG of the last weeks' CTRs (headless: matplotlib's Agg back end, no display)."""
    # Imported here: matplotlib is slow to import and only the summary path needs it.
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.ticker import PercentFormatter  # noqa: PLC0415

    figure = Figure(figsize=(8, 4), dpi=100)
    axes = figure.add_subplot()
    # Weeks are plotted at positions 0..n-1 and labelled with their dates: evenly spaced and
    # free of matplotlib's date-unit machinery.
    positions = list(range(len(history)))
    plotted = _plot(axes, positions, [point.total for point in history], "Total", width=2.5)
    names = list(history[-1].campaigns) if history else []
    for name in names:
        results = [point.campaigns.get(name) for point in history]
        plotted |= _plot(axes, positions, results, name, width=1.5)
    axes.set_title(title, loc="left")
    axes.set_ylabel("CTR (95% interval shaded)")
    axes.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=2))
    axes.set_xticks(positions, [f"{point.week:%d %b}" for point in history])
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    if plotted:
        axes.legend(loc="upper left", fontsize="small", frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _plot(
    axes: Axes, positions: list[int], results: list[CtrResult | None], name: str, *, width: float
) -> bool:
    points = [(x, r) for x, r in zip(positions, results, strict=True) if r is not None]
    if not points:
        return False
    xs = [week for week, _ in points]
    rates = [r.rate for _, r in points]
    (line,) = axes.plot(xs, rates, marker="o", linewidth=width, label=_legend_label(name))
    lows, highs = [r.ci_low for _, r in points], [r.ci_high for _, r in points]
    axes.fill_between(xs, lows, highs, color=line.get_color(), alpha=0.15, linewidth=0)
    return True


def _legend_label(name: str) -> str:
    """Campaign names are user text: "$" would start mathtext, a leading "_" hides the entry."""
    return (
        " " + name[:40].replace("$", r"\$")
        if name.startswith("_")
        else name[:40].replace("$", r"\$")
    )
