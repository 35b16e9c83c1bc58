#!/bin/bash
# Builds the libFuzzer targets (the IDX, MAT-5 and checkpoint readers, and the flag
# parser of train_vae) with clang (ASan and UBSan on) in build-fuzz/ and runs
# each for SECONDS (default 60) on its seed corpus in tests/fuzz/corpus/<target>/.
# New inputs it finds go to build-fuzz/corpus/<target>/; a crash leaves its input in
# build-fuzz/ and fails the script: commit it under tests/fuzz/regressions/<target>/,
# where tests/fuzz/regressions_test.cpp replays every file through the normal build.
#   bash tests/fuzz/run.sh [SECONDS]
# Needs clang and libclang-rt-14-dev (examples/setup.sh --clang installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: SECONDS must be a whole number of seconds, not '$seconds'" >&2; exit 2; }
targets=(idx mat5 checkpoint cli)
if [ ! -f build-fuzz/build.ninja ]; then
  # UBSan stops at its first report, so that libFuzzer keeps the input that caused it.
  CXX=clang++ meson setup build-fuzz -Dtests=false -Dfuzz=true --buildtype=debugoptimized \
    -Db_sanitize=address,undefined -Db_lundef=false \
    "-Dcpp_args=['-fsanitize=fuzzer-no-link', '-fno-sanitize-recover=undefined']" >/dev/null
fi
meson compile -C build-fuzz "${targets[@]/%/_fuzz}" >/dev/null  # the targets and what they link, nothing else
for target in "${targets[@]}"; do
  mkdir -p "build-fuzz/corpus/$target"
  echo "fuzzing $target for ${seconds}s"
  (cd build-fuzz && "./tests/fuzz/${target}_fuzz" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -close_fd_mask=3 "corpus/$target" "../tests/fuzz/corpus/$target" 2>&1 | grep -E "^stat::number_of_executed_units|^#[0-9]+ *DONE|ERROR|SUMMARY" || true)
  # One pattern at a time: `ls a* b*` fails when any pattern matches nothing, which
  # once hid an oom-* input behind the missing crash-* and timeout-* ones.
  found=()
  for kind in crash timeout oom leak; do
    while IFS= read -r file; do found+=("$file"); done < <(compgen -G "build-fuzz/$kind-*" || true)
  done
  if [ "${#found[@]}" -gt 0 ]; then
    echo "fuzz: $target found a failing input: ${found[*]}" >&2
    exit 1
  fi
done
echo "fuzz: no crash, hang or out-of-memory in ${seconds}s per target"
