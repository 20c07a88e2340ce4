"""The SPO degree augmenter, byte-compatible with the TF.js engine (docs/engine-contract.md).

Every random choice is a pure function of (seed, step, example index, stream, counter), so both engines,
any number of processes and a resumed run draw the same variants. `remove_spans` follows
src/core/train/augmenter.ts `removeSpans` rule for rule; test/vectors/augment.json pins both.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

MASK32 = 0xFFFFFFFF
STREAM_CHOSEN = 0  # preference module
STREAM_REJECTED = 1  # dis-preference module


def mix32(x: int) -> int:
    x &= MASK32
    x ^= x >> 16
    x = (x * 0x7FEB352D) & MASK32
    x ^= x >> 15
    x = (x * 0x846CA68B) & MASK32
    x ^= x >> 16
    return x


def key(seed: int, step: int, index: int, stream: int) -> int:
    k = mix32(mix32(seed & MASK32) ^ (step & MASK32))
    k = mix32(k ^ (index & MASK32))
    return mix32(k ^ (stream & MASK32))


def u32(k: int, counter: int) -> int:
    return mix32((k & MASK32) ^ mix32((counter + 0x9E3779B9) & MASK32))


def uniform(k: int, counter: int) -> float:
    return u32(k, counter) / 4294967296.0


def draw_int(k: int, counter: int, n: int) -> int:
    # The same two IEEE double operations as JavaScript's Math.floor(u / 2^32 * n).
    return math.floor(uniform(k, counter) * n)


@dataclass(frozen=True)
class Span:
    """A key span as Python string indices [start, end)."""

    start: int
    end: int


@dataclass(frozen=True)
class DegreeVariant:
    kept: bool  # False: fewer than K−1 key spans, no part in the SPO loss
    label: int  # class c in 0..K−1, -1 when masked
    text: str
    removed: int


def utf16_to_index(text: str, offset: int) -> int:
    """The Python index of a UTF-16 code-unit offset (JavaScript string index) into `text`.

    An offset inside a surrogate pair maps to the character that pair encodes.
    """
    units = 0
    for i, ch in enumerate(text):
        if units >= offset:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


def spans_from_utf16(text: str, spans: Iterable[dict]) -> list[Span]:
    """Key spans of pairs.jsonl (UTF-16 offsets) as Python string indices."""
    if text.isascii():
        return [Span(int(s["start"]), int(s["end"])) for s in spans]
    return [Span(utf16_to_index(text, int(s["start"])), utf16_to_index(text, int(s["end"]))) for s in spans]


_LEAD_BLANK = re.compile(r"[ \t]*")
_PUNCT = ",.;:!?)"


def remove_spans(text: str, spans: Sequence[Span]) -> str:
    """Cut `spans` out of `text` and collapse the whitespace left behind at each cut (as removeSpans in TS)."""
    out = ""
    cursor = 0
    for s in sorted(spans, key=lambda s: s.start):  # stable, as Array.prototype.sort
        if s.end <= cursor:
            continue  # nested or duplicate span: already cut
        out += text[cursor : max(cursor, s.start)]
        cursor = s.end
        # Drop the spaces after the cut when a blank (or the text start) already precedes it, and the
        # space before a following punctuation mark, so no double space or " ," is left.
        lead = _LEAD_BLANK.match(text, cursor).end() - cursor
        nxt = text[cursor + lead : cursor + lead + 1]
        left_ends_blank = len(out) == 0 or out[-1] in " \t\n"
        next_is_punct = nxt != "" and nxt in _PUNCT
        if left_ends_blank or next_is_punct:
            if next_is_punct:
                out = out.rstrip(" \t")
            cursor += lead
    return out + text[cursor:]


def draw_removed(k: int, n: int, classes: int) -> tuple[int, list[int]] | None:
    """The class c and the indices of the removed spans for a response with n key spans; None when masked."""
    if n < classes - 1:
        return None
    c = draw_int(k, 0, classes)
    m = removed_span_count(c, n, classes)
    return c, draw_span_indices(k, n, m)


def removed_span_count(c: int, n: int, classes: int) -> int:
    """round(c·n/(K−1)) with halves rounded up, in integers (the contract's form: no float rounding question)."""
    return (2 * c * n + (classes - 1)) // (2 * (classes - 1))


def draw_span_indices(k: int, n: int, m: int) -> list[int]:
    """The first m indices of a partial Fisher–Yates shuffle of [0, n); counter 0 is the class draw."""
    order = list(range(n))
    for i in range(m):
        j = i + draw_int(k, 1 + i, n - i)
        order[i], order[j] = order[j], order[i]
    return order[:m]


def augment(text: str, spans: Sequence[Span], classes: int, seed: int, step: int, index: int, stream: int) -> DegreeVariant:
    """One degree variant of a response: drawn from (seed, step, index, stream)."""
    if classes < 2:
        raise ValueError(f"spo_classes must be an integer >= 2, got {classes}")
    drawn = draw_removed(key(seed, step, index, stream), len(spans), classes)
    if drawn is None:
        return DegreeVariant(kept=False, label=-1, text=text, removed=0)
    c, removed = drawn
    if not removed:
        return DegreeVariant(kept=True, label=c, text=text, removed=0)
    return DegreeVariant(kept=True, label=c, text=remove_spans(text, [spans[i] for i in removed]), removed=len(removed))
