// Which instruction set the SIMD kernels run on, chosen at run time.
//
// Each instruction set has its own translation unit compiled with its own flags
// (kernels/isa_<name>.cpp), so one binary runs on any x86-64 and uses AVX-512 where the
// CPU has it; no -march=native is needed. The widest set the CPU supports is chosen on
// first use; the environment variable AEVB_ISA (scalar, sse2, avx2, avx512 or neon)
// forces a lower one, and set_isa does the same from code, so that tests run every
// path the machine supports. `scalar` runs the reference loops.
//
// Results differ between instruction sets in the last bits (another order of
// summation, fused multiply-adds); for one instruction set they never depend on the
// number of threads.
#pragma once

#include <string>
#include <vector>

#include "autodiff/error.h"

namespace aevb::kernels {

enum class Isa { scalar, sse2, avx2, avx512, neon };

const char* isa_name(Isa isa);
// The instruction sets this build has kernels for and this CPU can run, narrowest first.
std::vector<Isa> supported_isas();
// The instruction set the kernels use now. The first call reads AEVB_ISA and throws
// aevb::Error if it names an unknown or unsupported set.
Isa active_isa();
// Switches every kernel to `isa`; throws aevb::Error if it is not supported.
// Not thread-safe: call it while no kernel runs.
void set_isa(Isa isa);
Isa parse_isa(const std::string& name);  // throws aevb::Error naming the allowed values

// Flush-to-zero and denormals-are-zero for the calling thread's float arithmetic.
// Subnormal floats are slow on x86, and training makes many (Adam's moments decaying
// behind dead ReLU units). Every kernel calls this on each thread it
// computes on, so a thread that runs aevb kernels keeps FTZ/DAZ set afterwards. Values
// below ~1.2e-38 (FLT_MIN) then read and round to zero.
void flush_denormals_on_this_thread();

}  // namespace aevb::kernels
