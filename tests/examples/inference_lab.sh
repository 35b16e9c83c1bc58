#!/usr/bin/env bash
# inference_lab end to end on a tiny model (every method, small budgets): the table,
# inference.jsonl (one JSON object per line, every method present) and posterior.png
# (a PNG); then its refusals: exit status 2, one line naming the flag, --out untouched.
# Usage: inference_lab.sh BUILD_DIR
set -uo pipefail
bin=$1/examples
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$bin/train_vae" --epochs 1 --hidden 32 --latent 2 --out "$work/vae" > /dev/null || fail "train_vae"
"$bin/train_vae" --epochs 1 --hidden 32 --latent 3 --out "$work/vae3" > /dev/null || fail "train_vae (Z = 3)"
"$bin/train_cvae" --epochs 1 --hidden 16 --latent 2 --out "$work/cvae" > /dev/null || fail "train_cvae"
small=(--images 2 --k-max 100 --vi-steps 20 --ais-steps 20 --ais-chains 4 --hmc-samples 20 --mh-samples 50
       --gibbs-sweeps 4)

out="$work/lab folder with 'quotes' and spaces"
"$bin/inference_lab" --checkpoint "$work/vae/checkpoint.aevb" "${small[@]}" --out "$out" > "$work/lab.log" ||
  fail "inference_lab exited $?: $(tail -3 "$work/lab.log")"
for name in table.txt inference.jsonl posterior.png posterior.gnuplot; do
  [ -s "$out/$name" ] || fail "no $name"
done
[ "$(head -c 8 "$out/posterior.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "posterior.png is not a PNG"
/usr/bin/python3 - "$out/inference.jsonl" <<'PY' || fail "inference.jsonl"
import json, sys
lines = [json.loads(line) for line in open(sys.argv[1])]
methods = {line["method"] for line in lines if "method" in line}
expected = {"exact (quadrature)", "encoder ELBO (IWAE, K = 1)", "IWAE, K = 10", "IWAE, K = 100",
            "per-datapoint VI, from the encoder", "per-datapoint VI, from N(0, I)", "AIS, 20 steps x 4 chains",
            "Appendix D estimator (HMC + fitted Gaussian)"}
assert expected <= methods, expected - methods
samplers = {line["sampler"] for line in lines if "sampler" in line}
assert samplers == {"HMC", "MH", "Gibbs"}, samplers
assert any("amortization_gap" in line for line in lines)
for line in lines:
    if "per_image" in line:
        assert len(line["per_image"]) == 2, line
PY
grep -q "amortization gap" "$out/table.txt" || fail "table.txt has no gaps"

# Z = 3: no quadrature, no picture; AIS is the approximation gap's reference.
"$bin/inference_lab" --checkpoint "$work/vae3/checkpoint.aevb" "${small[@]}" --out "$work/lab3" > /dev/null ||
  fail "inference_lab (Z = 3)"
[ -e "$work/lab3/posterior.png" ] && fail "posterior.png for Z = 3"
grep -q "approximation gap  AIS" "$work/lab3/table.txt" || fail "Z = 3: the gap's reference is not AIS"

# Refusals: one line, status 2, and an existing --out byte for byte as it was.
mkdir "$work/kept" && echo "keep me" > "$work/kept/table.txt"
mkdir "$work/dir.aevb" && mkfifo "$work/fifo.aevb" && head -c 100 "$work/vae/checkpoint.aevb" > "$work/truncated.aevb"
refuses() {  # expected-text args...
  local expected=$1; shift
  local stderr status lines
  stderr=$("$bin/inference_lab" --out "$work/kept" "$@" 2>&1 >/dev/null)
  status=$?
  lines=$(printf '%s\n' "$stderr" | grep -c .)
  if [ "$status" -ne 2 ] || [ "$lines" -ne 1 ] || [[ "$stderr" != *"$expected"* ]] ||
     [ "$(ls "$work/kept")" != "table.txt" ] || [ "$(cat "$work/kept/table.txt")" != "keep me" ]; then
    fail "inference_lab $* -> status $status, $lines line(s): $stderr"
  else
    echo "ok: inference_lab $* -> $stderr"
  fi
}
ok=$work/vae/checkpoint.aevb
refuses "--checkpoint" --images 2
refuses "--checkpoint: checkpoint '$work/none.aevb'" --checkpoint "$work/none.aevb"
refuses "is a folder" --checkpoint "$work/dir.aevb"
refuses "named pipe" --checkpoint "$work/fifo.aevb"
refuses "truncated" --checkpoint "$work/truncated.aevb"
refuses "holds a cvae, not a VAE" --checkpoint "$work/cvae/checkpoint.aevb"
refuses "--data" --checkpoint "$ok" --data cifar
refuses "--images" --checkpoint "$ok" --images 0
refuses "--images" --checkpoint "$ok" --images nan
refuses "--k-max" --checkpoint "$ok" --k-max 9
refuses "--seed" --checkpoint "$ok" --seed -1
refuses "--split" --checkpoint "$ok" --split valid
refuses "--ais-steps" --checkpoint "$ok" --ais-steps inf
refuses "--threads" --checkpoint "$ok" --threads 0
echo x > "$work/plain-file"
stderr=$("$bin/inference_lab" --checkpoint "$ok" --out "$work/plain-file" 2>&1 >/dev/null)
[ $? -eq 2 ] && [[ "$stderr" == *"--out"* ]] || fail "--out a file: $stderr"
exit $((failures > 0))
