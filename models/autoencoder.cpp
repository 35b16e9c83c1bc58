#include "models/autoencoder.h"

#include "autodiff/ops.h"

namespace aevb::models {

Autoencoder::Autoencoder(const AutoencoderConfig& config, Rng& rng) : config_(config) {
  std::vector<int64_t> encoder_sizes = {config.inputs};
  encoder_sizes.insert(encoder_sizes.end(), config.hidden.begin(), config.hidden.end());
  encoder_sizes.push_back(config.code);
  std::vector<int64_t> decoder_sizes(encoder_sizes.rbegin(), encoder_sizes.rend());
  encoder_ = &adopt("encoder", nn::make_mlp(encoder_sizes, config.activation, rng));
  decoder_ = &adopt("decoder", nn::make_mlp(decoder_sizes, config.activation, rng));
}

Var Autoencoder::encode(Var x) { return encoder_->forward(x); }
Var Autoencoder::decode(Var code) { return decoder_->forward(code); }

Var Autoencoder::loss(Var input, Var target, Var* logits) {
  Var output = decode(encode(input));
  if (logits) *logits = output;
  return mean(sum(bce_with_logits(output, target), 1));
}

}  // namespace aevb::models
