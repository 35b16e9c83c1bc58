// The kernels for NEON on ARM64; meson compiles this file with that set's flags.
#include "autodiff/kernels/isa_table.h"

namespace aevb::kernels {

const IsaKernels& neon_kernels() {
  static const IsaKernels table = make_isa_kernels<xsimd::neon64>(Isa::neon);
  return table;
}

}  // namespace aevb::kernels
