#!/usr/bin/python3
"""The LM (SFT) step of `spo bench train`, in PyTorch, for comparison: GPT-2 layout, vocab 2000,
context 128, d_model 128, 2 layers, 4 heads, batch 8, AdamW. Prints one JSON line with tokens/s, the thread
count, and which BLAS the matmuls ran on (with whether it is an optimized one: a comparison against the
reference BLAS would measure the BLAS, not the framework).
Run with the project's torch environment (~/.cache/spo-studio/torch-env, `npm run setup:torch`).
Usage: torch_lm_step.py [--steps N] [--threads N] [--info]"""
import argparse
import json
import math
import re
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

V, T, D, L, H, B = 2000, 128, 128, 2, 4, 8


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(D)
        self.c_attn = nn.Linear(D, 3 * D)
        self.c_proj = nn.Linear(D, D)
        self.ln_2 = nn.LayerNorm(D)
        self.c_fc = nn.Linear(D, 4 * D)
        self.mlp_proj = nn.Linear(4 * D, D)
        self.register_buffer("mask", torch.tril(torch.ones(T, T)).view(1, 1, T, T))

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(D, dim=2)
        q, k, v = (z.view(b, t, H, d // H).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(d // H)
        att = att.masked_fill(self.mask[:, :, :t, :t] == 0, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.c_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class Gpt2(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(V, D)
        self.wpe = nn.Embedding(T, D)
        self.h = nn.ModuleList(Block() for _ in range(L))
        self.ln_f = nn.LayerNorm(D)

    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
        for block in self.h:
            x = block(x)
        return self.ln_f(x) @ self.wte.weight.t()  # tied LM head


OPTIMIZED_BLAS = ("mkl", "openblas", "open", "blis", "flame", "accelerate", "armpl", "eigen")


def blas_info():
    """The BLAS torch was built with (torch.__config__.show()) and the BLAS libraries loaded now: PyPI wheels link
    MKL (x86) or OpenBLAS (arm) in; Debian's python3-torch calls libblas.so.3, whichever alternative provides it
    (the reference BLAS unless libopenblas0 or libblis4 is installed)."""
    config = torch.__config__.show()
    m = re.search(r"BLAS_INFO=([^,\s]+)", config)
    built = m.group(1).lower() if m else "unknown"
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                if re.search(r"lib(open)?blas|libmkl|libblis|libflame", path):
                    libs.add(path)
    except OSError:
        pass
    runtime = sorted(libs)
    reference = [p for p in runtime if re.search(r"/blas/libblas\.so", p)]  # Debian's netlib alternative
    optimized_runtime = [p for p in runtime if re.search(r"openblas|mkl|blis|flame", p)]
    if built in ("mkl",) and not reference:
        optimized, why = True, "MKL linked into torch"
    elif optimized_runtime:
        optimized, why = True, "loaded " + ", ".join(optimized_runtime)
    elif reference:
        optimized, why = False, "the reference (netlib) BLAS " + reference[0] + " is what torch calls; install an optimized one (apt install libopenblas0-pthread) or use the PyPI wheel (npm run setup:torch)"
    elif built in OPTIMIZED_BLAS:
        optimized, why = True, "built with " + built
    else:
        optimized, why = False, "no optimized BLAS found (built with " + built + ", none loaded)"
    kernels = [k for k in ("Math Kernel Library", "MKL-DNN", "OpenBLAS", "NNPACK") if k in config]
    return {"blas_built": built, "blas_loaded": runtime, "blas_optimized": optimized, "blas_reason": why,
            "cpu_kernels": kernels, "mkldnn": bool(torch.backends.mkldnn.is_available())}


def matmul_gflops():
    n = 512
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - t0)
    times.sort()
    return 2 * n ** 3 / times[len(times) // 2] / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's default)")
    ap.add_argument("--info", action="store_true", help="only the torch version, threads and BLAS (one JSON line)")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    if args.info:
        torch.randn(64, 64) @ torch.randn(64, 64)  # loads the BLAS, for blas_info()
        print(json.dumps({"torch_version": torch.__version__, "threads": torch.get_num_threads(), **blas_info()}))
        return
    torch.manual_seed(0)
    gflops = matmul_gflops()  # also loads the BLAS, for blas_info()
    model = Gpt2()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.0)
    ids = torch.randint(0, V, (B, T))
    times, cpu_times = [], []
    for step in range(args.steps + 1):
        t0 = time.perf_counter()
        c0 = time.process_time()
        logits = model(ids)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, V), ids[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step > 0:  # the first step warms up allocators
            times.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - c0)
    times.sort()
    cpu_times.sort()
    median = times[len(times) // 2]
    cpu_median = cpu_times[len(cpu_times) // 2]
    print(json.dumps({
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "lm_tokens_per_s": round(B * T / median, 1),
        "lm_cpu_tokens_per_s": round(B * T / cpu_median, 1),
        "step_ms": round(median * 1000, 1),
        "step_cpu_ms": round(cpu_median * 1000, 1),
        "matmul_gflops": round(gflops, 1),
        **blas_info(),
    }))


if __name__ == "__main__":
    main()
