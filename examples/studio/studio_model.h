// The model the studio shows, whichever it is (VAE, CVAE or autoencoder), seen through
// what the views need: codes of images, images of codes, and one training step on the
// tape. A StudioModel is a copy: the training thread fills it from the model it trains
// (copy_from), and the server reads it; nothing here touches the parameters training
// is writing.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "autodiff/kernels/rng.h"
#include "autodiff/tape.h"
#include "datasets/image_set.h"
#include "models/autoencoder.h"
#include "models/vae.h"

namespace aevb::studio {

enum class ModelKind { vae, cvae, ae };
const char* to_string(ModelKind kind);

// What the model is, enough to build another like it.
struct ModelSpec {
  ModelKind kind = ModelKind::vae;
  models::VaeConfig vae;                  // vae and cvae
  models::AutoencoderConfig autoencoder;  // ae
  int64_t latent() const { return kind == ModelKind::ae ? autoencoder.code : vae.latent; }
  int64_t inputs() const { return kind == ModelKind::ae ? autoencoder.inputs : vae.inputs; }
  int64_t conditions() const { return kind == ModelKind::cvae ? vae.conditions : 0; }
};

class StudioModel {
 public:
  explicit StudioModel(const ModelSpec& spec);
  const ModelSpec& spec() const { return spec_; }
  nn::Module& module();
  models::Vae* vae() { return vae_.get(); }  // null for an autoencoder

  // The values of every parameter of `source`, a model built from the same spec.
  void copy_from(nn::Module& source);

  // Codes of images [N, D] in [0, 1] (the posterior's mean for a VAE): [N, Z]. `labels`
  // (one per image) for a CVAE, else empty. Thread-safe: reads the parameters only.
  std::vector<float> encode(const std::vector<float>& images, int64_t count, const std::vector<int>& labels) const;
  // Images of codes z [N, Z] (the decoder's mean), [N, D] in [0, 1]; `label` for a CVAE.
  // Thread-safe as encode.
  std::vector<float> decode(const std::vector<float>& codes, int64_t count, int label) const;

  // One training step's forward on `tape`: the loss training differentiates (the
  // ELBO with one sample per image, or the reconstruction loss). Records the graph
  // that the tape view draws; the caller runs backward. Not thread-safe: backward
  // writes this model's gradients.
  Var record_step(Tape& tape, const Tensor& images, const Tensor& one_hot, Rng& rng);

 private:
  ModelSpec spec_;
  std::unique_ptr<models::Vae> vae_;
  std::unique_ptr<models::Autoencoder> autoencoder_;
};

}  // namespace aevb::studio
