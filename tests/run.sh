#!/usr/bin/env bash
# The README's test command (and CI's): set-up, build, then the whole suite through
# meson test twice, on the release build and under AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/, where any report fails its test). Ends with
# the line "N passed, N failed" counted in test cases over both runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash examples/setup.sh --fashion-mnist  # the data set tests read it
status=0
meson test -C build --print-errorlogs "$@" || status=$?

if [ ! -f build-asan/build.ninja ]; then
  meson setup build-asan --buildtype=debugoptimized -Db_sanitize=address,undefined \
    -Dcpp_args=-fno-sanitize-recover=undefined
fi
meson compile -C build-asan
# Sanitized code runs a few times slower: give each test more time.
meson test -C build-asan --print-errorlogs --timeout-multiplier 4 "$@" || status=$?

/usr/bin/python3 tests/count_test_cases.py build/meson-logs/testlog.json build-asan/meson-logs/testlog.json
exit $status
