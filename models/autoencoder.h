// The deterministic autoencoder and the denoising autoencoder (Vincent et al. 2008).
// Legend: N batch, D pixels, H hidden units, Z code size.
// Encoder: an MLP (or a convolutional network, models/architecture.h) from x to a code
// h [N, Z]; decoder: the mirror image, from h to D logits. The loss
// is the Bernoulli cross-entropy of the clean x under the decoder, summed over pixels
// and averaged over the batch; a denoising autoencoder encodes a corrupted x instead.
#pragma once

#include <vector>

#include "models/architecture.h"
#include "nn/layers.h"

namespace aevb::models {

struct AutoencoderConfig {
  int64_t inputs = 784;                 // D
  std::vector<int64_t> hidden = {400};  // H per layer (or channels per convolution), mirrored by the decoder
  Architecture architecture = Architecture::mlp;
  int64_t image_height = 0, image_width = 0;  // conv: the images' rows and columns
  int64_t code = 20;                    // Z
  nn::Activation activation = nn::Activation::relu;
};

class Autoencoder : public nn::Module {
 public:
  Autoencoder(const AutoencoderConfig& config, Rng& rng);
  const AutoencoderConfig& config() const { return config_; }
  Var encode(Var x);                   // [N, D] -> [N, Z]
  Var decode(Var code);                // [N, Z] -> [N, D] logits
  // Cross-entropy per image (nats), averaged over the batch: the decoder of the code of
  // `input` against `target` (input = target for a plain autoencoder).
  Var loss(Var input, Var target, Var* logits = nullptr);

 private:
  AutoencoderConfig config_;
  nn::Sequential* encoder_;
  nn::Sequential* decoder_;
};

}  // namespace aevb::models
