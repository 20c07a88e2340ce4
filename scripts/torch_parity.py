#!/usr/bin/python3
"""Writes small random GPT-2 and Llama checkpoints (HF names, safetensors + config.json) and their
expected logits / response log-probs, computed with independent float64 PyTorch math (not
transformers), as fixtures for test/unit/model/parity.test.ts. Also writes F16/BF16 tensors for the
safetensors reader test.

Run with Debian's python (python3-torch): /usr/bin/python3 scripts/torch_parity.py
"""
import json
import math
import os
import struct

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# SPO_PARITY_OUT lets the unit test regenerate the fixtures elsewhere and compare them with the committed ones.
OUT = os.environ.get("SPO_PARITY_OUT") or os.path.join(ROOT, "test", "fixtures", "model", "parity")

DTYPE_NAMES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int32: "I32", torch.int64: "I64"}


def write_safetensors(path, tensors, metadata=None):
    """Minimal safetensors writer (sorted names, header padded to 8 bytes)."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        if t.dtype == torch.bfloat16:
            raw = t.view(torch.int16).numpy().tobytes()
        else:
            raw = t.numpy().tobytes()
        header[name] = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def rms_norm(x, w, eps):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * w


def gelu_new(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def attention(q, k, v):
    """q, k, v: [B, H, T, dh]; causal softmax attention."""
    T, dh = q.shape[2], q.shape[3]
    scores = q @ k.transpose(-1, -2) / math.sqrt(dh)
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
    scores = scores.masked_fill(mask, float("-inf"))
    return torch.softmax(scores, -1) @ v


def gpt2_forward(w, c, ids):
    B, T = ids.shape
    D, H = c["n_embd"], c["n_head"]
    dh = D // H
    eps = c["layer_norm_epsilon"]
    x = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][:T]
    heads = lambda t: t.view(B, T, H, dh).transpose(1, 2)
    for i in range(c["n_layer"]):
        p = f"transformer.h.{i}"
        h = layer_norm(x, w[f"{p}.ln_1.weight"], w[f"{p}.ln_1.bias"], eps)
        qkv = h @ w[f"{p}.attn.c_attn.weight"] + w[f"{p}.attn.c_attn.bias"]
        q, k, v = qkv.split(D, -1)
        y = attention(heads(q), heads(k), heads(v)).transpose(1, 2).reshape(B, T, D)
        x = x + y @ w[f"{p}.attn.c_proj.weight"] + w[f"{p}.attn.c_proj.bias"]
        h2 = layer_norm(x, w[f"{p}.ln_2.weight"], w[f"{p}.ln_2.bias"], eps)
        m = gelu_new(h2 @ w[f"{p}.mlp.c_fc.weight"] + w[f"{p}.mlp.c_fc.bias"])
        x = x + m @ w[f"{p}.mlp.c_proj.weight"] + w[f"{p}.mlp.c_proj.bias"]
    hidden = layer_norm(x, w["transformer.ln_f.weight"], w["transformer.ln_f.bias"], eps)
    return hidden, hidden @ w["transformer.wte.weight"].T


def rope(x, theta):
    """HF rotate-half RoPE on [B, H, T, dh]."""
    T, dh = x.shape[2], x.shape[3]
    inv = 1.0 / (theta ** (torch.arange(0, dh, 2, dtype=torch.float64) / dh))
    ang = torch.arange(T, dtype=torch.float64)[:, None] * inv[None, :]
    emb = torch.cat([ang, ang], -1)
    x1, x2 = x[..., : dh // 2], x[..., dh // 2 :]
    rot = torch.cat([-x2, x1], -1)
    return x * emb.cos() + rot * emb.sin()


def llama_forward(w, c, ids):
    B, T = ids.shape
    D, H, KV = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
    dh = D // H
    eps, theta = c["rms_norm_eps"], c["rope_theta"]
    x = w["model.embed_tokens.weight"][ids]
    split = lambda t, n: t.view(B, T, n, dh).transpose(1, 2)
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}"
        h = rms_norm(x, w[f"{p}.input_layernorm.weight"], eps)
        q = rope(split(h @ w[f"{p}.self_attn.q_proj.weight"].T, H), theta)
        k = rope(split(h @ w[f"{p}.self_attn.k_proj.weight"].T, KV), theta)
        v = split(h @ w[f"{p}.self_attn.v_proj.weight"].T, KV)
        k = k.repeat_interleave(H // KV, dim=1)
        v = v.repeat_interleave(H // KV, dim=1)
        y = attention(q, k, v).transpose(1, 2).reshape(B, T, D)
        x = x + y @ w[f"{p}.self_attn.o_proj.weight"].T
        h2 = rms_norm(x, w[f"{p}.post_attention_layernorm.weight"], eps)
        gate = h2 @ w[f"{p}.mlp.gate_proj.weight"].T
        up = h2 @ w[f"{p}.mlp.up_proj.weight"].T
        x = x + (gate * torch.sigmoid(gate) * up) @ w[f"{p}.mlp.down_proj.weight"].T
    hidden = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if c["tie_word_embeddings"] else w["lm_head.weight"]
    return hidden, hidden @ head.T


def response_logprobs(logits, ids, mask):
    lp = torch.log_softmax(logits[:, :-1], -1).gather(-1, ids[:, 1:, None])[..., 0]
    m = mask[:, 1:]
    s = (lp * m).sum(-1)
    return s, s / m.sum(-1).clamp(min=1)


def gpt2_weights(c, g):
    D, F, V, P = c["n_embd"], 4 * c["n_embd"], c["vocab_size"], c["n_positions"]
    r = lambda *shape, std=0.3: torch.randn(*shape, generator=g, dtype=torch.float64) * std
    w = {"transformer.wte.weight": r(V, D, std=0.5), "transformer.wpe.weight": r(P, D, std=0.2)}
    for i in range(c["n_layer"]):
        p = f"transformer.h.{i}"
        w.update({
            f"{p}.ln_1.weight": 1 + r(D, std=0.1), f"{p}.ln_1.bias": r(D, std=0.1),
            f"{p}.attn.c_attn.weight": r(D, 3 * D), f"{p}.attn.c_attn.bias": r(3 * D, std=0.1),
            f"{p}.attn.c_proj.weight": r(D, D), f"{p}.attn.c_proj.bias": r(D, std=0.1),
            f"{p}.ln_2.weight": 1 + r(D, std=0.1), f"{p}.ln_2.bias": r(D, std=0.1),
            f"{p}.mlp.c_fc.weight": r(D, F), f"{p}.mlp.c_fc.bias": r(F, std=0.1),
            f"{p}.mlp.c_proj.weight": r(F, D), f"{p}.mlp.c_proj.bias": r(D, std=0.1),
        })
    w["transformer.ln_f.weight"] = 1 + r(D, std=0.1)
    w["transformer.ln_f.bias"] = r(D, std=0.1)
    return w


def llama_weights(c, g):
    D, F, V = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    H, KV = c["num_attention_heads"], c["num_key_value_heads"]
    dh = D // H
    r = lambda *shape, std=0.3: torch.randn(*shape, generator=g, dtype=torch.float64) * std
    w = {"model.embed_tokens.weight": r(V, D, std=0.5)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}"
        w.update({
            f"{p}.input_layernorm.weight": 1 + r(D, std=0.1),
            f"{p}.self_attn.q_proj.weight": r(H * dh, D), f"{p}.self_attn.k_proj.weight": r(KV * dh, D),
            f"{p}.self_attn.v_proj.weight": r(KV * dh, D), f"{p}.self_attn.o_proj.weight": r(D, H * dh),
            f"{p}.post_attention_layernorm.weight": 1 + r(D, std=0.1),
            f"{p}.mlp.gate_proj.weight": r(F, D), f"{p}.mlp.up_proj.weight": r(F, D), f"{p}.mlp.down_proj.weight": r(D, F),
        })
    w["model.norm.weight"] = 1 + r(D, std=0.1)
    if not c["tie_word_embeddings"]:
        w["lm_head.weight"] = r(V, D, std=0.5)
    return w


def round_to_f32(w):
    """The checkpoint is float32: compute the reference from exactly the stored values."""
    return {k: v.float().double() for k, v in w.items()}


def write_case(name, config, weights, forward, ids, mask):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    write_safetensors(os.path.join(d, "model.safetensors"), {k: v.float() for k, v in weights.items()}, {"format": "pt"})
    with torch.no_grad():
        hidden, logits = forward(weights, config, ids)
        s, m = response_logprobs(logits, ids, mask)
    expected = {
        "ids": ids.tolist(), "responseMask": mask.tolist(),
        "logits": [round(v, 7) for v in logits.flatten().tolist()], "logitsShape": list(logits.shape),
        "hiddenLast": [round(v, 7) for v in hidden[:, -1].flatten().tolist()],
        "logpSum": s.tolist(), "logpMean": m.tolist(),
        "torch": torch.__version__,
    }
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(expected, f)


def main():
    g = torch.Generator().manual_seed(1234)
    ids = torch.tensor([[5, 17, 3, 42, 8, 63, 0, 11, 29], [7, 7, 21, 9, 50, 2, 0, 0, 0]])
    mask = torch.tensor([[0, 0, 0, 1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1, 0, 0, 0]], dtype=torch.float64)

    gpt2 = {
        "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": 64, "n_positions": 16, "n_ctx": 16,
        "n_embd": 16, "n_layer": 2, "n_head": 4, "n_inner": None, "activation_function": "gelu_new",
        "layer_norm_epsilon": 1e-5, "tie_word_embeddings": True, "bos_token_id": 0, "eos_token_id": 0,
    }
    write_case("gpt2", gpt2, round_to_f32(gpt2_weights(gpt2, g)), gpt2_forward, ids, mask)

    llama = {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 64, "hidden_size": 16,
        "intermediate_size": 40, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
        "max_position_embeddings": 16, "hidden_act": "silu", "rms_norm_eps": 1e-6, "rope_theta": 5000.0,
        "rope_scaling": None, "attention_bias": False, "tie_word_embeddings": False, "bos_token_id": 1, "eos_token_id": 2,
    }
    write_case("llama-gqa", llama, round_to_f32(llama_weights(llama, g)), llama_forward, ids, mask)

    # Half-precision tensors for the reader: the values each one decodes to, exactly.
    vals = torch.tensor([0.0, -0.0, 1.0, -2.5, 3.14159, 65504.0, 6.1e-5, 5.96e-8, 1e-3, -123.456], dtype=torch.float32)
    f16, bf16 = vals.half(), vals.bfloat16()
    write_safetensors(os.path.join(OUT, "dtypes.safetensors"), {"f16": f16.view(2, 5), "bf16": bf16.view(5, 2)}, {"note": "parity"})
    with open(os.path.join(OUT, "dtypes.json"), "w") as f:
        json.dump({"f16": f16.float().tolist(), "bf16": bf16.float().tolist()}, f)


if __name__ == "__main__":
    main()
