"""What the sync writes into its own cells, and the proof that a cell holds exactly that.

One source for both: the CTR is written by ``format_ctr`` and recognised by writing it again;
a status is written from a template and recognised by the same template (core/reasons.py).
A cell is the tool's only if it is exactly something the tool writes, never because it looks
like it: "Clicks look low, check the tracking." starts like a reason but is a person's.
"""

from __future__ import annotations

import re

from core.reasons import COUNT_REASONS, LETTERS, Template, choice, is_reason

Cell = str | int | float | bool | None

# CTRs are written with 12 significant digits (compact requests); equal within that is equal.
CTR_DIGITS = 12
# What format_ctr writes for a CTR from 0.0001 to 1 (fixed notation, up to 12 significant
# digits, no trailing zero): the common CSV case, checked without a float round trip per row.
_PLAIN_CTR = re.compile(r"0\.0{0,3}(?:[1-9]\d{0,10}[1-9]|[1-9])")

NOT_OURS = Template(
    "{what} cell ({letter}) holds a formula or a value the sync didn't write: left as it is. "
    "Clear it to let the sync fill it in.",
    what=choice("CTR", "CTR status"),
    letter=LETTERS,
)
# Written by earlier versions: recognised so their statuses stay the tool's, never written.
_NOT_OURS_BEFORE = Template(
    "{what} cell ({letter}) holds a formula or text the sync didn't write: left as it is. "
    "Clear it to let the sync fill it in.",
    what=choice("CTR", "CTR status"),
    letter=LETTERS,
)
STATUS_TEMPLATES = (*COUNT_REASONS, NOT_OURS, _NOT_OURS_BEFORE)


def format_ctr(value: float) -> str:
    """The CTR as written: compact, and exact to the 12 digits compared on the next sync.

    >>> format_ctr(1 / 3)
    '0.333333333333'
    """
    return f"{value:.{CTR_DIGITS}g}"


def is_own_ctr(value: Cell) -> bool:
    """Is this exactly a CTR the tool writes: a fraction from 0 to 1 as ``format_ctr`` puts it?

    A number (Google) must survive being written again; a text (a CSV field) must be that
    very text. 12.5 (a percent typed by hand), "0.40" or "4%" are a person's.

    >>> is_own_ctr(0.004), is_own_ctr("0.004"), is_own_ctr(12.5), is_own_ctr("0.40")
    (True, True, False, False)
    """
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, str) and _PLAIN_CTR.fullmatch(value):
        return True  # the common CSV case, without a float round trip per row
    if isinstance(value, int | float):
        return 0 <= value <= 1 and float(format_ctr(float(value))) == value
    try:
        number = float(value)
    except ValueError:
        return False
    return 0 <= number <= 1 and format_ctr(number) == value


def is_own_status(text: str) -> bool:
    """Is this exactly a status the tool writes (a whole template, each field in its format)?

    >>> is_own_status("Clicks (500) can't exceed impressions (100).")
    True
    >>> is_own_status("Clicks look low, check the tracking.")
    False
    """
    return is_reason(text, STATUS_TEMPLATES)
