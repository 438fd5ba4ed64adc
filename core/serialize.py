"""CTR results as JSON-ready dictionaries (rates as fractions: 0.004, not 0.4)."""

from __future__ import annotations

from core.baseline import Check
from core.ctr import Comparison, CtrResult


def result_to_dict(result: CtrResult, label: str | None = None) -> dict[str, object]:
    """{"clicks", "impressions", "ctr", "ci_low", "ci_high"} plus "label" when one was given."""
    data: dict[str, object] = {
        "clicks": result.counts.clicks,
        "impressions": result.counts.impressions,
        "ctr": result.rate,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
    }
    if label is not None:
        data["label"] = label
    return data


def comparison_to_dict(
    comparison: Comparison, label_a: str | None = None, label_b: str | None = None
) -> dict[str, object]:
    """Both results, the test and the power estimate."""
    return {
        "a": result_to_dict(comparison.a, label_a),
        "b": result_to_dict(comparison.b, label_b),
        "lift": comparison.lift,
        "z": comparison.z,
        "p_value": comparison.p_value,
        "significant": comparison.significant,
        "leader": comparison.leader,
        "needed_per_variant": comparison.needed_per_variant,
        "more_needed_per_variant": comparison.more_needed_per_variant,
    }


def check_to_dict(check: Check) -> dict[str, object]:
    """A figure against its campaign's usual CTR: the usual, the test and the usual range."""
    usual = check.usual
    return {
        "clicks": usual.counts.clicks,
        "impressions": usual.counts.impressions,
        "ctr": usual.rate,
        "weeks": usual.weeks,
        "method": usual.method.value,
        "dispersion": usual.dispersion,
        "df": usual.df,
        "statistic": check.statistic,
        "p_value": check.p_value,
        "unusual": check.unusual,
        "range_low": check.band.low,
        "range_high": check.band.high,
    }
