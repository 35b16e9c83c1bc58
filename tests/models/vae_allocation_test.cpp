// A steady-state VAE training step (encode, sample, decode, ELBO, backward, Adam)
// makes no heap allocation: this test replaces global operator new to count them.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "models/vae.h"
#include "nn/optimizer.h"
#include "tests/allocation_counter.h"

using aevb::testing::allocation_count;

using namespace aevb;

TEST_CASE("a VAE training step allocates nothing after warm-up") {
  for (models::Posterior family : {models::Posterior::normal, models::Posterior::laplace}) {
    Rng init(1), sampling(2);
    models::VaeConfig config{.inputs = 16, .hidden = {8}, .latent = 2, .posterior = family};
    models::Vae vae(config, init);
    nn::Adam adam(vae.named_parameters(), {});
    const Tensor images = Tensor::uniform({4, 16}, init, 0.0f, 1.0f);
    Tape tape;
    auto step = [&] {
      tape.clear();
      models::ElboTerms terms = vae.elbo(tape.input(images), Var(), sampling);
      adam.zero_grad();
      tape.backward(terms.loss);
      adam.step();
    };
    for (int i = 0; i < 5; ++i) step();
    CAPTURE(std::string(models::to_string(family)));  // before counting: doctest's context allocates
    const long before = allocation_count.load();
    for (int i = 0; i < 10; ++i) step();
    CHECK(allocation_count.load() - before == 0);
  }
}

TEST_CASE("a CVAE training step (condition concatenated to both networks' inputs) allocates nothing after warm-up") {
  Rng init(3), sampling(4);
  models::VaeConfig config{.inputs = 16, .hidden = {8}, .latent = 2, .conditions = 3};
  models::Vae cvae(config, init);
  nn::Adam adam(cvae.named_parameters(), {});
  const Tensor images = Tensor::uniform({4, 16}, init, 0.0f, 1.0f);
  Tensor conditions = Tensor::zeros({4, 3});
  for (int64_t n = 0; n < 4; ++n) conditions[n * 3 + n % 3] = 1.0f;  // one-hot labels
  Tape tape;
  auto step = [&] {
    tape.clear();
    models::ElboTerms terms = cvae.elbo(tape.input(images), tape.input(conditions), sampling);
    adam.zero_grad();
    tape.backward(terms.loss);
    adam.step();
  };
  for (int i = 0; i < 5; ++i) step();
  const long before = allocation_count.load();
  for (int i = 0; i < 10; ++i) step();
  CHECK(allocation_count.load() - before == 0);
}
