#!/usr/bin/env bash
# The ~1B bf16 GPU bench: DPO then DPO+SPO through the torch engine, a few hundred steps each, one JSON
# line of figures per mode (tokens/s, peak memory, MFU) in $OUT (or bench/gpu/results/).
#
# On the device machine (no trl there; it travels as a wheel), from the repo root here, once:
#   echo /.whl/ >> .git/info/exclude
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#     --platform manylinux2014_x86_64 -d .whl trl==1.16.0
# then: run(command="bash bench/gpu/run_1b.sh", carry=[".whl"], timeout_s=540)
# CPU smoke test of the same path:  SPO_BENCH_TINY=1 bash bench/gpu/run_1b.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-python3}
if [ -d .whl ] && ls .whl/*.whl >/dev/null 2>&1; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
OUTDIR=${OUT:-bench/gpu/results}
mkdir -p "$OUTDIR"
STEPS=${STEPS:-300}
EXTRA=()
if [ -n "${SPO_BENCH_TINY:-}" ]; then STEPS=${STEPS_TINY:-4}; EXTRA=(--tiny --batch 2); fi
export PYTHONUNBUFFERED=1
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$OUTDIR/gpu.txt"
for mode in dpo spo; do
  $PY bench/gpu/train_1b.py --mode "$mode" --steps "$STEPS" --out "$OUTDIR/$mode.json" "${EXTRA[@]}" 2> "$OUTDIR/$mode.log" \
    || { tail -30 "$OUTDIR/$mode.log"; exit 1; }
done
cat "$OUTDIR"/dpo.json "$OUTDIR"/spo.json
