#!/usr/bin/env bash
# The README's test command (and CI's): set-up, build, then the whole suite through
# meson test twice, on the release build and under AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/, where any report fails its test), then each
# libFuzzer target for 10 seconds from its seed corpus (build-fuzz/, clang), then the
# threaded tests under ThreadSanitizer (build-tsan/, clang). Ends with the line
# "N passed, N failed" counted in test cases over both meson runs, the fuzzing and the
# TSan run counting as one case each.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash examples/setup.sh --fashion-mnist --clang --browser  # the data set tests read; clang: fuzzing, TSan; chromium: the studio's page
status=0
meson test -C build --print-errorlogs "$@" || status=$?

if [ ! -f build-asan/build.ninja ]; then
  meson setup build-asan --buildtype=debugoptimized -Db_sanitize=address,undefined \
    -Dcpp_args=-fno-sanitize-recover=undefined
fi
meson compile -C build-asan
# Sanitized code runs a few times slower: give each test more time.
meson test -C build-asan --print-errorlogs --timeout-multiplier 4 "$@" || status=$?

fuzz_status=0
bash tests/fuzz/run.sh 10 || fuzz_status=$?
[ "$fuzz_status" -eq 0 ] || status=$fuzz_status
tsan_status=0
bash tests/tsan/run.sh || tsan_status=$?
[ "$tsan_status" -eq 0 ] || status=$tsan_status

/usr/bin/python3 tests/count_test_cases.py build/meson-logs/testlog.json build-asan/meson-logs/testlog.json \
  --also "fuzzing=$fuzz_status" --also "threadsanitizer=$tsan_status"
exit $status
