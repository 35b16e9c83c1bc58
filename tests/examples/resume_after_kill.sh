#!/usr/bin/env bash
# A train_vae run killed (SIGKILL) at random moments and resumed each time from the
# checkpoint on disk ends with exactly the metrics of a run never interrupted, at the
# same thread count. Kill moments are drawn over the length of one whole run, so some
# land before the first checkpoint (the run starts again), some inside an epoch and some
# while a checkpoint, metrics.jsonl or a picture is being written.
# Usage: resume_after_kill.sh BUILD_DIR [KILLS [EPOCHS [HIDDEN [EVAL_K]]]] (a sanitized
# build, many times slower, runs a smaller model)
set -uo pipefail
train_vae=$1/examples/train_vae
kills=${2:-6}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
RANDOM=20261124  # the same kill moments on every run of the test
flags=(--data mnist-subset --epochs "${3:-5}" --hidden "${4:-64}" --latent 4 --binarize dynamic
       --eval-k "${5:-20}" --seed 11 --threads 2)

start_ns=$(date +%s%N)
if ! "$train_vae" "${flags[@]}" --out "$work/straight" >"$work/straight.log" 2>&1; then
  echo "FAIL: the uninterrupted run failed:"; cat "$work/straight.log"; exit 1
fi
run_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
echo "uninterrupted run: ${run_ms} ms"

# Rounds of: start, kill at a random moment, resume from what is on disk, ... until an
# attempt ends by itself; then compare. Another round follows (in a fresh folder) until
# enough kills have landed, as a late kill moment can miss a short resumed attempt.
# Each metrics line without its timings (JSON read as JSON: key order and numbers kept).
strip_timings() {
  /usr/bin/python3 -c 'import json, sys
for line in open(sys.argv[1]):
    record = json.loads(line, object_pairs_hook=dict)
    record.pop("seconds", None); record.pop("images_per_second", None)
    print(json.dumps(record))' "$1"
}
total_kills=0
for round in 1 2 3 4 5; do
  [ "$total_kills" -ge "$kills" ] && break
  killed_run=$work/killed-$round
  checkpoint=$killed_run/checkpoint.aevb
  attempt=0
  while :; do
    resume=()
    [ -f "$checkpoint" ] && resume=(--resume "$checkpoint")
    attempt_start_ns=$(date +%s%N)
    "$train_vae" "${flags[@]}" --out "$killed_run" "${resume[@]}" >"$work/attempt.log" 2>&1 &
    child=$!
    wait_ms=$(( RANDOM % (run_ms + 1) ))
    if [ "$attempt" -lt 10 ]; then
      sleep "$(printf '%d.%03d' $((wait_ms / 1000)) $((wait_ms % 1000)))"
      kill -KILL "$child" 2>/dev/null && killed=yes || killed=no
    else
      # Ten kills in this round (a loaded machine runs slower than the first run did):
      # the next attempt runs to its end, so that every round ends.
      wait_ms=never
      killed=no
    fi
    wait "$child" 2>/dev/null  # without the shell's "Killed" line
    status=$?
    attempt=$((attempt + 1))
    echo "round $round, attempt $attempt: ${resume[*]:-fresh start}; SIGKILL at ${wait_ms} ms: $killed; exit status $status"
    if [ "$status" -eq 0 ]; then
      # A whole run that outran its kill tells how long a run takes now (the first one
      # may have shared the cores with other tests): draw later kill moments from it.
      [ ${#resume[@]} -eq 0 ] && run_ms=$(( ($(date +%s%N) - attempt_start_ns) / 1000000 ))
      break
    fi
    if [ "$killed" = no ] || [ "$status" -ne 137 ]; then
      echo "FAIL: the attempt ended with status $status without being killed:"; cat "$work/attempt.log"; exit 1
    fi
    total_kills=$((total_kills + 1))
    [ "$attempt" -ge 30 ] && { echo "FAIL: no attempt finished in 30"; exit 1; }
  done

  # Every number agrees; only the timings differ.
  if ! diff <(strip_timings "$work/straight/metrics.jsonl") <(strip_timings "$killed_run/metrics.jsonl"); then
    echo "FAIL: metrics.jsonl differs between the uninterrupted and the killed-and-resumed runs"; exit 1
  fi
  for file in checkpoint.aevb reconstructions.png samples.png latent.png; do
    if ! cmp -s "$work/straight/$file" "$killed_run/$file"; then echo "FAIL: $file differs"; exit 1; fi
  done
done
if [ "$total_kills" -lt 1 ]; then echo "FAIL: no kill landed"; exit 1; fi
echo "ok: killed $total_kills times over $((round - 1)) rounds, resumed each time, and ended with the uninterrupted run's metrics, checkpoint and pictures"
