#include "autodiff/kernels/isa.h"

#include <atomic>
#include <cstdlib>

#include "autodiff/error.h"
#include "autodiff/kernels/isa_kernels.h"
#include "autodiff/kernels/loss.h"
#include "autodiff/kernels/optimizer.h"
#include "autodiff/kernels/reduce.h"
#include "autodiff/kernels/vector_math.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace aevb::kernels {

namespace {

constexpr Isa kAllIsas[] = {Isa::scalar, Isa::sse2, Isa::avx2, Isa::avx512, Isa::neon};

// Which tables this build compiled (meson defines these per host CPU family).
bool compiled(Isa isa) {
  switch (isa) {
    case Isa::scalar: return true;
#ifdef AEVB_KERNELS_X86
    case Isa::sse2:
    case Isa::avx2:
    case Isa::avx512: return true;
#endif
#ifdef AEVB_KERNELS_NEON
    case Isa::neon: return true;
#endif
    default: return false;
  }
}

// libgcc's checks also ask the OS whether it saves the wider registers (XCR0).
bool cpu_runs(Isa isa) {
  switch (isa) {
#if defined(__x86_64__) || defined(__i386__)
    case Isa::sse2: return __builtin_cpu_supports("sse2");
    case Isa::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
#if defined(__aarch64__)
    case Isa::neon: return true;
#endif
    case Isa::scalar: return true;
    default: return false;
  }
}

bool supported(Isa isa) { return compiled(isa) && cpu_runs(isa); }

const IsaKernels& table_for(Isa isa) {
  switch (isa) {
#ifdef AEVB_KERNELS_X86
    case Isa::sse2: return sse2_kernels();
    case Isa::avx2: return avx2_kernels();
    case Isa::avx512: return avx512_kernels();
#endif
#ifdef AEVB_KERNELS_NEON
    case Isa::neon: return neon_kernels();
#endif
    default: return scalar_kernels();
  }
}

std::string allowed_names() {
  std::string names;
  for (Isa isa : supported_isas()) names += std::string(names.empty() ? "" : ", ") + isa_name(isa);
  return names;
}

Isa initial_isa() {
  if (const char* forced = std::getenv("AEVB_ISA"); forced != nullptr && *forced != '\0') {
    try {
      const Isa isa = parse_isa(forced);
      if (!supported(isa)) throw Error("not supported here");
      return isa;
    } catch (const Error&) {
      throw Error(std::string("AEVB_ISA=") + forced + ": this machine runs " + allowed_names());
    }
  }
  return supported_isas().back();
}

std::atomic<const IsaKernels*> active_table{nullptr};

template <class... Activations>
constexpr std::array<UnaryKernel, sizeof...(Activations)> activation_forward_references(
    ActivationList<Activations...>) {
  return {&forward_reference<Activations>...};
}

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::scalar: return "scalar";
    case Isa::sse2: return "sse2";
    case Isa::avx2: return "avx2";
    case Isa::avx512: return "avx512";
    case Isa::neon: return "neon";
  }
  return "unknown";
}

std::vector<Isa> supported_isas() {
  std::vector<Isa> isas;
  for (Isa isa : kAllIsas)
    if (supported(isa)) isas.push_back(isa);
  return isas;
}

Isa parse_isa(const std::string& name) {
  for (Isa isa : kAllIsas)
    if (name == isa_name(isa)) return isa;
  throw Error("unknown instruction set '" + name + "': expected scalar, sse2, avx2, avx512 or neon");
}

const IsaKernels& active_kernels() {
  const IsaKernels* table = active_table.load(std::memory_order_acquire);
  if (table == nullptr) {
    const IsaKernels* initial = &table_for(initial_isa());
    active_table.compare_exchange_strong(table, initial, std::memory_order_acq_rel);
    table = active_table.load(std::memory_order_acquire);
  }
  return *table;
}

Isa active_isa() { return active_kernels().isa; }

void set_isa(Isa isa) {
  if (!supported(isa))
    throw Error(std::string("set_isa: ") + isa_name(isa) +
                                " is not supported here; this machine runs " + allowed_names());
  active_table.store(&table_for(isa), std::memory_order_release);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wmissing-field-initializers"  // every slot filled
const IsaKernels& scalar_kernels() {
  static const IsaKernels table{
      .isa = Isa::scalar,
      .simd_width = 1,
      .gemm = &gemm_problem_reference,
      .exp = &exp_reference,
      .log = &log_reference,
      .log1p = &log1p_reference,
      .activation_forward = activation_forward_references(AllActivations{}),
      .sgd = &sgd_step_reference,
      .adagrad = &adagrad_step_reference,
      .adam = &adam_step_reference,
      .bce_forward = &bce_with_logits_forward_reference,
      .bce_backward_logits = &bce_backward_logits_reference,
      .sum = &sum_reference,
      .dot = &dot_reference,
      .squared_norm = &squared_norm_reference,
      .sum_exp = &sum_exp_reference,
      .max = &max_reference,
      .accumulate_scaled_exp = &accumulate_scaled_exp_reference,
      .activation_backward = &activation_backward_reference,
      .bias_activation = &bias_activation_reference,
  };
  return table;
}
#pragma GCC diagnostic pop

void flush_denormals_on_this_thread() {
  thread_local bool done = false;
  if (done) return;
  done = true;
#if defined(__x86_64__) || defined(__i386__)
  _mm_setcsr(_mm_getcsr() | 0x8040);  // FTZ (bit 15) and DAZ (bit 6)
#elif defined(__aarch64__)
  uint64_t fpcr;
  __asm__ __volatile__("mrs %0, fpcr" : "=r"(fpcr));
  __asm__ __volatile__("msr fpcr, %0" : : "r"(fpcr | (uint64_t{1} << 24)));  // FZ
#endif
}

}  // namespace aevb::kernels
