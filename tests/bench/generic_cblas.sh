#!/usr/bin/env bash
# bench/kernels against a generic CBLAS (-Dbench_blas=cblas): the path a machine without
# OpenBLAS takes (Debian's reference libblas-dev, say). Configures its own build folder
# beside the build under test, builds the kernel benchmark there (unoptimized: only
# that it compiles, links and runs is checked), runs one product, and checks that the
# table says which BLAS it compared against.
# Usage: generic_cblas.sh SOURCE_ROOT BUILD_ROOT
set -euo pipefail
source_root=$1
folder=$2/generic-cblas
if [ ! -f "$folder/build.ninja" ]; then
  meson setup "$folder" "$source_root" --buildtype=plain -Dbench_blas=cblas -Dtests=false >"$folder.log" 2>&1 ||
    { cat "$folder.log"; exit 1; }
fi
meson compile -C "$folder" bench/kernels >"$folder.log" 2>&1 || { tail -40 "$folder.log"; exit 1; }
output=$("$folder/bench/kernels" --benchmark_filter='gemm/vae/x.W1.*/threads:1' --benchmark_min_time=0.01 2>&1)
printf '%s\n' "$output" | grep -E 'BLAS column|x.W1'
printf '%s\n' "$output" | grep -q 'BLAS column: a generic CBLAS (not OpenBLAS' ||
  { echo "FAIL: the table does not say it compared against a generic CBLAS"; exit 1; }
printf '%s\n' "$output" | grep -q '/blas/threads:1' ||
  { echo "FAIL: no BLAS row was measured"; exit 1; }
echo "bench/kernels builds and runs against a generic CBLAS"
