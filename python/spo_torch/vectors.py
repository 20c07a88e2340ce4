"""Checks the shared augmenter vectors (test/vectors/augment.json, generated from the TS implementation)."""

from __future__ import annotations

from . import augment as A


def check_shared_vectors(v: dict) -> int:
    """Assert every vector of every section; return how many were checked. The first mismatch raises, named."""
    n = 0
    for r in v["mix32"]:
        assert A.mix32(r["x"]) == r["out"], f"mix32: {r}"
        n += 1
    for r in v["key"]:
        assert A.key(r["seed"], r["step"], r["index"], r["stream"]) == r["key"], f"key: {r}"
        n += 1
    for r in v["draws"]:
        assert A.u32(r["key"], r["counter"]) == r["u32"], f"u32: {r}"
        assert A.uniform(r["key"], r["counter"]) == r["uniform"], f"uniform: {r}"
        for i in r["int"]:
            assert A.draw_int(r["key"], r["counter"], i["n"]) == i["value"], f"int: {r} {i}"
        n += 1
    for r in v["classes"]:
        assert A.draw_int(A.key(r["seed"], r["step"], r["index"], r["stream"]), 0, r["K"]) == r["class"], f"class: {r}"
        n += 1
    for r in v["span_indices"]:
        k = A.key(r["seed"], r["step"], r["index"], r["stream"])
        assert A.draw_span_indices(k, r["n"], r["m"]) == r["indices"], f"span indices: {r}"
        n += 1
    for r in v["removed_counts"]:
        assert A.removed_span_count(r["c"], r["n"], r["K"]) == r["m"], f"removed count: {r}"
        n += 1
    for r in v["remove_spans"]:
        got = A.remove_spans(r["text"], A.spans_from_utf16(r["text"], r["spans"]))
        assert got == r["out"], f"remove_spans '{r.get('name')}': {r['text']!r} gave {got!r}, want {r['out']!r}"
        n += 1
    for r in v["augment"]:
        spans = A.spans_from_utf16(r["text"], r["spans"])
        got = A.augment(r["text"], spans, r["K"], r["seed"], r["step"], r["index"], r["stream"])
        want = (r["kept"], r["label"], r["removed"], r["variant"])
        assert (got.kept, got.label, got.removed, got.text) == want, f"augment: {r!r} gave {got!r}"
        n += 1
    return n
