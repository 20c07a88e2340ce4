"""Cross-engine parity fixture: the engine's logged step-1 numbers equal a from-scratch reference
(plain transformers forwards, no TRL), which is what the TF.js engine's counterpart test compares against."""

import json

from helpers import events, run_inprocess
from spo_torch.parity import compare, make_parity_fixture


def test_step1_numbers_match_the_reference(tmp_path, capsys):
    folder = make_parity_fixture(tmp_path / "parity")
    expected = json.loads((folder / "expected_step1.json").read_text())
    assert expected["config"] == {"seed": 42, "beta": 0.1, "spo_gamma": 0.1, "spo_classes": 4, "spo_pooling": "mean", "loss_type": ["sigmoid"]}
    assert run_inprocess(folder / "run") == 0
    row = next(e["row"] for e in events(folder / "run") if e["type"] == "metrics" and e["row"]["step"] == 1)
    gaps = compare(expected, row, tol=1e-5)
    for k in ("logps/chosen", "logps/rejected"):
        assert abs(row[k] - expected["step1"][k]) <= 1e-4 * abs(expected["step1"][k])
    # The fixture exercises cut variants and masked ones, and heads that are not at ln K.
    variants = [s["variant"] for s in expected["sequences"]]
    assert any(v["removed"] > 0 for v in variants) and any(not v["kept"] for v in variants)
    assert abs(expected["step1"]["loss/spo_pref"] - 1.3863) > 0.05
    with capsys.disabled():
        print("\nparity step 1:", {k: round(row[k], 7) for k in gaps}, "max relative gap", max(gaps.values()))
