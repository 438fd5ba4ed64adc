"""The one way text someone typed (a sheet's URL or title, a campaign name, a reason quoting
either) reaches Slack: shown exactly as typed, never as a mention, link or formatting.

Slack's mrkdwn has no escape for its formatting characters (``*``, ``_``, ``~``, backtick):
the only markup Slack always shows as plain text is a date token's fallback, so each of them
becomes ``<!date^00000000^{_}|*>`` (an invalid date format: Slack shows the fallback,
unformatted; the technique jsx-slack's <Escape> uses). ``&``, ``<`` and ``>`` become the
entities Slack's docs ask for, so nothing typed can open a ``<!channel>`` or a
``<url|link>``. Line breaks and other control characters fold to spaces, so a name can't
start a new bullet or a quote.
Every mrkdwn text object the bot builds sets ``verbatim`` (bot.blocks.section), so Slack does
not turn a typed ``@here``, ``#channel`` or bare URL into a mention or link either.

Plain-text fields (a header block, an upload's title) are never parsed by Slack: they only
need their line breaks folded (``plain``).
"""

from __future__ import annotations

import re

from core.errors import CtrError, InputError

_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_FORMAT_CHARS = "*_~`"
# C0/C1 controls, line and paragraph separators: each folds to a single space.
_BREAK_CHARS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
_FORMATTING = re.compile(f"[{_FORMAT_CHARS}]")
_BREAKS = re.compile(f"[{_BREAK_CHARS}]+")
# Any character literal() changes (formatting, entities, breaks): text without one is inert.
_SPECIAL = re.compile(f"[{_FORMAT_CHARS}&<>{_BREAK_CHARS}]")
SOFT_HYPHEN = "\u00ad"  # invisible; keeps a leading &gt; from starting a quote


def escape(text: str) -> str:
    """Only the entities: for text the bot wrote itself around user text (a URL in a link).

    >>> escape("<!here> & <@U1>")
    '&lt;!here&gt; &amp; &lt;@U1&gt;'
    """
    return text.translate(_ENTITIES)


def literal(text: str) -> str:
    """``text`` as mrkdwn that Slack shows exactly as typed (line breaks folded).

    >>> literal("*Bold* <!channel>")
    '<!date^00000000^{_}|*>Bold<!date^00000000^{_}|*> &lt;!channel&gt;'
    >>> literal("two\\nlines")
    'two lines'
    """
    if _SPECIAL.search(text) is None:  # most names: nothing to escape (a /ctr hot path)
        return text
    folded = escape(fold(text))
    inert = _FORMATTING.sub(lambda match: f"<!date^00000000^{{_}}|{match[0]}>", folded)
    return SOFT_HYPHEN + inert if inert.startswith("&gt;") else inert


def plain(text: str) -> str:
    """For Slack's plain-text fields, which show every character as it is: one line.

    >>> plain("Q4\\r\\npromo")
    'Q4 promo'
    """
    return fold(text)


def fold(text: str) -> str:
    return _BREAKS.sub(" ", text)


def code(text: str) -> str:
    """``text`` as inline code: Slack applies no formatting inside, so only the entities and
    the line breaks need care (a backtick, which would end the span, becomes U+02CB).

    >>> code("ctr watch <!here> *x*")
    '`ctr watch &lt;!here&gt; *x*`'
    """
    return "`" + escape(fold(text)).replace("`", "\u02cb") + "`"


def error_text(error: CtrError, command: str) -> str:
    """An error as mrkdwn: what was wrong as typed, the suggestion or example as code (the
    words of InputError.render, with Slack's formatting where it is ours)."""
    if not isinstance(error, InputError):
        return literal(error.render(command))
    problem = literal(" ".join(error.problem.split()))
    if error.suggestion is not None:
        return f"{problem} Did you mean {code(f'{command} {error.suggestion}')}?"
    return f"{problem} Try {code(f'{command} {error.example}')}."
