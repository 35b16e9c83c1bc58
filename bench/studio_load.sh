#!/usr/bin/env bash
# The studio under load, and what one open page costs training (the README's figures):
#  1. training throughput (images/s, mean over epochs 2..) of aevb-studio with no client,
#     and of the same run with one page's requests (its event stream, pictures, latent
#     plane), three of each, alternated;
#  2. 200 concurrent clients for 20 s, half decoding points, half asking for the tape of
#     a step, while the model trains: requests, errors, latency percentiles.
# Usage: bench/studio_load.sh [BUILD_DIR] [EPOCHS] [CLIENTS] [SECONDS]
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
epochs=${2:-60}
clients=${3:-200}
seconds=${4:-20}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

start_studio() {  # start_studio NAME FLAGS...: sets port
  local name=$1
  shift
  "$build/examples/aevb-studio" --data mnist-subset --port 0 --out "$work/$name" "$@" >"$work/$name.log" 2>&1 &
  studio_pid=$!
  for _ in $(seq 300); do
    grep -q "aevb studio: open" "$work/$name.log" && break
    sleep 0.1
  done
  port=$(grep -o "127.0.0.1:[0-9]*" "$work/$name.log" | head -1 | cut -d: -f2)
}

throughput() {  # mean images/s over epochs 2.. of a run's metrics.jsonl
  /usr/bin/python3 -c '
import json, sys
rates = [json.loads(l)["images_per_second"] for l in open(sys.argv[1]) if "images_per_second" in l]
print("%.0f" % (sum(rates[1:]) / len(rates[1:])))' "$1"
}

# Three runs of each, alternated (a shared machine drifts): the medians are compared.
alone=() with_page=()
for round in 1 2 3; do
  start_studio "alone$round" --epochs "$epochs" --exit-when-done
  wait "$studio_pid"
  alone+=("$(throughput "$work/alone$round/metrics.jsonl")")
  start_studio "page$round" --epochs "$epochs" --exit-when-done
  "$build/bench/studio_load" --port "$port" --page --seconds 600 >"$work/page-load$round.log" 2>&1 &
  page_client=$!
  wait "$studio_pid"
  kill "$page_client" 2>/dev/null || true
  wait "$page_client" 2>/dev/null || true
  with_page+=("$(throughput "$work/page$round/metrics.jsonl")")
  echo "round $round: training alone ${alone[-1]} images/s, with one page open ${with_page[-1]} images/s"
done
# And one round with a real page: Debian's chromium, headless, on the run view (its
# rendering shares the same cores).
if [ -x /usr/bin/chromium ]; then
  start_studio chromium --epochs "$epochs" --exit-when-done
  timeout 600 node "$(dirname "$0")/studio_page.mjs" "$(grep -o 'http://[^ ]*' "$work/chromium.log" | head -1)" \
    "$(dirname "$0")/../examples/studio/node_modules/playwright-core" >"$work/chromium-page.log" 2>&1 &
  page_client=$!
  wait "$studio_pid"
  kill "$page_client" 2>/dev/null || true
  wait "$page_client" 2>/dev/null || true
  echo "with a real page in headless chromium: $(throughput "$work/chromium/metrics.jsonl") images/s"
fi
/usr/bin/python3 -c '
import statistics, sys
alone = statistics.median(map(float, sys.argv[1].split())); page = statistics.median(map(float, sys.argv[2].split()))
print("median images/s (aevb-studio --epochs %s, mnist-subset, the default VAE 784-400-20): alone %.0f, with one page "
      "open %.0f (%+.1f%%)" % (sys.argv[3], alone, page, 100 * (page - alone) / alone))' "${alone[*]}" "${with_page[*]}" "$epochs"

echo "== $clients clients for $seconds s against /api/decode and /api/graph while training"
start_studio load --epochs 100000
status=0
"$build/bench/studio_load" --port "$port" --clients "$clients" --seconds "$seconds" || status=$?
kill -0 "$studio_pid" 2>/dev/null && echo "the studio is still up" || { echo "the studio died"; status=1; }
kill -INT "$studio_pid"
wait "$studio_pid" || true
exit $status
