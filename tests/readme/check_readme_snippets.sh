#!/usr/bin/env bash
# Compiles and runs every ```cpp block of README.md against the built library, so the
# README cannot drift from the API. Usage: check_readme_snippets.sh SOURCE_ROOT BUILD_ROOT
set -euo pipefail
source_root=$1
build_root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

awk -v dir="$work" '
  /^```cpp$/ { n++; file = dir "/snippet" n ".cpp"; inside = 1; next }
  /^```$/    { inside = 0; next }
  inside     { print > file }
' "$source_root/README.md"

# The installed layout is include/aevb/autodiff/...: mirror it with a link.
mkdir -p "$work/include"
ln -sfn "$source_root/autodiff" "$work/include/autodiff"
count=0
for snippet in "$work"/snippet*.cpp; do
  [ -e "$snippet" ] || { echo "no cpp blocks in README.md"; exit 1; }
  c++ -std=c++20 -I"$work/include" "$snippet" -L"$build_root/autodiff" -laevb_autodiff -o "${snippet%.cpp}"
  LD_LIBRARY_PATH="$build_root/autodiff" "${snippet%.cpp}"
  count=$((count + 1))
done
echo "compiled and ran $count README snippet(s)"
