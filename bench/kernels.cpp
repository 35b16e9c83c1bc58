// Kernel benchmarks: gemm at the VAE's shapes and at squares (against the CBLAS found at
// configure time, OpenBLAS when the set-up installed it, and against the measured FMA peak), the convolutional
// VAE's convolutions (each layer's three products, against the peak), the vectorized math in
// cache and in memory against the scalar loops, a fused linear layer against three passes, the reductions against their
// scalar references, and the optimizer updates; each at 1, 2, ... all threads where threads apply.
//
//   build/bench/kernels                    every benchmark, then the summary tables
//   build/bench/kernels --json out.json    also writes Google Benchmark's JSON
//   build/bench/kernels --benchmark_filter=gemm/vae   any Google Benchmark flag
//
// Environment: AEVB_ISA picks the instruction set (kernels/isa.h).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "autodiff/kernels/activation.h"
#include "autodiff/kernels/convolution.h"
#include "autodiff/kernels/gemm.h"
#include "autodiff/kernels/isa.h"
#include "autodiff/kernels/optimizer.h"
#include "autodiff/kernels/reduce.h"
#include "autodiff/kernels/rng.h"
#include "autodiff/kernels/vector_math.h"
#include "bench/peak.h"

// AEVB_BENCH_CBLAS: some CBLAS was found (any implementation: only the standard
// interface is called). AEVB_BENCH_OPENBLAS: that CBLAS is OpenBLAS itself, which adds
// a thread count and a version string; nothing OpenBLAS-only is used without it.
#ifdef AEVB_BENCH_CBLAS
#include <cblas.h>
#include <dlfcn.h>
#endif
#ifdef AEVB_BENCH_OPENBLAS
extern "C" void openblas_set_num_threads(int);
extern "C" char* openblas_get_config(void);
#endif

namespace {

using namespace aevb::kernels;

std::vector<float> random_values(int64_t count, uint64_t seed, float low = -1.0f, float high = 1.0f) {
  aevb::Rng rng(seed);
  std::vector<float> values(static_cast<size_t>(count));
  for (float& v : values) v = rng.uniform(low, high);
  return values;
}

struct GemmShape {
  const char* name;
  int64_t m, n, k;
  bool transpose_a, transpose_b;
};

// The VAE's products (batch 128, 784-400-20-400-784): forward, then the backward forms,
// A^T B for weight gradients and A B^T for input gradients.
const std::vector<GemmShape> kVaeShapes = {
    {"vae/x.W1[128x784x400]", 128, 400, 784, false, false},
    {"vae/h.W4[128x400x784]", 128, 784, 400, false, false},
    {"vae/h.W2[128x400x20]", 128, 20, 400, false, false},
    {"vae/z.W3[128x20x400]", 128, 400, 20, false, false},
    {"vae/dW1=x^T.dy[784x128x400]", 784, 400, 128, true, false},
    {"vae/dW4=h^T.dy[400x128x784]", 400, 784, 128, true, false},
    {"vae/dW2=h^T.dy[400x128x20]", 400, 20, 128, true, false},
    {"vae/dh=dy.W4^T[128x784x400]", 128, 400, 784, false, true},
    {"vae/dh=dy.W2^T[128x20x400]", 128, 400, 20, false, true},
    {"vae/dz=dy.W3^T[128x400x20]", 128, 20, 400, false, true},
};
const std::vector<GemmShape> kSquares = {
    {"square/256", 256, 256, 256, false, false},
    {"square/512", 512, 512, 512, false, false},
    {"square/1024", 1024, 1024, 1024, false, false},
    {"square/2048", 2048, 2048, 2048, false, false},
};

// The convolutional VAE's convolutions at batch 128 (train_vae --architecture conv).
// A transposed convolution runs the same three products as the convolution it
// transposes, with forward and input gradient exchanged: decoder.deconv1 (64 -> 32,
// 7x7 -> 14x14) is encoder.conv2's geometry, decoder.deconv2 (32 -> 1) encoder.conv1's.
struct ConvShape {
  const char* name;
  Conv2dGeometry geometry;
};
const std::vector<ConvShape> kConvShapes = {
    {"conv1[128x1x28x28,32x4x4,s2p1]",
     {.batch = 128, .in_channels = 1, .in_height = 28, .in_width = 28, .out_channels = 32, .kernel_height = 4,
      .kernel_width = 4, .stride_height = 2, .stride_width = 2, .padding_height = 1, .padding_width = 1}},
    {"conv2[128x32x14x14,64x4x4,s2p1]",
     {.batch = 128, .in_channels = 32, .in_height = 14, .in_width = 14, .out_channels = 64, .kernel_height = 4,
      .kernel_width = 4, .stride_height = 2, .stride_width = 2, .padding_height = 1, .padding_width = 1}},
};
enum class ConvProduct { forward, input_gradient, weight_gradient };
const char* conv_product_name(ConvProduct p) {
  return p == ConvProduct::forward ? "y=conv(x)" : p == ConvProduct::input_gradient ? "dx" : "dW";
}

std::vector<int> thread_counts() {
  const int all = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<int> counts;
  for (int t = 1; t < all; t *= 2) counts.push_back(t);
  counts.push_back(all);
  return counts;
}

void gemm_benchmark(benchmark::State& state, GemmShape s, int threads, bool with_blas) {
  const auto a = random_values(s.m * s.k, 1), b = random_values(s.k * s.n, 2);
  auto c = random_values(s.m * s.n, 3);
  set_thread_count(threads);
#ifdef AEVB_BENCH_OPENBLAS
  openblas_set_num_threads(threads);
#endif
  for (auto _ : state) {
    if (with_blas) {
#ifdef AEVB_BENCH_CBLAS
      cblas_sgemm(CblasRowMajor, s.transpose_a ? CblasTrans : CblasNoTrans, s.transpose_b ? CblasTrans : CblasNoTrans,
                  static_cast<int>(s.m), static_cast<int>(s.n), static_cast<int>(s.k), 1.0f, a.data(),
                  static_cast<int>(s.transpose_a ? s.m : s.k), b.data(), static_cast<int>(s.transpose_b ? s.k : s.n),
                  1.0f, c.data(), static_cast<int>(s.n));
#endif
    } else {
      gemm(c.data(), a.data(), b.data(), s.m, s.n, s.k, s.transpose_a, s.transpose_b, 1.0f, 1.0f);
    }
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * s.m * s.n * s.k * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// One product of a convolution layer; each is 2 * output size * column length flops.
void conv_benchmark(benchmark::State& state, ConvShape s, ConvProduct product, int threads) {
  const Conv2dGeometry& g = s.geometry;
  const auto x = random_values(g.input_size(), 1), w = random_values(g.weight_size(), 2),
             dy = random_values(g.output_size(), 3), bias = random_values(g.out_channels, 4);
  auto y = random_values(g.output_size(), 5), dx = random_values(g.input_size(), 6),
       dw = random_values(g.weight_size(), 7), db = random_values(g.out_channels, 8);
  std::vector<float> workspace(static_cast<size_t>(conv2d_workspace_floats(g)));
  set_thread_count(threads);
  for (auto _ : state) {
    switch (product) {
      case ConvProduct::forward: conv2d_forward(y.data(), x.data(), w.data(), bias.data(), g, workspace.data()); break;
      case ConvProduct::input_gradient: conv2d_backward_input(dx.data(), dy.data(), w.data(), g, workspace.data()); break;
      case ConvProduct::weight_gradient:
        conv2d_backward_weight(dw.data(), db.data(), dy.data(), x.data(), g, workspace.data());
        break;
    }
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * static_cast<double>(g.output_size() * g.column_length()) * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

// A linear layer with ReLU, y = relu(x W + b): fused (the gemm's store adds the bias and
// applies ReLU), or as three passes (bias rows copied into y, gemm with beta = 1, then
// ReLU over y), as the engine did before the fused layer.
void linear_benchmark(benchmark::State& state, GemmShape s, bool fused) {
  const auto x = random_values(s.m * s.k, 1), w = random_values(s.k * s.n, 2), bias = random_values(s.n, 3);
  std::vector<float> y(static_cast<size_t>(s.m * s.n));
  set_thread_count(1);
  for (auto _ : state) {
    if (fused) {
      linear_forward(y.data(), x.data(), w.data(), bias.data(), s.m, s.k, s.n, Activation::relu);
    } else {
      for (int64_t r = 0; r < s.m; ++r) std::copy(bias.begin(), bias.end(), y.begin() + r * s.n);
      gemm(y.data(), x.data(), w.data(), s.m, s.n, s.k, false, false, 1.0f, 1.0f);
      for (float& v : y) v = v < 0 ? 0.0f : v;
    }
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * s.m * s.n * s.k * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void gemm_reference_benchmark(benchmark::State& state, GemmShape s) {
  const auto a = random_values(s.m * s.k, 1), b = random_values(s.k * s.n, 2);
  auto c = random_values(s.m * s.n, 3);
  set_thread_count(1);
  for (auto _ : state) {
    gemm_reference(c.data(), a.data(), b.data(), s.m, s.n, s.k, s.transpose_a, s.transpose_b, 1.0f, 1.0f);
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * s.m * s.n * s.k * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

using ArrayFunction = void (*)(float*, const float*, int64_t);

void math_benchmark(benchmark::State& state, ArrayFunction f, int64_t count, int threads, float low, float high) {
  const auto x = random_values(count, 4, low, high);
  std::vector<float> y(x.size());
  set_thread_count(threads);
  for (auto _ : state) {
    f(y.data(), x.data(), count);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * count);
  state.SetBytesProcessed(state.iterations() * count * 2 * static_cast<int64_t>(sizeof(float)));
}

// `reference`: the same call on the scalar instruction set, whose table holds the
// reference loops.
void reduction_benchmark(benchmark::State& state, const std::string& which, int64_t rows, int64_t columns,
                         bool reference) {
  const auto x = random_values(rows * columns, 5), x2 = random_values(rows * columns, 6);
  std::vector<float> y(static_cast<size_t>(std::max(rows, columns))), max(y.size()), sum_exp(y.size());
  set_thread_count(1);
  const Isa isa = active_isa();
  if (reference) set_isa(Isa::scalar);
  for (auto _ : state) {
    if (which == "dot") y[0] = dot(x.data(), x2.data(), rows * columns);
    if (which == "squared_norm") y[0] = squared_norm(x.data(), rows * columns);
    if (which == "sum_rows") sum_axis(y.data(), x.data(), rows, columns, 1);
    if (which == "sum_columns") sum_axis(y.data(), x.data(), 1, rows, columns);
    if (which == "column_sums") accumulate_column_sums(y.data(), x.data(), rows, columns);
    if (which == "max_rows") max_axis(y.data(), x.data(), rows, columns, 1);
    if (which == "logsumexp_rows") logsumexp_axis(y.data(), max.data(), sum_exp.data(), x.data(), rows, columns, 1);
    benchmark::DoNotOptimize(y.data());
  }
  set_isa(isa);
  state.SetItemsProcessed(state.iterations() * rows * columns);
  state.SetBytesProcessed(state.iterations() * rows * columns * static_cast<int64_t>(sizeof(float)));
}

void adam_benchmark(benchmark::State& state, int64_t count, bool reference) {
  auto param = random_values(count, 6), m = random_values(count, 7), v = random_values(count, 8, 0.0f, 1.0f);
  const auto grad = random_values(count, 9);
  int64_t step = 1;
  for (auto _ : state) {
    if (reference)
      adam_update_reference(param.data(), m.data(), v.data(), grad.data(), count, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.0f,
                            false, step++);
    else
      adam_update(param.data(), m.data(), v.data(), grad.data(), count, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.0f, false,
                  step++);
    benchmark::DoNotOptimize(param.data());
  }
  state.SetItemsProcessed(state.iterations() * count);
  // reads param, m, v, grad; writes param, m, v
  state.SetBytesProcessed(state.iterations() * count * 7 * static_cast<int64_t>(sizeof(float)));
}

struct MathCase {
  const char* name;
  ArrayFunction simd, reference;
  float low, high;
};

void register_all() {
  const std::vector<int> threads = thread_counts();
  for (const auto& shapes : {kVaeShapes, kSquares})
    for (const GemmShape& s : shapes) {
      for (int t : threads)
        benchmark::RegisterBenchmark(("gemm/" + std::string(s.name) + "/aevb/threads:" + std::to_string(t)).c_str(),
                                     gemm_benchmark, s, t, false)
            ->Unit(benchmark::kMicrosecond)->UseRealTime();
#ifdef AEVB_BENCH_CBLAS
      for (int t : threads) {
#ifndef AEVB_BENCH_OPENBLAS
        if (t > 1) break;  // a generic CBLAS has no thread count to set: one row, at 1 thread
#endif
        benchmark::RegisterBenchmark(("gemm/" + std::string(s.name) + "/blas/threads:" + std::to_string(t)).c_str(),
                                     gemm_benchmark, s, t, true)
            ->Unit(benchmark::kMicrosecond)->UseRealTime();
      }
#endif
      if (s.m * s.n * s.k <= 512 * 512 * 512)
        benchmark::RegisterBenchmark(("gemm/" + std::string(s.name) + "/reference/threads:1").c_str(),
                                     gemm_reference_benchmark, s)
            ->Unit(benchmark::kMicrosecond)->UseRealTime();
    }

  for (const ConvShape& s : kConvShapes)
    for (ConvProduct p : {ConvProduct::forward, ConvProduct::input_gradient, ConvProduct::weight_gradient})
      for (int t : threads)
        benchmark::RegisterBenchmark(
            ("conv/" + std::string(s.name) + "/" + conv_product_name(p) + "/threads:" + std::to_string(t)).c_str(),
            conv_benchmark, s, p, t)
            ->Unit(benchmark::kMicrosecond)->UseRealTime();

  const std::vector<MathCase> math = {
      {"exp", vector_exp, exp_reference, -10.0f, 10.0f},
      {"log", vector_log, log_reference, 1e-3f, 1e3f},
      {"tanh", [](float* y, const float* x, int64_t n) { activation_forward(y, x, n, Activation::tanh); },
       [](float* y, const float* x, int64_t n) { activation_forward_reference(y, x, n, Activation::tanh); }, -5.0f,
       5.0f},
      {"sigmoid", [](float* y, const float* x, int64_t n) { activation_forward(y, x, n, Activation::sigmoid); },
       [](float* y, const float* x, int64_t n) { activation_forward_reference(y, x, n, Activation::sigmoid); }, -10.0f,
       10.0f},
      {"softplus", [](float* y, const float* x, int64_t n) { activation_forward(y, x, n, Activation::softplus); },
       [](float* y, const float* x, int64_t n) { activation_forward_reference(y, x, n, Activation::softplus); }, -10.0f,
       10.0f},
  };
  const std::vector<std::pair<std::string, int64_t>> sizes = {{"4KiB", 1024}, {"64MiB", int64_t{16} << 20}};
  for (const MathCase& f : math)
    for (const auto& [size_name, count] : sizes) {
      const std::string base = "math/" + std::string(f.name) + "/" + size_name;
      benchmark::RegisterBenchmark((base + "/reference/threads:1").c_str(), math_benchmark, f.reference, count, 1,
                                   f.low, f.high)->UseRealTime();
      for (int t : threads) {
        if (count < kElementwiseThreadingThreshold && t > 1) continue;  // small arrays stay on one thread
        benchmark::RegisterBenchmark((base + "/aevb/threads:" + std::to_string(t)).c_str(), math_benchmark, f.simd,
                                     count, t, f.low, f.high)->UseRealTime();
      }
    }

  for (const GemmShape& s : {kVaeShapes[0], kVaeShapes[1], kVaeShapes[3]})
    for (bool fused : {true, false})
      benchmark::RegisterBenchmark(
          ("linear+relu/" + std::string(s.name + 4) + (fused ? "/fused" : "/separate")).c_str(), linear_benchmark, s,
          fused)
          ->UseRealTime();

  // Rows of the VAE's batch, and one vector of its 652,824 parameters (a gradient norm).
  struct ReductionCase {
    const char* which;
    int64_t rows, columns;
    bool has_simd;  // the column reductions have no SIMD kernel of their own
  };
  for (const ReductionCase& c : {ReductionCase{"sum_rows", 128, 784, true}, ReductionCase{"max_rows", 128, 784, true},
                                 ReductionCase{"logsumexp_rows", 128, 784, true}, ReductionCase{"dot", 1, 652824, true},
                                 ReductionCase{"squared_norm", 1, 652824, true},
                                 ReductionCase{"sum_columns", 128, 784, false},
                                 ReductionCase{"column_sums", 128, 784, false}}) {
    const std::string base =
        "reduce/" + std::string(c.which) + "/" +
        (c.rows == 1 ? std::to_string(c.columns) : std::to_string(c.rows) + "x" + std::to_string(c.columns));
    benchmark::RegisterBenchmark((base + "/aevb/threads:1").c_str(), reduction_benchmark, std::string(c.which), c.rows,
                                 c.columns, false)->UseRealTime();
    if (c.has_simd)
      benchmark::RegisterBenchmark((base + "/reference/threads:1").c_str(), reduction_benchmark, std::string(c.which),
                                   c.rows, c.columns, true)->UseRealTime();
  }
  // The VAE's 652,824 parameters.
  benchmark::RegisterBenchmark("optimizer/adam/652824/aevb", adam_benchmark, 652824, false)->UseRealTime();
  benchmark::RegisterBenchmark("optimizer/adam/652824/reference", adam_benchmark, 652824, true)->UseRealTime();
}

// Keeps every run's figures for the summary tables printed after Google Benchmark's own.
class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  // Colors only on a terminal, so that a log file reads cleanly.
  CollectingReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Defaults : OO_None) {}

  std::map<std::string, double> gflops, items_per_second;

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration) continue;
      std::string name = run.benchmark_name();
      if (const auto at = name.find("/real_time"); at != std::string::npos) name.erase(at);
      if (auto it = run.counters.find("GFLOP/s"); it != run.counters.end()) gflops[name] = it->second.value;
      if (auto it = run.counters.find("items_per_second"); it != run.counters.end())
        items_per_second[name] = it->second.value;
    }
  }
};

void print_gemm_table(const CollectingReporter& r, const std::vector<GemmShape>& shapes, double peak_1,
                      double peak_all) {
  const std::vector<int> threads = thread_counts();
  std::printf("\n%-30s %7s %9s %9s %9s %8s\n", "gemm", "threads", "aevb", "BLAS", "aevb/BLAS", "of peak");
  for (const GemmShape& s : shapes)
    for (int t : threads) {
      const std::string suffix = "/threads:" + std::to_string(t);
      auto find = [&](const std::string& who) {
        auto it = r.gflops.find("gemm/" + std::string(s.name) + "/" + who + suffix);
        return it == r.gflops.end() ? 0.0 : it->second;
      };
      const double ours = find("aevb"), theirs = find("blas");
      if (ours == 0.0) continue;
      const double peak = t == 1 ? peak_1 : peak_all * t / static_cast<double>(threads.back());
      char ratio[16] = "-", blas[16] = "-";
      if (theirs > 0) {
        std::snprintf(ratio, sizeof ratio, "%.2f", ours / theirs);
        std::snprintf(blas, sizeof blas, "%.1f", theirs);
      }
      std::printf("%-30s %7d %9.1f %9s %9s %7.0f%%\n", s.name, t, ours, blas, ratio, 100.0 * ours / peak);
    }
}

void print_conv_table(const CollectingReporter& r, double peak_1, double peak_all) {
  const std::vector<int> threads = thread_counts();
  std::printf("\n%-44s %7s %9s %8s\n", "convolution (im2col + packed gemm)", "threads", "GFLOP/s", "of peak");
  for (const ConvShape& s : kConvShapes)
    for (ConvProduct p : {ConvProduct::forward, ConvProduct::input_gradient, ConvProduct::weight_gradient})
      for (int t : threads) {
        const std::string name = std::string(s.name) + "/" + conv_product_name(p);
        auto it = r.gflops.find("conv/" + name + "/threads:" + std::to_string(t));
        if (it == r.gflops.end()) continue;
        const double peak = t == 1 ? peak_1 : peak_all * t / static_cast<double>(threads.back());
        std::printf("%-44s %7d %9.1f %7.0f%%\n", name.c_str(), t, it->second, 100.0 * it->second / peak);
      }
}

void print_linear_table(const CollectingReporter& r) {
  std::printf("\n%-28s %14s %14s %8s\n", "linear+relu (1 thread)", "fused GFLOP/s", "3 passes", "gain");
  for (const auto& [name, rate] : r.gflops) {
    if (name.rfind("linear+relu/", 0) != 0 || name.find("/fused") == std::string::npos) continue;
    const std::string base = name.substr(0, name.find("/fused"));
    auto it = r.gflops.find(base + "/separate");
    if (it == r.gflops.end()) continue;
    std::printf("%-28s %14.1f %14.1f %7.2fx\n", base.c_str() + 12, rate, it->second, rate / it->second);
  }
}

// `prefix`: "math" or "reduce".
void print_speedup_table(const CollectingReporter& r, const std::string& prefix) {
  std::printf("\n%-28s %14s %14s %8s\n", (prefix + " (1 thread)").c_str(), "aevb Melem/s", "scalar Melem/s",
              "speed-up");
  for (const auto& [name, rate] : r.items_per_second) {
    if (name.rfind(prefix + "/", 0) != 0 || name.find("/aevb/threads:1") == std::string::npos) continue;
    const std::string base = name.substr(0, name.find("/aevb/"));
    auto it = r.items_per_second.find(base + "/reference/threads:1");
    if (it == r.items_per_second.end()) continue;
    std::printf("%-28s %14.0f %14.0f %7.1fx\n", base.c_str() + prefix.size() + 1, rate / 1e6, it->second / 1e6,
                rate / it->second);
  }
}

// Which BLAS the comparison column measures: the library that cblas_sgemm resolved to at
// run time (alternatives can point libblas.so at several implementations).
std::string blas_description() {
#ifdef AEVB_BENCH_CBLAS
  std::string library = "an unknown library";
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&cblas_sgemm), &info) != 0 && info.dli_fname != nullptr) library = info.dli_fname;
#ifdef AEVB_BENCH_OPENBLAS
  return "BLAS column: OpenBLAS (" + std::string(openblas_get_config()) + ") from " + library;
#else
  return "BLAS column: a generic CBLAS (not OpenBLAS; 1 thread only) from " + library +
         "; bash examples/setup.sh installs OpenBLAS, which the figures in bench/README.md compare against";
#endif
#else
  return "no CBLAS found at configure time (-Dbench_blas=none, or none installed): no BLAS column";
#endif
}

}  // namespace

int main(int argc, char** argv) {
  // --json FILE is Google Benchmark's --benchmark_out=FILE --benchmark_out_format=json.
  std::vector<std::string> arguments;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json") == 0) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "--json: expected a file name after it\n");
        return 2;
      }
      arguments.push_back(std::string("--benchmark_out=") + argv[++i]);
      arguments.push_back("--benchmark_out_format=json");
      continue;
    }
    arguments.push_back(argv[i]);
  }
  std::vector<char*> pointers;
  for (auto& a : arguments) pointers.push_back(a.data());
  int count = static_cast<int>(pointers.size());
  benchmark::Initialize(&count, pointers.data());
  if (benchmark::ReportUnrecognizedArguments(count, pointers.data())) return 2;

  const int all = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int widest = active_isa() == Isa::avx512 ? 512 : active_isa() == Isa::avx2 ? 256 : 128;
  const double peak_1 = aevb::bench::fma_peak_gflops(widest, 1), peak_all = aevb::bench::fma_peak_gflops(widest, all);
  std::printf("instruction set %s; FMA peak at %d bits: %.1f GFLOP/s on 1 thread, %.1f on %d\n",
              isa_name(active_isa()), widest, peak_1, peak_all, all);
  std::printf("%s\n", blas_description().c_str());
  register_all();
  CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  print_gemm_table(reporter, kVaeShapes, peak_1, peak_all);
  print_gemm_table(reporter, kSquares, peak_1, peak_all);
  print_conv_table(reporter, peak_1, peak_all);
  print_linear_table(reporter);
  print_speedup_table(reporter, "math");
  print_speedup_table(reporter, "reduce");
  benchmark::Shutdown();
  return 0;
}
