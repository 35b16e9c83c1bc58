#!/usr/bin/env bash
# The one-definition-rule guard of the per-instruction-set units. Each of
# kernels/isa_<set>.cpp is compiled with its own flags (-mavx2, -mavx512f). An inline
# function it instantiates and emits as a weak symbol could also be emitted by code
# built for the baseline; the linker keeps one copy, maybe the AVX2 one, and a CPU
# without AVX2 would then fault in baseline code. So a weak or unique symbol that the
# AVX2 or AVX-512 archive defines must name its own instruction set in its type
# (xsimd's templates on xsimd::avx2, xsimd::avx512f: no baseline unit instantiates
# those); anything else (a std:: or aevb:: inline function) fails. aevb's own kernels
# sit in anonymous namespaces, internal to each unit. The exception-personality
# reference every C++ object has is allowed. SSE2 is the x86-64 baseline, so its copies
# are safe anywhere.
# Usage: isa_symbols_check.sh NM BUILD_DIR
set -uo pipefail
nm=$1
build=$2
failures=0
checked=0
for isa in avx2 avx512; do
  archive=$build/autodiff/libaevb_isa_$isa.a
  [ -f "$archive" ] || continue
  checked=$((checked + 1))
  weak=$("$nm" -C --defined-only "$archive" | grep -E ' [WVu] ' | grep -v 'DW.ref.__gxx_personality_v0' |
         grep -v "xsimd::$isa")
  if [ -n "$weak" ]; then
    echo "FAIL: $archive defines weak symbols that baseline code could end up calling:"
    echo "$weak" | head -20
    failures=$((failures + 1))
  else
    echo "ok: $archive defines no weak symbol outside its own instruction set's templates"
  fi
done
if [ "$checked" -eq 0 ]; then echo "FAIL: no AVX2 or AVX-512 archive found under $build/autodiff"; exit 1; fi
exit $((failures > 0))
