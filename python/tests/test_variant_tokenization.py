"""Variant rows are tokenized in one batch per step (trl_internals.tokenize_completions), with the prompts' ids
cached across steps; the ids must be those of TRL's one-pair-at-a-time rule (tokenize_completion), for plain text
and chat data, with a word-level tokenizer and with a byte-level BPE one whose merges cross word boundaries."""

import pytest
from tokenizers import Tokenizer, models, pre_tokenizers, trainers, decoders
from transformers import AutoTokenizer, PreTrainedTokenizerFast

from spo_torch import trl_internals as T

TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}</s>{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
TEXTS = [
    "how do i cook rice", " bake the bread first", "water the garden at dawn", "the bread, then the rice",
    "Human: what is a cat?", " A cat is a small animal.", "no", "",
]


@pytest.fixture(scope="module")
def bpe_tokenizer():
    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=["</s>", "<|user|>", "<|assistant|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(TEXTS * 20, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="</s>", pad_token="</s>")
    fast.chat_template = TEMPLATE
    return fast


def items():
    plain = [("Human: how do i cook\n\nAssistant:", c, False) for c in (" bake the bread first", " water the garden", "")]
    plain.append(("the bread", ", then the rice", False))  # a merge across the prompt/response boundary
    plain.append(("Human: how do i cook\n\nAssistant:", " no</s>", False))  # already ends with EOS
    chat = [([{"role": "user", "content": "how do i cook"}], c, True) for c in ("bake the bread first", "water")]
    chat.append(([{"role": "user", "content": "what is a cat?"}, {"role": "assistant", "content": "A cat"},
                  {"role": "user", "content": "and?"}], "A small animal.", True))
    return plain + chat


@pytest.mark.parametrize("which", ["word-level", "byte-level BPE"])
def test_batched_variant_ids_equal_one_pair_at_a_time(which, tiny_model, bpe_tokenizer):
    tok = bpe_tokenizer if which == "byte-level BPE" else AutoTokenizer.from_pretrained(tiny_model)
    if tok.chat_template is None:
        tok.chat_template = TEMPLATE
    want = [T.tokenize_completion(tok, p, c, conv, tok.eos_token) for p, c, conv in items()]
    assert any(c for _, c in want) and len({tuple(p) for p, _ in want}) >= 3
    cache = {}
    assert T.tokenize_completions(tok, items(), tok.eos_token, cache) == want
    assert len(cache) == 4  # one entry per distinct prompt: two plain, two chat
    # The second step reads the prompts from the cache, and still gets the same ids.
    assert T.tokenize_completions(tok, list(reversed(items())), tok.eos_token, cache) == list(reversed(want))
