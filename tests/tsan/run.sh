#!/bin/bash
# Runs the threaded tests under ThreadSanitizer: the gemm (with the fused linear
# epilogue), vector-math and row-reduction kernels at 1-3 threads, and two models trained
# on two threads, and the studio trained while clients poll its server. Builds build-tsan/ with clang and
# LLVM's OpenMP runtime (libomp), and loads Archer, LLVM's OpenMP tool that tells TSan
# about OpenMP's barriers and joins: without it every value handed between threads at
# a barrier reads as a race (GCC's libgomp has no such tool). The test command
# (tests/run.sh) runs it last; run it alone after touching threaded code.
#   bash tests/tsan/run.sh
# Needs clang and libomp-dev (examples/setup.sh --clang installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."
archer=$(ls /usr/lib/llvm-*/lib/libarcher.so 2>/dev/null | tail -1)
if [ -z "$archer" ]; then
  echo "libarcher.so not found: apt install libomp-dev" >&2
  exit 1
fi
if [ ! -f build-tsan/build.ninja ]; then
  CXX=clang++ meson setup build-tsan --buildtype=debugoptimized -Db_sanitize=thread -Db_lundef=false >/dev/null
fi
tests=(autodiff_kernels_gemm_test autodiff_kernels_vector_math_test autodiff_kernels_reduce_test models_concurrency_test
       examples_studio_test)
ninja -C build-tsan "${tests[@]/#/tests/}" >/dev/null
# First, that this set-up can see a race at all: a planted one must be reported.
planted=build-tsan/planted_race
printf '#include <cstdio>\nint main() {\n  int shared = 0;\n#pragma omp parallel num_threads(2)\n  shared += 1;\n  std::printf("%%d\\n", shared);\n}\n' >"$planted.cpp"
clang++ -fsanitize=thread -fopenmp -g "$planted.cpp" -o "$planted"
# (TSan exits 66 when it reports: the output is kept, the status not.)
planted_output=$(OMP_TOOL_LIBRARIES="$archer" TSAN_OPTIONS="ignore_noninstrumented_modules=1" "$planted" 2>&1 || true)
if ! grep -q "data race" <<<"$planted_output"; then
  echo "tsan: the planted race went unreported: this set-up proves nothing" >&2
  exit 1
fi
echo "tsan: a planted race is reported"
status=0
for test in "${tests[@]}"; do
  if OMP_TOOL_LIBRARIES="$archer" TSAN_OPTIONS="halt_on_error=1 ignore_noninstrumented_modules=1" \
    "build-tsan/tests/$test" >"build-tsan/$test.log" 2>&1; then
    echo "tsan: $test passed, no data race reported"
  else
    echo "tsan: $test FAILED; see build-tsan/$test.log" >&2
    grep -m5 -E "WARNING: ThreadSanitizer|SUMMARY" "build-tsan/$test.log" >&2 || true
    status=1
  fi
done
exit $status
