#!/usr/bin/env bash
# Set-up shared by the README's two commands: installs the Debian packages that are
# missing, configures the release build in build/ and builds it.
# Idempotent: a second run installs nothing and rebuilds only what changed.
# As root it installs with apt-get; otherwise it names the missing packages and stops.
# Then the studio's page's packages from npm (examples/studio, pinned by its lockfile).
# Usage: setup.sh [--fashion-mnist] [--clang] [--browser] [--print-packages]
#   --fashion-mnist   also installs Debian's Fashion-MNIST
#   --browser         also installs Debian's chromium (the studio's browser tests)
#   --clang           also installs clang, its sanitizer runtimes and LLVM's OpenMP with
#                     Archer (tests/fuzz/run.sh, tests/tsan/run.sh)
#   --print-packages  prints the packages it would install, one a line, and stops
#                     (tests/setup/dependencies_installed.sh reads this list)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Everything the build and the programs use: the compiler and meson; the libraries;
# Graphviz and gnuplot for the pictures drawn by helper programs; Google Benchmark and
# OpenBLAS, which bench/kernels compares against (so every machine measures the same);
# Open MPI for data-parallel training (train_vae under mpirun) and its tests.
packages=(g++ meson ninja-build pkg-config cmake libxsimd-dev doctest-dev libcli11-dev zlib1g-dev libstb-dev
          nlohmann-json3-dev libcpp-httplib-dev graphviz gnuplot-nox libbenchmark-dev libopenblas-dev
          libopenmpi-dev openmpi-bin)
# Node.js and npm install the studio's page's packages (a machine with NodeSource's
# nodejs has npm inside it; Debian's comes apart).
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
print_only=no
for argument in "$@"; do
  case "$argument" in
    --fashion-mnist) packages+=(dataset-fashion-mnist) ;;
    --clang) packages+=(clang libclang-rt-14-dev libomp-dev) ;;
    --browser) packages+=(chromium) ;;
    --print-packages) print_only=yes ;;
    *) echo "setup.sh: unknown option '$argument' (accepted: --fashion-mnist, --clang, --browser, --print-packages)" >&2; exit 2 ;;
  esac
done
if [ "$print_only" = yes ]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "aevb set-up: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "aevb set-up: these Debian packages are missing: ${missing[*]}" >&2
    echo "install them with:  sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

# The page's packages, exactly as the lockfile pins them; again only when it changed.
if [ ! -f examples/studio/node_modules/.package-lock.json ] ||
   [ examples/studio/package-lock.json -nt examples/studio/node_modules/.package-lock.json ]; then
  echo "aevb set-up: npm ci in examples/studio (the studio's page: uPlot; playwright-core for its tests)"
  (cd examples/studio && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=release
fi
meson compile -C build
