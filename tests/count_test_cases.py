"""Counts test cases across meson test runs and prints "N passed, N failed".

Each doctest binary reports its own cases ("[doctest] test cases: 12 | 11 passed |
1 failed | 0 skipped"); any other test (a script) counts as one case. A binary that
crashed before its summary counts as one failed case. Each `--also NAME=STATUS` is one
more case, a step run outside meson that passed when its exit status is 0.
"""
import json
import re
import sys

DOCTEST_SUMMARY = re.compile(r"\[doctest\] test cases:\s*(\d+) \|\s*(\d+) passed \|\s*(\d+) failed \|\s*(\d+) skipped")


def tests_in(log_paths):
    for path in log_paths:
        with open(path) as log:
            for line in log:
                yield json.loads(line)


def main(arguments):
    log_paths, also = [], []
    while arguments:
        argument = arguments.pop(0)
        if argument == "--also":
            name, _, status = arguments.pop(0).partition("=")
            also.append((name, status))
        else:
            log_paths.append(argument)
    passed = failed = skipped = 0
    for name, status in also:
        if status == "0":
            passed += 1
        else:
            failed += 1
            print(f"failed: {name} (exit status {status})")
    for test in tests_in(log_paths):
        summary = DOCTEST_SUMMARY.search(test.get("stdout") or "")
        if summary and test["result"] in ("OK", "FAIL"):
            passed += int(summary.group(2))
            failed += int(summary.group(3))
            skipped += int(summary.group(4))
            if test["result"] == "FAIL" and int(summary.group(3)) == 0:
                failed += 1  # failed after its summary (a crash at exit, a sanitizer report)
        elif test["result"] in ("OK", "EXPECTEDFAIL"):  # EXPECTEDFAIL: a refusal test, as designed
            passed += 1
        elif test["result"] == "SKIP":
            skipped += 1
        else:
            failed += 1
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
