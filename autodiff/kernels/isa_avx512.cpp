// The kernels for AVX-512F (-mavx512f -mfma); meson compiles this file with that set's flags.
#include "autodiff/kernels/isa_table.h"

namespace aevb::kernels {

const IsaKernels& avx512_kernels() {
  static const IsaKernels table = make_isa_kernels<xsimd::avx512f>(Isa::avx512);
  return table;
}

}  // namespace aevb::kernels
