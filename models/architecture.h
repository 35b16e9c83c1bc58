// The networks the models are made of: a multilayer perceptron on the pixels (the
// paper's), or a convolutional one (the Keras and PyTorch tutorials' VAE). One builder
// for the VAE, the CVAE and the autoencoder, so that their layers are the same.
//
// Legend: N batch, D = H x W pixels, C conditions (one-hot classes), L layers.
//   mlp:  encoder [x | c] -> hidden... -> outputs;  decoder inputs -> hidden reversed... -> channels x D
//   conv: encoder x as [N, 1, H, W] -> L times (conv 4x4, stride 2, padding 1, activation),
//         each halving the image -> flatten -> [features | c] -> linear to outputs;
//         decoder inputs -> linear (activated) to hidden_L x H/2^L x W/2^L -> L times
//         (transposed conv 4x4, stride 2, padding 1), each doubling it, the activation
//         between them -> flatten to channels x D
// where `hidden` lists units per layer (mlp) or channels per convolution (conv; the
// encoder's order, the decoder mirrors it). `channels` is 1 (logits or means) or 2
// (means, then log-variances), laid out channel-major, [N, channels x D].
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nn/layers.h"

namespace aevb::models {

enum class Architecture { mlp, conv };
Architecture parse_architecture(const std::string& name);  // "mlp" or "conv"; throws naming both
const char* to_string(Architecture architecture);

struct NetworkShape {
  Architecture architecture = Architecture::mlp;
  std::vector<int64_t> hidden = {400};
  int64_t image_height = 0, image_width = 0;  // conv: the images' rows and columns (D = H W)
};
// The default hidden sizes of an architecture: 400 units, or convolutions of 32 and 64 channels.
std::vector<int64_t> default_hidden(Architecture architecture);
// Throws aevb::Error, saying why, for a shape the builders cannot make from D pixels
// (conv: H x W must equal D, and both halve evenly L times).
void check_network_shape(const NetworkShape& shape, int64_t pixels);

struct Encoder {
  std::unique_ptr<nn::Sequential> layers;
  size_t conditions_join_at;  // the layer whose input gets [.. | c]: 0 for mlp, the output layer for conv
};
Encoder make_encoder(const NetworkShape& shape, int64_t pixels, int64_t conditions, int64_t outputs,
                     nn::Activation activation, Rng& rng, std::optional<nn::Init> init);
std::unique_ptr<nn::Sequential> make_decoder(const NetworkShape& shape, int64_t inputs, int64_t pixels,
                                             int64_t channels, nn::Activation activation, Rng& rng,
                                             std::optional<nn::Init> init);
// The network on x, with `extra` [N, E] (an empty Var: none) joined to the input of
// layer `join_at` by concat along features.
Var forward_joined(nn::Sequential& network, size_t join_at, Var x, Var extra);

}  // namespace aevb::models
