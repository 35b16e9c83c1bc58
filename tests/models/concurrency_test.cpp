// Two models trained at once on two threads, each with its own tape, optimizer and
// random stream, give bit for bit what training them one after the other gives.
#include <doctest/doctest.h>

#include <cstring>
#include <thread>
#include <vector>

#include "models/vae.h"
#include "nn/optimizer.h"

using namespace aevb;

namespace {

// Trains a small VAE for some steps and returns all its parameter values.
std::vector<float> train(uint64_t seed) {
  Rng init(seed), sampling(seed, 1);
  models::Vae vae({.inputs = 64, .hidden = {48}, .latent = 4}, init);
  nn::Adam adam(vae.named_parameters(), {});
  const Tensor images = Tensor::uniform({32, 64}, init, 0.0f, 1.0f);
  Tape tape;
  for (int step = 0; step < 40; ++step) {
    tape.clear();
    models::ElboTerms terms = vae.elbo(tape.input(images), Var(), sampling);
    adam.zero_grad();
    tape.backward(terms.loss);
    adam.step();
  }
  std::vector<float> values;
  for (const nn::NamedParameter& named : vae.named_parameters()) {
    const Tensor& v = named.parameter->value();
    values.insert(values.end(), v.data(), v.data() + v.numel());
  }
  return values;
}

bool bitwise_equal(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("two models trained on two threads at once equal the two trained one after the other") {
  const std::vector<float> first_alone = train(1), second_alone = train(2);
  std::vector<float> first_together, second_together;
  std::thread a([&] { first_together = train(1); });
  std::thread b([&] { second_together = train(2); });
  a.join();
  b.join();
  CHECK(bitwise_equal(first_alone, first_together));
  CHECK(bitwise_equal(second_alone, second_together));
  CHECK(!bitwise_equal(first_alone, second_alone));  // the seeds do differ
}
