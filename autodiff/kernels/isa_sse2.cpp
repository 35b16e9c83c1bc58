// The kernels for SSE2 (every x86-64); meson compiles this file with that set's flags.
#include "autodiff/kernels/isa_table.h"

namespace aevb::kernels {

const IsaKernels& sse2_kernels() {
  static const IsaKernels table = make_isa_kernels<xsimd::sse2>(Isa::sse2);
  return table;
}

}  // namespace aevb::kernels
