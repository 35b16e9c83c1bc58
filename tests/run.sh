#!/usr/bin/env bash
# The README's test command (and CI's): set-up, build, then the whole suite through
# meson test, ending with the line "N passed, N failed" counted in test cases.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash examples/setup.sh --fashion-mnist  # the data set tests read it
status=0
meson test -C build --print-errorlogs "$@" || status=$?
/usr/bin/python3 tests/count_test_cases.py build/meson-logs/testlog.json
exit $status
