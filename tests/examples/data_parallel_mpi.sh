#!/usr/bin/env bash
# Data-parallel training under mpirun (models/data_parallel.h): a run depends on the
# number of shards S, never on the number of processes P.
#   - train_vae, train_cvae, train_ae (and the convolutional VAE): S shards on one
#     process (no mpirun), and on 1, 2 and 3 processes (--oversubscribe on a machine
#     with fewer cores), write the same checkpoint bytes, the same pictures and the same
#     metrics but for their timings; S = 4 on 3 processes (shards unevenly held) too;
#   - --resume under mpirun reaches the uninterrupted run's checkpoint;
#   - processes that disagree (flags) are refused at start, exit 2, --out untouched;
#   - a process killed mid-epoch ends the job within seconds with a message naming its
#     rank, and the last checkpoint stays whole: resumed, it reaches the same end.
# Usage: data_parallel_mpi.sh BUILD_DIR [no-mpi|sanitized]
# A sanitized build, many times slower (660 s under ASan with every check), runs what
# moves memory differently: each program on 2 processes, shards unevenly held, resume,
# the refusal and the kill. The numerical checks (SGD's sum, 1 shard against 3, the
# default --shards, the convolutional run) are the release build's alone.
set -uo pipefail
build=$1
process_counts="1 2 3" kill_hidden=200 full=1
[ "${2:-}" = sanitized ] && process_counts="2" kill_hidden=64 full=0
if [ "${2:-}" = no-mpi ]; then
  echo "skipped: aevb was configured without MPI (-Dmpi=disabled, or Open MPI's libopenmpi-dev not found)"
  exit 77
fi
examples=$build/examples
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Open MPI refuses root unless told; a container's user is often root.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpi=(mpirun --oversubscribe --bind-to none)
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# A metrics file without its timings, as JSON (key order and numbers kept).
strip_timings() {
  /usr/bin/python3 -c 'import json, sys
for line in open(sys.argv[1]):
    record = json.loads(line, object_pairs_hook=dict)
    for key in ("seconds", "images_per_second", "gradient_sum_seconds"): record.pop(key, None)
    print(json.dumps(record))' "$1"
}
# Two run folders hold the same checkpoint, pictures and metrics (timings aside).
same_run() {
  local a=$1 b=$2 what=$3
  cmp -s "$a/checkpoint.aevb" "$b/checkpoint.aevb" || { fail "$what: checkpoints differ"; return; }
  for png in "$a"/*.png; do
    case "$(basename "$png")" in curves.png|layers.png) continue ;; esac  # they plot the timings
    cmp -s "$png" "$b/$(basename "$png")" || { fail "$what: $(basename "$png") differs"; return; }
  done
  diff <(strip_timings "$a/metrics.jsonl") <(strip_timings "$b/metrics.jsonl") >/dev/null ||
    { fail "$what: metrics differ"; return; }
  echo "ok: $what"
}
run() {  # run LOG command...: fails the test when the command fails
  local log=$1; shift
  "$@" >"$log" 2>&1 || { fail "'$*' exited $?:"; tail -5 "$log"; return 1; }
}

common=(--data mnist-subset --epochs 2 --latent 4 --seed 5 --threads 1)
check_program() {  # check_program NAME "PROCESS COUNTS" PROGRAM FLAGS...
  local name=$1 counts=$2 program=$3; shift 3
  run "$work/$name-local.log" "$examples/$program" "${common[@]}" "$@" --shards 3 --out "$work/$name-local" || return
  for p in $counts; do
    run "$work/$name-p$p.log" "${mpi[@]}" -np "$p" "$examples/$program" "${common[@]}" "$@" --shards 3 \
      --out "$work/$name-p$p" || continue
    same_run "$work/$name-local" "$work/$name-p$p" "$name, 3 shards: 1 process without mpirun = $p under mpirun"
  done
}
check_program vae "$process_counts" train_vae --hidden 64
check_program cvae "$process_counts" train_cvae --hidden 64
check_program ae "$process_counts" train_ae --hidden 64 --denoise mask --noise 0.3

# Shards are a cut of the batch, not a change of model: the shards' weighted gradients
# add up to the batch's (plain SGD, where a wrong weight would change the step; Adam
# would hide it), so the deterministic autoencoder ends where the one-shard run ends, to
# rounding. And S is felt: the VAE's shards draw other noise, so its bits differ.
if [ "$full" = 1 ]; then
sgd=(--data mnist-subset --epochs 2 --latent 4 --seed 5 --threads 1 --hidden 64 --optimizer sgd --lr 0.001)
run "$work/sgd1.log" "$examples/train_ae" "${sgd[@]}" --out "$work/sgd1" &&
  run "$work/sgd3.log" "$examples/train_ae" "${sgd[@]}" --shards 3 --out "$work/sgd3" &&
  if /usr/bin/python3 -c 'import json, sys
a, b = (json.loads(open(f).readlines()[-1])["test_recon"] for f in sys.argv[1:])
sys.exit(0 if abs(a - b) <= 1e-4 * abs(a) else 1)' "$work/sgd1/metrics.jsonl" "$work/sgd3/metrics.jsonl"; then
    echo "ok: 3 shards of SGD end where 1 does (test recon within 1e-4)"
  else fail "3 shards of SGD: test recon $(tail -1 "$work/sgd3/metrics.jsonl") against $(tail -1 "$work/sgd1/metrics.jsonl")"; fi
run "$work/vae-s1.log" "$examples/train_vae" "${common[@]}" --hidden 64 --out "$work/vae-s1" &&
  if cmp -s "$work/vae-s1/checkpoint.aevb" "$work/vae-local/checkpoint.aevb"; then
    fail "1 shard and 3 shards wrote the same checkpoint: the shards changed nothing"
  else echo "ok: 3 shards are not 1 shard (the checkpoints differ)"; fi
fi

# Shards unevenly held (4 on 3 processes: 1, 1, 2), and --shards by default one per process.
run "$work/vae4-local.log" "$examples/train_vae" "${common[@]}" --hidden 64 --shards 4 --out "$work/vae4-local" &&
  run "$work/vae4-p3.log" "${mpi[@]}" -np 3 "$examples/train_vae" "${common[@]}" --hidden 64 --shards 4 \
    --out "$work/vae4-p3" &&
  same_run "$work/vae4-local" "$work/vae4-p3" "vae, 4 shards on 3 processes"
if [ "$full" = 1 ]; then
run "$work/vae2-default.log" "${mpi[@]}" -np 2 "$examples/train_vae" "${common[@]}" --hidden 64 \
  --out "$work/vae2-default" &&
  run "$work/vae2-local.log" "$examples/train_vae" "${common[@]}" --hidden 64 --shards 2 --out "$work/vae2-local" &&
  same_run "$work/vae2-local" "$work/vae2-default" "vae: --shards defaults to the number of processes"

# The convolutional VAE, 2 shards on 2 processes (one epoch on a fifth of the data).
conv=(--data mnist-subset --epochs 1 --architecture conv --hidden 8,16 --latent 4 --seed 5 --threads 1 --batch 256)
run "$work/conv-local.log" "$examples/train_vae" "${conv[@]}" --shards 2 --out "$work/conv-local" &&
  run "$work/conv-p2.log" "${mpi[@]}" -np 2 "$examples/train_vae" "${conv[@]}" --shards 2 --out "$work/conv-p2" &&
  same_run "$work/conv-local" "$work/conv-p2" "convolutional vae, 2 shards: 1 process = 2 processes"
fi

# Resume under mpirun: one epoch on 2 processes, then the second on 3, is the straight run.
one=(--data mnist-subset --latent 4 --seed 5 --threads 1 --hidden 64 --shards 3)
run "$work/resume1.log" "${mpi[@]}" -np 2 "$examples/train_vae" "${one[@]}" --epochs 1 --out "$work/resumed" &&
  run "$work/resume2.log" "${mpi[@]}" -np 3 "$examples/train_vae" "${one[@]}" --epochs 2 --out "$work/resumed" \
    --resume "$work/resumed/checkpoint.aevb" &&
  same_run "$work/vae-local" "$work/resumed" "vae: resumed under mpirun (2 then 3 processes) = never stopped"

# Processes that disagree are refused at start, naming what differs; nothing is written.
"${mpi[@]}" -np 1 "$examples/train_vae" "${common[@]}" --hidden 64 --out "$work/disagree" : \
  -np 1 "$examples/train_vae" "${common[@]}" --hidden 32 --out "$work/disagree" >"$work/disagree.log" 2>&1
status=$?
if [ "$status" -ne 2 ]; then fail "disagreeing processes: exit $status, expected 2"; cat "$work/disagree.log"
elif ! grep -q "^mpirun: the processes disagree: process 1 has --hidden 32, process 0 has 64" "$work/disagree.log"; then
  fail "disagreeing processes: the message does not name --hidden:"; cat "$work/disagree.log"
elif [ -e "$work/disagree" ]; then fail "disagreeing processes: --out was created"
else echo "ok: disagreeing processes refused (exit 2, --hidden named, nothing written)"; fi

# A process killed mid-epoch: the job ends within seconds naming the rank; the last
# checkpoint is whole, and resuming it reaches the uninterrupted run's end.
kill_flags=(--data mnist-subset --latent 4 --seed 5 --threads 1 --hidden "$kill_hidden" --shards 2 --epochs 4)
run "$work/straight.log" "$examples/train_vae" "${kill_flags[@]}" --out "$work/straight"
"${mpi[@]}" -np 2 "$examples/train_vae" "${kill_flags[@]}" --out "$work/killed" >"$work/killed.log" 2>&1 &
job=$!
for _ in $(seq 6000); do [ -f "$work/killed/checkpoint.aevb" ] && break; sleep 0.05; done  # up to 5 minutes
sleep 0.3  # into epoch 2
victim=""
for pid in $(pgrep -f -- "--out $work/killed"); do
  if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1"; then victim=$pid; fi
done
if [ -z "$victim" ]; then
  fail "kill: rank 1 was not found running"; wait "$job"
else
  kill -9 "$victim"
  killed_at=$(date +%s%N)
  wait "$job"
  status=$?
  ended_ms=$(( ($(date +%s%N) - killed_at) / 1000000 ))
  if [ "$status" -eq 0 ]; then fail "kill: the job exited 0 after rank 1 was killed"
  elif [ "$ended_ms" -gt 20000 ]; then fail "kill: the job took ${ended_ms} ms to end"
  elif ! grep -q "process rank 1 .*exited on signal 9" "$work/killed.log"; then
    fail "kill: no message names rank 1:"; cat "$work/killed.log"
  else
    echo "ok: rank 1 killed: the job ended ${ended_ms} ms later (exit $status), naming rank 1"
    run "$work/killed-resume.log" "${mpi[@]}" -np 2 "$examples/train_vae" "${kill_flags[@]}" --out "$work/killed" \
      --resume "$work/killed/checkpoint.aevb" &&
      same_run "$work/straight" "$work/killed" "kill: the checkpoint left was whole, and resumed reached the same end"
  fi
fi

if [ "$failures" -gt 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "all data-parallel checks passed"
