#include "examples/studio/studio_model.h"

#include <algorithm>
#include <cstring>

#include "autodiff/error.h"
#include "autodiff/ops.h"

namespace aevb::studio {

const char* to_string(ModelKind kind) {
  switch (kind) {
    case ModelKind::vae:
      return "vae";
    case ModelKind::cvae:
      return "cvae";
    case ModelKind::ae:
      return "ae";
  }
  return "?";
}

StudioModel::StudioModel(const ModelSpec& spec) : spec_(spec) {
  Rng unused(0);  // the values come from copy_from
  if (spec.kind == ModelKind::ae)
    autoencoder_ = std::make_unique<models::Autoencoder>(spec.autoencoder, unused);
  else
    vae_ = std::make_unique<models::Vae>(spec.vae, unused);
}

nn::Module& StudioModel::module() {
  if (vae_) return *vae_;
  return *autoencoder_;
}

void StudioModel::copy_from(nn::Module& source) {
  std::vector<nn::NamedParameter> from = source.named_parameters(), to = module().named_parameters();
  check(from.size() == to.size(), "studio: the model has ", from.size(), " parameters, its copy ", to.size());
  for (size_t p = 0; p < from.size(); ++p) {
    const Tensor& value = from[p].parameter->value();
    Tensor& copy = to[p].parameter->value();
    check(value.shape() == copy.shape(), "studio: parameter ", from[p].name, " is ", value.shape(), ", its copy ",
          copy.shape());
    std::memcpy(copy.data(), value.data(), static_cast<size_t>(value.numel()) * sizeof(float));
  }
}

namespace {

// The one-hot rows of `labels` for C classes.
Tensor one_hot_rows(const std::vector<int>& labels, int64_t classes) {
  Tensor one_hot({static_cast<int64_t>(labels.size()), classes});
  for (size_t i = 0; i < labels.size(); ++i) one_hot.data()[static_cast<int64_t>(i) * classes + labels[i]] = 1.0f;
  return one_hot;
}

std::vector<float> values_of(Var v) { return {v.data(), v.data() + v.numel()}; }

}  // namespace

std::vector<float> StudioModel::encode(const std::vector<float>& images, int64_t count,
                                       const std::vector<int>& labels) const {
  NoGradGuard no_grad;
  Tape tape;
  Var x = tape.input({count, spec_.inputs()}, images.data());
  if (autoencoder_) return values_of(autoencoder_->encode(x));
  Var condition = spec_.kind == ModelKind::cvae ? tape.input(one_hot_rows(labels, spec_.conditions())) : Var();
  return values_of(vae_->encode(x, condition).loc);
}

std::vector<float> StudioModel::decode(const std::vector<float>& codes, int64_t count, int label) const {
  NoGradGuard no_grad;
  Tape tape;
  Var z = tape.input({count, spec_.latent()}, codes.data());
  if (autoencoder_) return values_of(sigmoid(autoencoder_->decode(z)));
  Var condition =
      spec_.kind == ModelKind::cvae
          ? tape.input(one_hot_rows(std::vector<int>(static_cast<size_t>(count), label), spec_.conditions()))
          : Var();
  Var mean = vae_->decoder_mean(vae_->decode(z, condition));
  std::vector<float> pixels = values_of(mean);
  for (float& p : pixels) p = std::clamp(p, 0.0f, 1.0f);  // a Gaussian decoder's mean may leave [0, 1]
  return pixels;
}

Var StudioModel::record_step(Tape& tape, const Tensor& images, const Tensor& one_hot, Rng& rng) {
  Var x = tape.input(images);
  if (autoencoder_) return autoencoder_->loss(x, x);
  Var condition = spec_.kind == ModelKind::cvae ? tape.input(one_hot) : Var();
  return vae_->elbo(x, condition, rng).loss;
}

}  // namespace aevb::studio
