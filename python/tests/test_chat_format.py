"""Chat formatting (docs/engine-contract.md): with a chat template, a response becomes the assistant turn without
its one leading space, in the pair's own rows and in its degree variants alike, as the TS side formats it
(src/core/model/chatTemplate.ts `assistantMessage`). The template below makes a space visible to the word-level
tokenizer (every space renders as " , "), so a kept leading space shows up as a ',' token."""

import shutil

import pytest
from transformers import AutoModelForCausalLM, AutoTokenizer

from spo_torch import SPOConfig, SPOTrainer
from spo_torch import trl_internals as T
from spo_torch.data import assistant_message, to_datasets, to_rows

TEMPLATE = (
    "{% for m in messages %}{% if m['role'] == 'user' %}Human :{% else %}Assistant :{% endif %}"
    "{{ m['content'] | replace(' ', ' , ') }} .{% endfor %}{% if add_generation_prompt %}Assistant :{% endif %}"
)


@pytest.fixture(scope="module")
def chat_model(tiny_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("chat-llama") / "model"
    shutil.copytree(tiny_model, folder)
    tok = AutoTokenizer.from_pretrained(str(folder))
    tok.chat_template = TEMPLATE
    tok.save_pretrained(str(folder))
    return str(folder)


def chat_pairs():
    # HH-style responses: each starts with the space after "Assistant:". Key spans index the text as written.
    chosen, rejected = " bake the bread first", " water the garden"
    return [{
        "index": 0, "split": "train", "source_line": 1, "prompt": "\n\nHuman: how do i cook\n\nAssistant:",
        "chosen": chosen, "rejected": rejected,
        "prompt_messages": [{"role": "user", "content": "how do i cook"}],
        "chosen_keys": [{"start": 1, "end": 5}, {"start": 10, "end": 15}, {"start": 16, "end": 21}],
        "rejected_keys": [{"start": 1, "end": 6}, {"start": 11, "end": 17}, {"start": 7, "end": 10}],
    }]


def test_assistant_message_drops_one_leading_space():
    assert assistant_message(" a b") == {"role": "assistant", "content": "a b"}
    assert assistant_message("  two") == {"role": "assistant", "content": " two"}
    assert assistant_message("none") == {"role": "assistant", "content": "none"}


def test_rows_format_the_turn_and_keep_the_text_the_spans_index(chat_model):
    tok = AutoTokenizer.from_pretrained(chat_model)
    row = to_rows(chat_pairs(), tok)[0]
    assert row["chosen"] == [{"role": "assistant", "content": "bake the bread first"}]
    assert row["rejected"] == [{"role": "assistant", "content": "water the garden"}]
    assert row["spo_chosen_text"] == " bake the bread first"
    assert [row["spo_chosen_text"][k["start"]:k["end"]] for k in row["chosen_keys"]] == ["bake", "bread", "first"]
    # Without a chat template the response stays as written (the TRL plain-text path).
    assert to_rows(chat_pairs(), None)[0]["chosen"] == " bake the bread first"


def test_variant_rows_are_formatted_as_the_pairs_own_rows(chat_model, tmp_path):
    tok = AutoTokenizer.from_pretrained(chat_model)
    train, _ = to_datasets(chat_pairs(), tok)
    args = SPOConfig(output_dir=str(tmp_path / "out"), use_cpu=True, report_to=[], save_strategy="no", disable_tqdm=True,
                     per_device_train_batch_size=1, max_length=64, spo_gamma=0.1, spo_classes=4)
    trainer = SPOTrainer(model=AutoModelForCausalLM.from_pretrained(chat_model), args=args, train_dataset=train, processing_class=tok)
    comma = tok.convert_tokens_to_ids(",")
    ex = trainer.train_dataset[0]
    trl_chosen = list(ex["chosen_ids"])
    assert trl_chosen[0] != comma, "TRL's own row has no leading space"
    # A variant of the raw response that keeps all its text is encoded exactly as TRL's row.
    variants, completion = trainer._encode_variants([(ex["prompt"], " bake the bread first", 0)], "cpu")
    ids = variants.ids
    n = int(completion[0].sum())
    start = int(completion[0].nonzero()[0])
    assert ids[0, start:start + n].tolist() == trl_chosen
    # The rule is what makes them equal: the raw text as content would start with the space's ',' token.
    _, raw = T.tokenize_completion(tok, ex["prompt"], " bake the bread first", True, tok.eos_token)
    assert raw[0] == comma
