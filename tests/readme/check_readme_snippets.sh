#!/usr/bin/env bash
# Every fenced block of README.md, and the worked example at the top of
# autodiff/autodiff.h, checked against the tree so that neither can drift:
#   ```cpp                 compiled against the built library and run (exit 0)
#   ```cpp source=FILE     must stand, line for line, in FILE (code quoted from the source)
#   ```sh                  each command's program must exist: a file of the tree or the
#                          build (examples/demo.sh, build/bench/kernels), or a command on PATH
# A block fenced without a language fails: it would escape every check.
# Usage: check_readme_snippets.sh SOURCE_ROOT BUILD_ROOT
set -euo pipefail
source_root=$(cd "$1" && pwd)
build_root=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Split README.md into numbered blocks: blockN.cpp, blockN.source (with .file naming it), blockN.sh.
awk -v dir="$work" '
  /^```/ && !inside {
    n++; info = substr($0, 4); inside = 1
    if (info == "cpp") kind = "cpp"
    else if (info ~ /^cpp source=/) { kind = "source"; print substr(info, 12) > (dir "/block" n ".file") }
    else if (info == "sh") kind = "sh"
    else { print "README.md block " n " (line " NR "): fenced as \"" info "\"; use cpp, cpp source=FILE or sh" > "/dev/stderr"; bad = 1; kind = "bad" }
    next
  }
  /^```$/ && inside { inside = 0; next }
  inside { print > (dir "/block" n "." kind) }
  END { exit bad }
' "$source_root/README.md"

# The worked example of autodiff/autodiff.h: its comment lines indented by three spaces.
sed -n '1,/^#pragma once/p' "$source_root/autodiff/autodiff.h" | sed -n 's|^//   ||p' >"$work/header_example.cpp"
[ -s "$work/header_example.cpp" ] || { echo "FAIL: autodiff/autodiff.h has no worked example"; exit 1; }

# The installed layout is include/aevb/autodiff/...: mirror it with a link.
mkdir -p "$work/include"
ln -sfn "$source_root/autodiff" "$work/include/autodiff"
compiled=0 quoted=0 commands=0
for program in "$work"/block*.cpp "$work/header_example.cpp"; do
  [ -e "$program" ] || continue
  c++ -std=c++20 -I"$work/include" "$program" -L"$build_root/autodiff" -laevb_autodiff -o "${program%.cpp}"
  LD_LIBRARY_PATH="$build_root/autodiff" "${program%.cpp}" >/dev/null ||
    { echo "FAIL: $(basename "$program") ran with a non-zero exit status"; exit 1; }
  compiled=$((compiled + 1))
done
for quote in "$work"/block*.source; do
  [ -e "$quote" ] || continue
  file=$(cat "${quote%.source}.file")
  /usr/bin/python3 - "$quote" "$source_root/$file" <<'PY' || exit 1
import sys
quote, source = (open(p).read() for p in sys.argv[1:3])
if quote not in source:
    print(f"FAIL: a README block quotes {sys.argv[2]}, which no longer holds these lines:\n{quote}")
    sys.exit(1)
PY
  quoted=$((quoted + 1))
done
for script in "$work"/block*.sh; do
  [ -e "$script" ] || continue
  while read -r line; do
    line=${line%%#*}
    read -r program _ <<<"$line" || true
    [ -n "${program:-}" ] || continue
    if [ -e "$source_root/$program" ] ||   
       { [[ $program == build/* ]] && [ -e "$build_root/${program#build/}" ]; } || command -v "$program" >/dev/null; then
      # A script it runs must exist too (bash examples/demo.sh).
      read -r _ argument _ <<<"$line" || true
      if [ "$program" = bash ] && [ ! -e "$source_root/$argument" ]; then echo "FAIL: README runs '$line': no $argument"; exit 1; fi
      commands=$((commands + 1))
    else
      echo "FAIL: README runs '$line': no program '$program' in the tree, the build or on PATH"; exit 1
    fi
  done <"$script"
done
echo "README: compiled and ran $compiled program(s) (autodiff.h's worked example among them), found $quoted quoted block(s) in their sources, checked $commands command(s)"
