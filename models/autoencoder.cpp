#include "models/autoencoder.h"

#include "autodiff/ops.h"

namespace aevb::models {

Autoencoder::Autoencoder(const AutoencoderConfig& config, Rng& rng) : config_(config) {
  const NetworkShape shape{config.architecture, config.hidden, config.image_height, config.image_width};
  encoder_ = &adopt("encoder", make_encoder(shape, config.inputs, 0, config.code, config.activation, rng, std::nullopt).layers);
  decoder_ = &adopt("decoder", make_decoder(shape, config.code, config.inputs, 1, config.activation, rng, std::nullopt));
}

Var Autoencoder::encode(Var x) { return encoder_->forward(x); }
Var Autoencoder::decode(Var code) { return decoder_->forward(code); }

Var Autoencoder::loss(Var input, Var target, Var* logits) {
  Var output = decode(encode(input));
  if (logits) *logits = output;
  return mean(sum(bce_with_logits(output, target), 1));
}

}  // namespace aevb::models
