#!/bin/bash
# Runs the threaded tests under ThreadSanitizer: the gemm and vector-math kernels at
# 1-3 threads and two models trained on two threads. Builds build-tsan/ with clang and
# LLVM's OpenMP runtime (libomp): GCC's libgomp is not instrumented for TSan, whose
# reports on it would be false. Not part of the test command (a third build costs
# minutes CI does not have); run it after touching threaded code.
#   bash tests/tsan/run.sh
# Needs clang and libomp-dev (apt install clang libomp-dev).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f build-tsan/build.ninja ]; then
  CXX=clang++ meson setup build-tsan --buildtype=debugoptimized -Db_sanitize=thread -Db_lundef=false >/dev/null
fi
tests=(autodiff_kernels_gemm_test autodiff_kernels_vector_math_test models_concurrency_test)
ninja -C build-tsan "${tests[@]/#/tests/}" >/dev/null
status=0
for test in "${tests[@]}"; do
  if TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" "build-tsan/tests/$test" >"build-tsan/$test.log" 2>&1; then
    echo "tsan: $test passed, no data race reported"
  else
    echo "tsan: $test FAILED; see build-tsan/$test.log" >&2
    grep -m5 -E "WARNING: ThreadSanitizer|SUMMARY" "build-tsan/$test.log" >&2 || true
    status=1
  fi
done
exit $status
