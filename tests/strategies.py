"""Hypothesis strategies more than one test folder draws from."""

from __future__ import annotations

from hypothesis import strategies as st

# (clicks, impressions) whose percent sits exactly on a half of its last shown digit,
# (2k + 1) / 20,000 scaled: 21 / 20,000 is 0.105 %, "0.11%", while its float is a hair under
# the half and formats as "0.10%". The cases where showing a float instead of the counts shows.
half_percents = st.builds(
    lambda k, scale: ((2 * k + 1) * scale, 20_000 * scale),
    st.integers(0, 9_999),
    st.integers(1, 10**6),
)
