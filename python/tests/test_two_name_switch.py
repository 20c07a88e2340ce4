"""A user with a TRL script switches to SPO by changing two names (DPOConfig → SPOConfig, DPOTrainer → SPOTrainer)."""

SCRIPT = """
from datasets import Dataset
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import DPOConfig, DPOTrainer
from spo_torch import SPOConfig, SPOTrainer

tok = AutoTokenizer.from_pretrained(MODEL)
model = AutoModelForCausalLM.from_pretrained(MODEL)
train = Dataset.from_list(ROWS)
args = CONFIG(output_dir=OUT, max_steps=2, per_device_train_batch_size=4, learning_rate=1e-3, logging_steps=1,
              bf16=False, gradient_checkpointing=False, use_cpu=True, report_to=[], save_strategy="no", seed=5)
trainer = TRAINER(model=model, args=args, train_dataset=train, processing_class=tok)
trainer.train()
HISTORY = trainer.state.log_history
"""


def run(names, tiny_model, rows, out):
    text = SCRIPT.replace("CONFIG", names[0]).replace("TRAINER", names[1])
    scope = {"MODEL": tiny_model, "ROWS": rows, "OUT": out}
    exec(compile(text, "<user-script>", "exec"), scope)
    return [h for h in scope["HISTORY"] if "loss" in h]


def test_same_script_two_names(tiny_model, pairs, tmp_path):
    # A plain TRL dataset: prompt/chosen/rejected, plus the key-span columns SPO reads (DPO ignores them).
    rows = [{"prompt": p["prompt"], "chosen": p["chosen"], "rejected": p["rejected"],
             "chosen_keys": [{"start": k["start"], "end": k["end"]} for k in p["chosen_keys"]],
             "rejected_keys": [{"start": k["start"], "end": k["end"]} for k in p["rejected_keys"]]} for p in pairs]
    dpo = run(("DPOConfig", "DPOTrainer"), tiny_model, rows, str(tmp_path / "dpo"))
    spo = run(("SPOConfig", "SPOTrainer"), tiny_model, rows, str(tmp_path / "spo"))
    assert len(dpo) == len(spo) == 2
    assert "loss/spo_pref" not in dpo[0] and "loss/spo_pref" in spo[0]
    # Step 1 is the same batch on the same weights: SPO's alignment part is TRL's loss.
    assert abs(spo[0]["loss/align"] - dpo[0]["loss"]) < 1e-5
    assert spo[0]["loss"] > spo[0]["loss/align"]
