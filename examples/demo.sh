#!/usr/bin/env bash
# The README's demo command: set-up, build, then run the main demo.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash examples/setup.sh
./build/examples/fit_mlp "$@"
