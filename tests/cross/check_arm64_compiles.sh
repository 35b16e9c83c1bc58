#!/bin/bash
# Compiles the engine (autodiff/, its scalar and NEON kernels included) for ARM64 with
# Debian's cross compiler, to show that the NEON path builds. Nothing runs: this machine
# is x86-64. Needs g++-aarch64-linux-gnu (apt install g++-aarch64-linux-gnu).
#   bash tests/cross/check_arm64_compiles.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
compiler=aarch64-linux-gnu-g++
if ! command -v "$compiler" >/dev/null; then
  echo "$compiler not found: apt install g++-aarch64-linux-gnu" >&2
  exit 1
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count=0
for source in autodiff/*.cpp autodiff/ops/*.cpp autodiff/kernels/*.cpp; do
  case "$source" in
    autodiff/kernels/isa_sse2.cpp | autodiff/kernels/isa_avx2.cpp | autodiff/kernels/isa_avx512.cpp) continue ;;
  esac
  "$compiler" -std=c++20 -O2 -Wall -Wextra -Wpedantic -Werror -Wno-missing-field-initializers -fopenmp \
    -DAEVB_KERNELS_NEON -I. -c "$source" -o "$out/$(basename "$source").o"
  count=$((count + 1))
done
echo "ARM64: $count translation units of autodiff/ compiled, NEON kernels included, no warnings"
