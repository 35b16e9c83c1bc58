#!/usr/bin/env bash
# Each bad invocation of a training program gives exit status 2 and one line of error
# that names the flag, and creates nothing in --out.
# Usage: cli_refusals.sh BUILD_DIR
set -uo pipefail
bin=$1/examples
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

refuses() {  # expected-text program args...
  local expected=$1 program=$2; shift 2
  local out="$work/out-$RANDOM"
  local stderr
  # --out first, so that a flag missing its value is the last word.
  stderr=$("$program" --out "$out" "$@" 2>&1 >/dev/null)
  local status=$?
  local lines
  lines=$(printf '%s\n' "$stderr" | grep -c .)
  if [ "$status" -ne 2 ] || [ "$lines" -ne 1 ] || [[ "$stderr" != *"$expected"* ]] || [ -e "$out" ]; then
    echo "FAIL: $(basename "$program") $* -> status $status, $lines line(s), out exists: $([ -e "$out" ] && echo yes || echo no): $stderr"
    failures=$((failures + 1))
  else
    echo "ok: $(basename "$program") $* -> $stderr"
  fi
}

refuses "--epochs" "$bin/train_vae" --epochs 0
refuses "--latent" "$bin/train_vae" --latent 0
refuses "--bogus" "$bin/train_vae" --bogus
refuses "--epochs" "$bin/train_vae" --epochs
refuses "--likelihood" "$bin/train_vae" --likelihood poisson
refuses "--posterior" "$bin/train_vae" --posterior student
refuses "--architecture" "$bin/train_vae" --architecture resnet
refuses "--architecture conv: 3 convolutions of stride 2 halve each side 3 times: the images' 28x28 must divide by 8" "$bin/train_vae" --architecture conv --hidden 8,16,32
refuses "--architecture conv: 3 convolutions" "$bin/train_ae" --architecture conv --hidden 8,16,32
refuses "--architecture conv: 3 convolutions" "$bin/train_cvae" --architecture conv --hidden 8,16,32
refuses "--data: unknown data set 'cifar'" "$bin/train_vae" --data cifar
refuses "--data: data set 'frey:/no/such.mat'" "$bin/train_vae" --data frey:/no/such.mat
refuses "--resume" "$bin/train_vae" --resume /no/such/checkpoint.aevb
refuses "--digit" "$bin/train_cvae" --digit 12
refuses "--judge" "$bin/train_cvae" --judge /no/such/classifier.aevb
refuses "--denoise" "$bin/train_ae" --denoise blur
refuses "--noise" "$bin/train_ae" --noise 3
# The studio: its own flags, a port already taken, a run it cannot open.
refuses "--port" "$bin/aevb-studio" --port 70000
refuses "--model" "$bin/aevb-studio" --model gan
refuses "--host" "$bin/aevb-studio" --host "a b"
refuses "--snapshot-ms" "$bin/aevb-studio" --snapshot-ms 0
refuses "--lr" "$bin/aevb-studio" --lr nan
refuses "--open" "$bin/aevb-studio" --open /no/such/run
refuses "--epochs: shapes a new run; --open explores" "$bin/aevb-studio" --open /no/such/run --epochs 3
refuses "--host" "$bin/aevb-studio" --host 203.0.113.7 --port 0
taken_port_file="$work/taken-port"
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
open(sys.argv[1], "w").write(str(s.getsockname()[1])); time.sleep(60)' "$taken_port_file" &
listener=$!
for _ in $(seq 50); do [ -s "$taken_port_file" ] && break; sleep 0.1; done
refuses "--port" "$bin/aevb-studio" --port "$(cat "$taken_port_file")"
kill "$listener"
"$bin/train_classifier" --epochs 1 --hidden 8 --out "$work/classifier-run" >/dev/null
cp "$work/classifier-run/classifier.aevb" "$work/classifier-run/checkpoint.aevb"  # a model of another kind
refuses "--open: '$work/classifier-run/checkpoint.aevb'" "$bin/aevb-studio" --open "$work/classifier-run"
"$bin/train_ae" --epochs 1 --hidden 8 --latent 2 --out "$work/ae-run" >/dev/null
refuses "--open: '$work/ae-run/checkpoint.aevb' was trained on" "$bin/aevb-studio" --open "$work/ae-run" \
  --data fashion-mnist
refuses "--data: unknown data set 'cifar'" "$bin/train_classifier" --data cifar
refuses "--epochs" "$bin/train_classifier" --epochs 0
refuses "--count" "$bin/aevb-data" show mnist-subset --count 0
refuses "--budget" "$bin/reproduce_figure2" --budget 0
refuses "--latent" "$bin/reproduce_figure2" --latent 3,,5
refuses "--eval-images" "$bin/reproduce_figure2" --eval-images 5000
refuses "--data: unknown data set 'cifar'" "$bin/reproduce_figure2" --data cifar
refuses "--latent" "$bin/reproduce_figure3" --latent 6
refuses "--small-train" "$bin/reproduce_figure3" --small-train 9000
refuses "--hmc-samples" "$bin/reproduce_figure3" --hmc-samples nan
refuses "--seed" "$bin/reproduce_figure3" --seed -3
exit $((failures > 0))
