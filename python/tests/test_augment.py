"""The augmenter against the TS side's vectors: the same text, spans and class give the same variant."""

import json
from pathlib import Path

import pytest

from spo_torch import augment as A

REPO = Path(__file__).resolve().parents[2]
OWN_VECTORS = Path(__file__).parent / "fixtures" / "augment_vectors.json"
SHARED_VECTORS = REPO / "test" / "vectors" / "augment.json"


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def check_draws(draws):
    for d in draws:
        k = A.key(d["seed"], d["step"], d["index"], d["stream"])
        assert k == d["key"], d
        for counter, value in zip([0, 1, 2, 9, 1000], d["u32"]):
            assert A.u32(k, counter) == value
        for counter, value in enumerate(d["uniform"]):
            assert A.uniform(k, counter) == value
        for item in d["int"]:
            assert A.draw_int(k, item["counter"], item["n"]) == item["value"]


def check_removals(rows):
    for r in rows:
        spans = A.spans_from_utf16(r["text"], r["spans"])
        assert A.remove_spans(r["text"], spans) == r["expected"], r


def check_variants(rows):
    for r in rows:
        spans = A.spans_from_utf16(r["text"], r["keys"])
        v = A.augment(r["text"], spans, r["classes"], r["seed"], r["step"], r["index"], r["stream"])
        assert (v.kept, v.label, v.removed, v.text) == (r["kept"], r["label"], r["removed"], r["variant"]), r


def test_own_vectors_from_the_ts_source():
    v = load(OWN_VECTORS)
    assert len(v["draws"]) >= 5 and len(v["remove_spans"]) > 100 and len(v["augment"]) > 100
    check_draws(v["draws"])
    check_removals(v["remove_spans"])
    check_variants(v["augment"])
    # The vectors exercise every branch: masked, intact (c = 0) and cut variants.
    assert {r["kept"] for r in v["augment"]} == {True, False}
    assert any(r["kept"] and r["removed"] == 0 for r in v["augment"])
    assert any(r["removed"] > 0 for r in v["augment"])


def test_shared_vectors_from_the_ts_augmenter():
    """Every vector of test/vectors/augment.json (written by the TS augmenter); fails if the file is missing."""
    from spo_torch.vectors import check_shared_vectors

    v = load(SHARED_VECTORS)
    checked = check_shared_vectors(v)
    sections = ("mix32", "key", "draws", "classes", "span_indices", "removed_counts", "remove_spans", "augment")
    assert checked == sum(len(v[s]) for s in sections) and checked > 300
    # Non-ASCII texts (UTF-16 offsets) are among them.
    assert any(not r["text"].isascii() for r in v["remove_spans"] + v["augment"])


def test_utf16_offsets_convert_around_astral_characters():
    text = "a😀b🚀c"
    # UTF-16: a=0, 😀=1..2, b=3, 🚀=4..5, c=6
    assert [A.utf16_to_index(text, o) for o in (0, 1, 3, 4, 6, 7)] == [0, 1, 2, 3, 4, 5]
    assert A.spans_from_utf16(text, [{"start": 3, "end": 6}]) == [A.Span(2, 4)]


def test_masked_when_fewer_than_k_minus_1_spans():
    spans = [A.Span(0, 3), A.Span(4, 9)]
    v = A.augment("one two", spans, 4, 1, 1, 0, 0)
    assert (v.kept, v.label, v.text) == (False, -1, "one two")


def test_class_sets_the_share_removed():
    text = "alpha beta gamma delta epsilon"
    spans = [A.Span(0, 5), A.Span(6, 10), A.Span(11, 16), A.Span(17, 22), A.Span(23, 30)]
    seen = set()
    for step in range(1, 200):
        v = A.augment(text, spans, 4, 7, step, 3, 1)
        assert v.removed == int(v.label * 5 / 3 + 0.5)
        assert "  " not in v.text and not v.text.startswith(" ")  # whitespace collapsed at every cut
        assert len(v.text.split()) == 5 - v.removed
        seen.add(v.label)
    assert seen == {0, 1, 2, 3}


def test_bad_class_count_is_refused():
    with pytest.raises(ValueError, match="spo_classes"):
        A.augment("x", [], 1, 0, 0, 0, 0)
