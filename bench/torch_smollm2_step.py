#!/usr/bin/env python3
# usage: ~/.cache/spo-studio/torch-env/bin/python bench/torch_smollm2_step.py MODEL_DIR BATCH MAX_LENGTH [lora]
# One DPO step on SmolLM2-135M (policy fwd+bwd on BATCH pairs = 2·BATCH random sequences of MAX_LENGTH tokens, frozen reference fwd,
# AdamW update), float32, 2 threads: time per step and peak RSS.
import resource, sys, time, torch
from transformers import AutoModelForCausalLM
torch.set_num_threads(2); torch.manual_seed(0)
d = sys.argv[1]; B = int(sys.argv[2]); T = int(sys.argv[3]); lora = len(sys.argv) > 4
policy = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32)
ref = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32).eval()
if lora:
    from peft import LoraConfig, get_peft_model
    policy = get_peft_model(policy, LoraConfig(r=16, lora_alpha=32, target_modules=["q_proj","k_proj","v_proj","o_proj","gate_proj","up_proj","down_proj"], task_type="CAUSAL_LM"))
opt = torch.optim.AdamW([p for p in policy.parameters() if p.requires_grad], lr=1e-6)
ids = torch.randint(0, 49152, (2 * B, T))
def logp(m, ids):
    lg = m(input_ids=ids).logits[:, :-1].float()
    return torch.log_softmax(lg, -1).gather(-1, ids[:, 1:, None])[..., 0].sum(-1)
times = []
for step in range(3):
    t = time.time()
    with torch.no_grad(): r = logp(ref, ids)
    p = logp(policy, ids)
    m = 0.1 * ((p[:B] - r[:B]) - (p[B:] - r[B:]))
    loss = -torch.nn.functional.logsigmoid(m).mean()
    loss.backward(); opt.step(); opt.zero_grad()
    times.append(time.time() - t)
print(f"B={B} T={T} lora={lora} step_s={[round(x,1) for x in times]} peak_rss_GiB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/2**20:.2f}")
