#!/usr/bin/env bash
# Installs the build into a staging folder and builds a ten-line program against it
# with nothing but pkg-config, as a user of the installed library would.
# Usage: check_install.sh BUILD_DIR CONSUMER_SOURCE
set -euo pipefail
build_dir=$1
consumer=$2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

meson install -C "$build_dir" --destdir "$stage" --no-rebuild --quiet
pc_file=$(find "$stage" -name aevb.pc | head -n 1)
[ -n "$pc_file" ] || { echo "check_install: aevb.pc was not installed"; exit 1; }
lib_dir=$(dirname "$(dirname "$pc_file")")
echo "installed: $(find "$stage" -path '*autodiff/autodiff.h') and $pc_file"

# pkg-config (pkgconf) prefixes every -I and -L path with the sysroot.
export PKG_CONFIG_PATH=$(dirname "$pc_file") PKG_CONFIG_SYSROOT_DIR=$stage
flags=$(pkg-config --cflags --libs aevb)
echo "pkg-config --cflags --libs aevb: $flags"
# shellcheck disable=SC2086
c++ -std=c++20 "$consumer" $flags -o "$stage/consumer"
LD_LIBRARY_PATH=$lib_dir "$stage/consumer"
