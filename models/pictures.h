// Pictures of models at work, written as PNG: reconstructions, samples, the latent
// manifold and the latent codes coloured by class.
#pragma once

#include <string>
#include <vector>

#include "autodiff/tensor.h"
#include "datasets/image_set.h"
#include "models/autoencoder.h"
#include "models/evaluation.h"
#include "models/vae.h"

namespace aevb::models {

// Two rows per group of `columns` images: the originals above their reconstructions.
void write_pairs_png(const std::string& path, const std::vector<const Tensor*>& rows_of_images, int64_t count,
                     int64_t height, int64_t width);

// What a scatter picture says in words: a title, what each axis is, and one legend
// entry per class (its digit, or its Fashion-MNIST name).
struct ScatterText {
  std::string title;
  std::string x_axis, y_axis;
  std::vector<std::string> class_names;
  bool vertical_is_a_value = true;  // false: the extent is not written on the vertical axis
};

// Points [N, 2] as dots coloured by label on a white square with axes through 0, the
// extent written at the axes' ends, and a legend.
void write_scatter_png(const std::string& path, const Tensor& points, const std::vector<int>& labels,
                       const ScatterText& text);

// latent.png: codes [N, Z] coloured by label. Z = 2: the codes themselves; Z = 1: the
// code across, the class down (one band per class); Z > 2: the first two principal
// components. `what` names the codes ("posterior means", "codes"); the title and axes
// say which of the three the picture shows.
void write_latent_png(const std::string& path, const Tensor& codes, const std::vector<int>& labels,
                      const std::vector<std::string>& class_names, const std::string& what);

// The first two principal components of codes [N, Z] (Z >= 2, N >= 1): the codes
// projected, [N, 2].
Tensor principal_components_2d(const Tensor& codes);

// The grid of latent points of the paper's Figure 4: z = Phi^-1(u) for u on an evenly
// spaced grid over (0, 1)^2, `side` x `side` points, [side^2, 2].
Tensor latent_grid(int64_t side);

// The pictures of a training run, written into the folder `out`:
// reconstructions.png (test images over their reconstructions from the posterior
// means), samples.png (decoder means of prior draws; a CVAE's cycle through the
// classes), manifold.png (Z = 2, unconditional: Figure 4's grid), latent.png, and for
// a CVAE conditional.png (a row per class) or, with digit >= 0, digit_D.png.
void write_vae_pictures(Vae& vae, const std::string& out, const datasets::ImageSet& test_set, const EvaluationSet& test,
                        int digit, Rng& rng);
// An autoencoder's: reconstructions.png (denoising: denoising.png, clean over
// corrupted over restored) and latent.png.
void write_autoencoder_pictures(Autoencoder& autoencoder, const std::string& out, const datasets::ImageSet& test_set,
                                const EvaluationSet& test, bool denoising, const Corruption& corrupt, Rng& rng);

}  // namespace aevb::models
