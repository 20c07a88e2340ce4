"""Checks the shared augmenter vectors (test/vectors/augment.json, written by the TS augmenter)."""

from __future__ import annotations

from . import augment as A


def check_shared_vectors(vectors: dict) -> int:
    """Assert every vector; return how many were checked. Raises AssertionError naming the first mismatch."""
    checked = 0
    for d in vectors.get("draws", []):
        k = A.key(d["seed"], d["step"], d["index"], d["stream"])
        assert k == d["key"], f"key mismatch: {d}"
        checked += 1
    for r in vectors.get("remove_spans", []):
        got = A.remove_spans(r["text"], A.spans_from_utf16(r["text"], r["spans"]))
        assert got == r["expected"], f"remove_spans mismatch: {r!r} gave {got!r}"
        checked += 1
    for r in vectors.get("augment", []):
        v = A.augment(r["text"], A.spans_from_utf16(r["text"], r["keys"]), r["classes"], r["seed"], r["step"], r["index"], r["stream"])
        assert (v.kept, v.label, v.text) == (r["kept"], r["label"], r["variant"]), f"augment mismatch: {r!r} gave {v!r}"
        checked += 1
    return checked
