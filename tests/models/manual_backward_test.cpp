// The same one-hidden-layer VAE twice: its forward and backward written out by hand,
// loop by loop with no tape (in the style of llm.c), and through the tape. The
// gradients agree to float precision, so the reader can trust either view.
// Legend: N batch, D pixels, H hidden units, Z latent size.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "models/vae.h"

using namespace aevb;

namespace {

using Matrix = std::vector<double>;  // row-major

// out[N, O] = in[N, I] w[I, O] + b[O]
Matrix linear_forward(const Matrix& in, const Tensor& w, const Tensor& b, int64_t n, int64_t i_size, int64_t o_size) {
  Matrix out(static_cast<size_t>(n * o_size));
  for (int64_t r = 0; r < n; ++r)
    for (int64_t o = 0; o < o_size; ++o) {
      double total = b[o];
      for (int64_t i = 0; i < i_size; ++i) total += in[static_cast<size_t>(r * i_size + i)] * w[i * o_size + o];
      out[static_cast<size_t>(r * o_size + o)] = total;
    }
  return out;
}

// din = dout w^T;  dw = in^T dout;  db = column sums of dout
Matrix linear_backward(Matrix& dw, Matrix& db, const Matrix& dout, const Matrix& in, const Tensor& w, int64_t n,
                       int64_t i_size, int64_t o_size) {
  Matrix din(static_cast<size_t>(n * i_size), 0.0);
  dw.assign(static_cast<size_t>(i_size * o_size), 0.0);
  db.assign(static_cast<size_t>(o_size), 0.0);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t o = 0; o < o_size; ++o) {
      const double g = dout[static_cast<size_t>(r * o_size + o)];
      db[static_cast<size_t>(o)] += g;
      for (int64_t i = 0; i < i_size; ++i) {
        dw[static_cast<size_t>(i * o_size + o)] += in[static_cast<size_t>(r * i_size + i)] * g;
        din[static_cast<size_t>(r * i_size + i)] += g * w[i * o_size + o];
      }
    }
  return din;
}

Matrix relu_forward(const Matrix& pre) {
  Matrix out(pre.size());
  for (size_t i = 0; i < pre.size(); ++i) out[i] = pre[i] > 0 ? pre[i] : 0;
  return out;
}
Matrix relu_backward(const Matrix& dout, const Matrix& pre) {
  Matrix din(pre.size());
  for (size_t i = 0; i < pre.size(); ++i) din[i] = pre[i] > 0 ? dout[i] : 0;
  return din;
}

}  // namespace

TEST_CASE("a hand-written VAE backward equals the tape's gradients") {
  const int64_t n = 5, d = 12, h = 7, z = 3;
  Rng rng(4);
  models::Vae vae({.inputs = d, .hidden = {h}, .latent = z}, rng);
  Tensor x = Tensor::uniform({n, d}, rng, 0.0f, 1.0f);

  // The tape's view.
  Tape tape;
  Rng noise(8);
  models::ElboTerms terms = vae.elbo(tape.input(x), Var(), noise);
  vae.zero_grad();
  tape.backward(terms.loss);

  // The hand-written view, in double, with the same eps (the same generator, read in order).
  auto parameter = [&](const std::string& name) -> Parameter& {
    for (const nn::NamedParameter& named : vae.named_parameters())
      if (named.name == name) return *named.parameter;
    FAIL("no parameter " << name);
    throw;
  };
  Parameter &w1 = parameter("encoder.hidden1.weight"), &b1 = parameter("encoder.hidden1.bias");
  Parameter &w2 = parameter("encoder.output.weight"), &b2 = parameter("encoder.output.bias");
  Parameter &w3 = parameter("decoder.hidden1.weight"), &b3 = parameter("decoder.hidden1.bias");
  Parameter &w4 = parameter("decoder.output.weight"), &b4 = parameter("decoder.output.bias");
  Rng same_noise(8);
  Matrix eps(static_cast<size_t>(n * z));
  for (double& e : eps) e = same_noise.normal();

  // forward
  Matrix input(x.values().begin(), x.values().end());
  Matrix h_pre = linear_forward(input, w1.value(), b1.value(), n, d, h), h_act = relu_forward(h_pre);
  Matrix encoded = linear_forward(h_act, w2.value(), b2.value(), n, h, 2 * z);  // [mu | log-variance]
  Matrix mu(static_cast<size_t>(n * z)), log_variance(static_cast<size_t>(n * z)), sigma(static_cast<size_t>(n * z)),
      code(static_cast<size_t>(n * z));
  for (int64_t r = 0; r < n; ++r)
    for (int64_t j = 0; j < z; ++j) {
      const size_t at = static_cast<size_t>(r * z + j);
      mu[at] = encoded[static_cast<size_t>(r * 2 * z + j)];
      log_variance[at] = encoded[static_cast<size_t>(r * 2 * z + z + j)];
      sigma[at] = std::exp(0.5 * log_variance[at]);
      code[at] = mu[at] + sigma[at] * eps[at];  // z = mu + sigma * eps
    }
  Matrix g_pre = linear_forward(code, w3.value(), b3.value(), n, z, h), g_act = relu_forward(g_pre);
  Matrix logits = linear_forward(g_act, w4.value(), b4.value(), n, h, d);
  double reconstruction = 0, kl = 0;
  for (size_t i = 0; i < logits.size(); ++i) {
    const double l = logits[i], t = input[i];
    reconstruction += (std::max(l, 0.0) - l * t + std::log1p(std::exp(-std::fabs(l)))) / n;
  }
  for (size_t i = 0; i < mu.size(); ++i)
    kl += 0.5 * (mu[i] * mu[i] + std::exp(log_variance[i]) - 1 - log_variance[i]) / n;
  CHECK(terms.loss.item() == doctest::Approx(reconstruction + kl).epsilon(1e-5));

  // backward: loss = reconstruction + kl, both averaged over the batch
  Matrix dlogits(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) dlogits[i] = (1 / (1 + std::exp(-logits[i])) - input[i]) / n;
  Matrix dw4, db4, dw3, db3, dw2, db2, dw1, db1;
  Matrix dg = linear_backward(dw4, db4, dlogits, g_act, w4.value(), n, h, d);
  Matrix dcode = linear_backward(dw3, db3, relu_backward(dg, g_pre), code, w3.value(), n, z, h);
  Matrix dencoded(static_cast<size_t>(n * 2 * z));
  for (int64_t r = 0; r < n; ++r)
    for (int64_t j = 0; j < z; ++j) {
      const size_t at = static_cast<size_t>(r * z + j);
      // dz/dmu = 1; dz/dv = eps sigma / 2; KL: d/dmu = mu / N, d/dv = (e^v - 1) / 2N
      dencoded[static_cast<size_t>(r * 2 * z + j)] = dcode[at] + mu[at] / n;
      dencoded[static_cast<size_t>(r * 2 * z + z + j)] =
          dcode[at] * eps[at] * 0.5 * sigma[at] + 0.5 * (std::exp(log_variance[at]) - 1) / n;
    }
  Matrix dh = linear_backward(dw2, db2, dencoded, h_act, w2.value(), n, h, 2 * z);
  linear_backward(dw1, db1, relu_backward(dh, h_pre), input, w1.value(), n, d, h);

  struct Pair {
    Parameter* tape_side;
    Matrix* by_hand;
  };
  for (Pair pair : {Pair{&w1, &dw1}, Pair{&b1, &db1}, Pair{&w2, &dw2}, Pair{&b2, &db2}, Pair{&w3, &dw3},
                    Pair{&b3, &db3}, Pair{&w4, &dw4}, Pair{&b4, &db4}}) {
    CAPTURE(pair.tape_side->name());
    REQUIRE(static_cast<int64_t>(pair.by_hand->size()) == pair.tape_side->grad().numel());
    for (int64_t i = 0; i < pair.tape_side->grad().numel(); ++i)
      CHECK(pair.tape_side->grad()[i] ==
            doctest::Approx((*pair.by_hand)[static_cast<size_t>(i)]).epsilon(1e-4).scale(1e-3));
  }
}
