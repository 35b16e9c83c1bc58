#include "models/architecture.h"

#include "autodiff/error.h"
#include "autodiff/ops.h"

namespace aevb::models {
namespace {

// The convolutions' window: 4x4 every 2 with 1 pixel of padding halves an even side
// exactly, and its transpose doubles it back.
constexpr Size2d kKernel{4, 4}, kStride{2, 2}, kPadding{1, 1};

nn::Init init_or_default(std::optional<nn::Init> init, nn::Activation activation) {
  return init.value_or(nn::default_init(activation));
}

std::vector<int64_t> sizes(int64_t in, const std::vector<int64_t>& hidden, int64_t out) {
  std::vector<int64_t> all = {in};
  all.insert(all.end(), hidden.begin(), hidden.end());
  all.push_back(out);
  return all;
}

// The side after L halvings (checked by check_network_shape)
int64_t halved(int64_t side, size_t layers) { return side >> layers; }

}  // namespace

Architecture parse_architecture(const std::string& name) {
  if (name == "mlp") return Architecture::mlp;
  if (name == "conv") return Architecture::conv;
  fail("unknown architecture '", name, "': expected mlp or conv");
}

const char* to_string(Architecture architecture) { return architecture == Architecture::conv ? "conv" : "mlp"; }

std::vector<int64_t> default_hidden(Architecture architecture) {
  return architecture == Architecture::conv ? std::vector<int64_t>{32, 64} : std::vector<int64_t>{400};
}

void check_network_shape(const NetworkShape& shape, int64_t pixels) {
  for (int64_t size : shape.hidden) check(size > 0, "hidden sizes must be positive, not ", size);
  if (shape.architecture == Architecture::mlp) return;
  const int64_t h = shape.image_height, w = shape.image_width, layers = static_cast<int64_t>(shape.hidden.size());
  check(h > 0 && w > 0 && h * w == pixels, "a convolutional network needs the images' rows and columns (",
        h, "x", w, " for ", pixels, " pixels)");
  check(layers >= 1 && layers <= 6, "a convolutional network takes 1 to 6 convolutions, not ", layers);
  const int64_t divisor = int64_t{1} << layers;
  check(h % divisor == 0 && w % divisor == 0, layers, " convolutions of stride 2 halve each side ", layers,
        " times: the images' ", h, "x", w, " must divide by ", divisor, " on both sides");
}

Encoder make_encoder(const NetworkShape& shape, int64_t pixels, int64_t conditions, int64_t outputs,
                     nn::Activation activation, Rng& rng, std::optional<nn::Init> init) {
  check_network_shape(shape, pixels);
  if (shape.architecture == Architecture::mlp)
    return {nn::make_mlp(sizes(pixels + conditions, shape.hidden, outputs), activation, rng, {.init = init}), 0};
  const nn::Init chosen = init_or_default(init, activation);
  auto layers = std::make_unique<nn::Sequential>();
  layers->add("unflatten", std::make_unique<nn::Unflatten>(1, shape.image_height, shape.image_width));
  int64_t channels = 1;
  for (size_t i = 0; i < shape.hidden.size(); ++i) {
    const std::string number = std::to_string(i + 1);
    layers->add("conv" + number, std::make_unique<nn::Conv2d>(nn::Conv2dShape{channels, shape.hidden[i], kKernel},
                                                              Conv2dOptions{.stride = kStride, .padding = kPadding},
                                                              rng, chosen));
    layers->add("activation" + number, std::make_unique<nn::ActivationLayer>(activation));
    channels = shape.hidden[i];
  }
  layers->add("flatten", std::make_unique<nn::Flatten>());
  const size_t output_layer = layers->size();
  const int64_t features = channels * halved(shape.image_height, shape.hidden.size()) *
                           halved(shape.image_width, shape.hidden.size());
  layers->add("output", std::make_unique<nn::Linear>(features + conditions, outputs, rng, chosen));
  return {std::move(layers), output_layer};
}

std::unique_ptr<nn::Sequential> make_decoder(const NetworkShape& shape, int64_t inputs, int64_t pixels,
                                             int64_t channels, nn::Activation activation, Rng& rng,
                                             std::optional<nn::Init> init) {
  check_network_shape(shape, pixels);
  if (shape.architecture == Architecture::mlp)
    return nn::make_mlp(sizes(inputs, {shape.hidden.rbegin(), shape.hidden.rend()}, channels * pixels), activation,
                        rng, {.init = init});
  const nn::Init chosen = init_or_default(init, activation);
  const size_t count = shape.hidden.size();
  const int64_t height = halved(shape.image_height, count), width = halved(shape.image_width, count);
  auto layers = std::make_unique<nn::Sequential>();
  layers->add("input", std::make_unique<nn::Linear>(inputs, shape.hidden.back() * height * width, rng, chosen,
                                                    activation));
  layers->add("unflatten", std::make_unique<nn::Unflatten>(shape.hidden.back(), height, width));
  for (size_t i = count; i-- > 0;) {
    const std::string number = std::to_string(count - i);
    const int64_t out = i == 0 ? channels : shape.hidden[i - 1];
    layers->add("deconv" + number, std::make_unique<nn::ConvTranspose2d>(
                                       nn::Conv2dShape{shape.hidden[i], out, kKernel},
                                       ConvTranspose2dOptions{.stride = kStride, .padding = kPadding}, rng, chosen));
    if (i > 0) layers->add("activation" + number, std::make_unique<nn::ActivationLayer>(activation));
  }
  layers->add("flatten", std::make_unique<nn::Flatten>());
  return layers;
}

Var forward_joined(nn::Sequential& network, size_t join_at, Var x, Var extra) {
  const std::vector<nn::Layer*>& layers = network.layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    if (i == join_at && extra.defined()) {
      const Var parts[] = {x, extra};  // on the stack: a training step allocates nothing
      x = concat(parts, 1);
    }
    x = layers[i]->forward(x);
  }
  return x;
}

}  // namespace aevb::models
