// Broadcast loops: walk an output of rank <= 4 with each input's offset advancing by
// its own stride, which is 0 along an axis where that input has size 1.
//
// The same walk gives the broadcast adjoint ("unbroadcast") for free: accumulating
// `dinput[offset] += ...` through a zero stride sums the gradient over that axis.
#pragma once

#include <cstdint>

namespace aevb::kernels {

struct BroadcastStrides {
  int64_t sizes[4];     // output sizes, left-padded with 1 to rank 4
  int64_t a_strides[4];  // element strides of input a, 0 along broadcast axes
  int64_t b_strides[4];
};

// f(out_offset, a_offset, b_offset) for every output element in row-major order.
template <class F>
void for_each_broadcast(const BroadcastStrides& s, F f) {
  int64_t out = 0;
  for (int64_t i0 = 0; i0 < s.sizes[0]; ++i0)
    for (int64_t i1 = 0; i1 < s.sizes[1]; ++i1)
      for (int64_t i2 = 0; i2 < s.sizes[2]; ++i2) {
        int64_t a = i0 * s.a_strides[0] + i1 * s.a_strides[1] + i2 * s.a_strides[2];
        int64_t b = i0 * s.b_strides[0] + i1 * s.b_strides[1] + i2 * s.b_strides[2];
        for (int64_t i3 = 0; i3 < s.sizes[3]; ++i3, ++out, a += s.a_strides[3], b += s.b_strides[3]) f(out, a, b);
      }
}

// y = f(a, b) with broadcasting.
template <class F>
void broadcast_map2(float* y, const float* a, const float* b, const BroadcastStrides& s, F f) {
  for_each_broadcast(s, [&](int64_t o, int64_t ia, int64_t ib) { y[o] = f(a[ia], b[ib]); });
}

// da += f(dy, a, b, y), reduced over a's broadcast axes.
template <class F>
void broadcast_accumulate_a(float* da, const float* dy, const float* a, const float* b, const float* y,
                            const BroadcastStrides& s, F f) {
  for_each_broadcast(s, [&](int64_t o, int64_t ia, int64_t ib) { da[ia] += f(dy[o], a[ia], b[ib], y[o]); });
}

// db += f(dy, a, b, y), reduced over b's broadcast axes.
template <class F>
void broadcast_accumulate_b(float* db, const float* dy, const float* a, const float* b, const float* y,
                            const BroadcastStrides& s, F f) {
  for_each_broadcast(s, [&](int64_t o, int64_t ia, int64_t ib) { db[ib] += f(dy[o], a[ia], b[ib], y[o]); });
}

}  // namespace aevb::kernels
