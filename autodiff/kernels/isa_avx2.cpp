// The kernels for AVX2 and FMA (-mavx2 -mfma); meson compiles this file with that set's flags.
#include "autodiff/kernels/isa_table.h"

namespace aevb::kernels {

const IsaKernels& avx2_kernels() {
  static const IsaKernels table = make_isa_kernels<xsimd::fma3<xsimd::avx2>>(Isa::avx2);
  return table;
}

}  // namespace aevb::kernels
