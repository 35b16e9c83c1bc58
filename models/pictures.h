// Pictures of models at work, written as PNG: reconstructions, samples, the latent
// manifold and the latent codes coloured by class.
#pragma once

#include <string>
#include <vector>

#include "autodiff/tensor.h"

namespace aevb::models {

// Two rows per group of `columns` images: the originals above their reconstructions.
void write_pairs_png(const std::string& path, const std::vector<const Tensor*>& rows_of_images, int64_t count,
                     int64_t height, int64_t width);

// Points [N, 2] as dots coloured by label on a white square with axes through 0.
void write_scatter_png(const std::string& path, const Tensor& points, const std::vector<int>& labels,
                       const std::string& title_note = "");

// The first two principal components of codes [N, Z] (Z >= 2): the codes projected, [N, 2].
Tensor principal_components_2d(const Tensor& codes);

// The grid of latent points of the paper's Figure 4: z = Phi^-1(u) for u on an evenly
// spaced grid over (0, 1)^2, `side` x `side` points, [side^2, 2].
Tensor latent_grid(int64_t side);

}  // namespace aevb::models
