#!/usr/bin/env bash
# Ctrl-C while the studio trains stops it between two steps: the program says which
# epoch the checkpoint holds, and train_vae resumes from that checkpoint, whole.
# Usage: studio_interrupt.sh BUILD_DIR
set -euo pipefail
bin=$1/examples
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
flags=(--data mnist-subset --hidden 32 --latent 2 --batch 256)
"$bin/aevb-studio" "${flags[@]}" --epochs 100000 --port 0 --out "$work/run" >"$work/studio.log" 2>&1 &
studio=$!
for _ in $(seq 1200); do
  [ -f "$work/run/metrics.jsonl" ] && [ "$(grep -c epoch "$work/run/metrics.jsonl")" -ge 2 ] && break
  sleep 0.1
done
kill -INT "$studio"
status=0
wait "$studio" || status=$?
cat "$work/studio.log" | grep -v "^epoch" || true
[ "$status" -eq 0 ] || { echo "FAIL: aevb-studio exited $status after Ctrl-C"; exit 1; }
epoch=$(grep -o "checkpoint.aevb holds epoch [0-9]*" "$work/studio.log" | grep -o "[0-9]*$") ||
  { echo "FAIL: no stop line naming the checkpoint's epoch"; exit 1; }
# The checkpoint is whole: the same run resumes from it and trains one more epoch.
"$bin/train_vae" "${flags[@]}" --epochs $((epoch + 1)) --resume "$work/run/checkpoint.aevb" --out "$work/run" \
  >"$work/resume.log" 2>&1 || { echo "FAIL: resuming the checkpoint"; cat "$work/resume.log"; exit 1; }
grep -q "resumed from .* after epoch $epoch" "$work/resume.log" || { echo "FAIL:"; cat "$work/resume.log"; exit 1; }
echo "ok: Ctrl-C left epoch $epoch's checkpoint whole; train_vae resumed it"

# --open explores what each training program wrote: the VAE run above, and an autoencoder's.
"$bin/train_ae" --data mnist-subset --hidden 16 --latent 2 --epochs 1 --out "$work/ae" >/dev/null
for run in "$work/run" "$work/ae"; do
  "$bin/aevb-studio" --open "$run" --port 0 >"$work/open.log" 2>&1 &
  opened=$!
  for _ in $(seq 300); do grep -q "aevb studio: open" "$work/open.log" && break; sleep 0.1; done
  address=$(grep -o "http://[^?]*" "$work/open.log" | head -1)
  /usr/bin/python3 -c '
import json, sys, urllib.request
base = sys.argv[1]
run = json.load(urllib.request.urlopen(base + "api/run"))
image = json.load(urllib.request.urlopen(base + "api/decode?z=0.5,-0.5"))["image"]
assert run["phase"] == "exploring" and len(run["epochs"]) >= 1, run
assert len(image["pixels"]) == 784
print("ok: --open", run["description"]["model"], "run:", len(run["epochs"]), "epochs, decodes")' "$address" ||
    { echo "FAIL: --open $run"; cat "$work/open.log"; exit 1; }
  kill -INT "$opened"
  wait "$opened" || { echo "FAIL: aevb-studio --open $run did not end cleanly on Ctrl-C"; exit 1; }
done
