#!/usr/bin/env bash
# The studio's page in a real browser, while a short training runs: aevb-studio on
# mnist-subset on any free port, then studio_browser.mjs against the address it printed.
# Screenshots land in BUILD_DIR/studio-screenshots/ (BUILD_DIR/studio-screenshots-conv/
# for the convolutional VAE).
# Usage: studio_browser.sh BUILD_DIR [conv]
set -euo pipefail
build=$(cd "$1" && pwd)
architecture=(--architecture mlp --hidden 64)
suffix=
if [ "${2:-}" = conv ]; then architecture=(--architecture conv --hidden 8,16); suffix=-conv; fi
here=$(cd "$(dirname "$0")" && pwd)
studio_dir="$here/../../../examples/studio"
[ -x /usr/bin/chromium ] || { echo "chromium is missing: bash examples/setup.sh --browser installs it" >&2; exit 1; }
[ -d "$studio_dir/node_modules/playwright-core" ] ||
  { echo "playwright-core is missing: bash examples/setup.sh runs npm ci in examples/studio" >&2; exit 1; }
work=$(mktemp -d)
shots="$build/studio-screenshots$suffix"
mkdir -p "$shots"
studio_pid=
cleanup() {
  [ -n "$studio_pid" ] && kill "$studio_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# Long enough to be training while the page looks; the page stops it.
"$build/examples/aevb-studio" --data mnist-subset --epochs 2000 --latent 2 "${architecture[@]}" --port 0 \
  --out "$work/run" >"$work/studio.log" 2>&1 &
studio_pid=$!
for _ in $(seq 600); do
  grep -q "aevb studio: open" "$work/studio.log" && break
  kill -0 "$studio_pid" 2>/dev/null || { cat "$work/studio.log"; exit 1; }
  sleep 0.1
done
address=$(grep -o "http://[^ ]*" "$work/studio.log" | head -1)
[ -n "$address" ] || { echo "aevb-studio printed no address"; cat "$work/studio.log"; exit 1; }
echo "studio at $address"
status=0
timeout 480 node "$here/studio_browser.mjs" "$address" "$shots" "$studio_dir/node_modules/playwright-core" || status=$?
# The page stopped training: the program says so and the checkpoint it left loads.
kill -INT "$studio_pid"
wait "$studio_pid" || true
studio_pid=
grep -q "stopped: .*checkpoint.aevb holds epoch" "$work/studio.log" ||
  { echo "aevb-studio did not report a stop with a whole checkpoint:"; cat "$work/studio.log"; status=1; }
exit $status
