// What each view of the studio shows, computed by aevb from a snapshot of the model:
// the latent plane, decoded images, reconstructions and samples, and the tape of one
// training step. Each returns JSON for the page; none touches the training model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "autodiff/inspect.h"
#include "autodiff/tape.h"
#include "datasets/image_set.h"
#include "examples/studio/studio_model.h"

namespace aevb::studio {

// Images as the model reads them: [N, D] in [0, 1], with their labels (or none).
struct ImageRows {
  std::vector<float> pixels;
  std::vector<int> labels;
  int64_t count = 0, rows = 0, columns = 0;
  int classes = 0;
  int64_t size() const { return rows * columns; }
};
// The first `limit` images of `set`.
ImageRows image_rows(const datasets::ImageSet& set, int64_t limit);

// The plane the latent view draws: z = origin + x * axes[0] + y * axes[1]. For Z = 2
// the latent itself (origin 0, the unit axes); else the test codes' two principal
// directions through their mean.
struct LatentPlane {
  std::vector<double> origin;
  std::vector<double> axes[2];
  std::string names[2];  // "z1", or "PC1 (62% of the variance)"
  std::vector<float> code(double x, double y) const;
};

// The test codes in the plane: {axes, points: {x, y, label}, ranges, plane}.
struct LatentView {
  LatentPlane plane;
  nlohmann::json json;
};
LatentView latent_view(const StudioModel& model, const ImageRows& test);

// An image as the page draws it: {width, height, pixels: 0..255 row-major}.
nlohmann::json image_json(const float* pixels, int64_t rows, int64_t columns);

// Decoded images of codes [count, Z], one JSON image each.
nlohmann::json decoded_images(const StudioModel& model, const std::vector<float>& codes, int64_t count, int label,
                              int64_t rows, int64_t columns);

// `count` test images spread over the set, their reconstructions, and `count` samples
// from the prior (drawn with `seed`: the same for a snapshot).
nlohmann::json pictures(const StudioModel& model, const ImageRows& test, int64_t count, uint64_t seed);

// `steps` images along the straight line between test images a and b's codes.
nlohmann::json interpolation(const StudioModel& model, const ImageRows& test, int64_t a, int64_t b, int64_t steps,
                             int label);

// The inference lab's view of test image `index`'s posterior (a VAE with a 2-D latent,
// models/inference/lab.h): the exact p(z | x) by quadrature and the encoder's q on a
// 64 x 64 grid, with the levels holding 50/90/99% of the exact mass and 90% of q's, and
// log p(x). Seconds of work: the model is `model`'s own copy (the lab freezes and
// differentiates it).
nlohmann::json exact_posterior_view(StudioModel& model, const ImageRows& test, int64_t index);

// The tape of one step, for the tape view: every node (op, kind, shape, module, ELBO
// term, value and gradient statistics and histograms, the op's formula and derivative
// from nn/op_formulas.h), every edge with the gradient norm that flowed along it, the
// backward pass in the order it ran, and the first node holding a non-finite value
// (forward order) or gradient (backward order). `trace` null: forward only (a loss that
// is not finite is not differentiated).
nlohmann::json describe_step(const Tape& tape, Var loss, const BackwardTrace* trace);
// Graphviz dot of a described step: nodes grouped in clusters by ELBO term and, inside,
// by module; ids "n<i>"
// and "e<from>_<to>" for the page, edges thicker for more gradient.
std::string step_dot(const nlohmann::json& step);
// The dot laid out as SVG by Graphviz (`dot -Tsvg`, run without a shell), or nullopt
// with `error` set when dot is missing or fails.
std::optional<std::string> render_svg(const std::string& dot, std::string& error);

// The ELBO term a node's module belongs to: encoder, reparameterization, decoder,
// reconstruction, kl, loss (or prior, or data for leaves outside any module).
std::string term_of(const std::string* module);

}  // namespace aevb::studio
