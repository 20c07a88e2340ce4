"""Checks the shared augmenter vectors (test/vectors/augment.json, generated from the TS implementation by
`npm run vectors`; the TS suite checks the same file and fails when it differs from the generator)."""

from __future__ import annotations

from . import augment as A


def _eq(got, want, what):
    assert got == want, f"{what}: got {got!r}, want {want!r}"


def check_shared_vectors(vectors: dict) -> int:
    """Assert every vector; return how many were checked. Raises AssertionError naming the first mismatch."""
    checked = 0
    for v in vectors["mix32"]:
        _eq(A.mix32(v["x"]), v["out"], f"mix32({v['x']})")
        checked += 1
    for v in vectors["key"]:
        _eq(A.key(v["seed"], v["step"], v["index"], v["stream"]), v["key"], f"key {v}")
        checked += 1
    for v in vectors["draws"]:
        _eq(A.u32(v["key"], v["counter"]), v["u32"], f"u32 {v['key']},{v['counter']}")
        _eq(A.uniform(v["key"], v["counter"]), v["uniform"], f"uniform {v['key']},{v['counter']}")
        for d in v["int"]:
            _eq(A.draw_int(v["key"], v["counter"], d["n"]), d["value"], f"int {v['key']},{v['counter']},{d['n']}")
        checked += 1
    for v in vectors["classes"]:
        _eq(A.draw_int(A.key(v["seed"], v["step"], v["index"], v["stream"]), 0, v["K"]), v["class"], f"class {v}")
        checked += 1
    for v in vectors["span_indices"]:
        # m spans of n: the class draw is not part of this vector, so run the shuffle for exactly m.
        k = A.key(v["seed"], v["step"], v["index"], v["stream"])
        order = list(range(v["n"]))
        for i in range(v["m"]):
            j = i + A.draw_int(k, 1 + i, v["n"] - i)
            order[i], order[j] = order[j], order[i]
        _eq(order[: v["m"]], v["indices"], f"span indices {v}")
        checked += 1
    for v in vectors["removed_counts"]:
        c, n, K = v["c"], v["n"], v["K"]
        _eq((2 * c * n + (K - 1)) // (2 * (K - 1)), v["m"], f"removed count {v}")
        checked += 1
    for r in vectors["remove_spans"]:
        spans = A.spans_from_utf16(r["text"], r["spans"])
        for s, raw in zip(spans, r["spans"]):
            _eq(r["text"][s.start : s.end], raw["text"], f"{r['name']}: span text")
        _eq(A.remove_spans(r["text"], spans), r["out"], f"remove_spans {r['name']!r}")
        checked += 1
    for r in vectors["augment"]:
        v = A.augment(r["text"], A.spans_from_utf16(r["text"], r["spans"]), r["K"], r["seed"], r["step"], r["index"], r["stream"])
        _eq((v.kept, v.label, v.text, v.removed), (r["kept"], r["label"], r["variant"], r["removed"]), f"augment {r['text'][:30]!r} K={r['K']} step={r['step']}")
        checked += 1
    return checked
