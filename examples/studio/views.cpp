#include "examples/studio/views.h"

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "autodiff/error.h"
#include "autodiff/subprocess.h"
#include "models/inference/lab.h"
#include "models/inference/quadrature.h"
#include "models/inference/variational.h"
#include "nn/op_formulas.h"

namespace aevb::studio {
namespace {

nlohmann::json number(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(); }

// Mean, standard deviation, extremes, L2 norm and non-finite count of `count` values,
// and a 20-bin histogram of the finite ones between their extremes.
nlohmann::json statistics(const float* values, int64_t count) {
  constexpr int kBins = 20;
  double sum = 0, squares = 0, low = std::numeric_limits<double>::infinity(), high = -low;
  int64_t finite = 0;
  for (int64_t i = 0; i < count; ++i) {
    const double v = values[i];
    if (!std::isfinite(v)) continue;
    ++finite;
    sum += v;
    squares += v * v;
    low = std::min(low, v);
    high = std::max(high, v);
  }
  nlohmann::json out = {{"count", count}, {"nonfinite", count - finite}};
  if (finite == 0) return out;
  const double mean = sum / static_cast<double>(finite);
  out["mean"] = mean;
  out["std"] = std::sqrt(std::max(0.0, squares / static_cast<double>(finite) - mean * mean));
  out["min"] = low;
  out["max"] = high;
  out["norm"] = std::sqrt(squares);
  std::vector<int64_t> bins(kBins, 0);
  const double width = high > low ? (high - low) / kBins : 1.0;
  for (int64_t i = 0; i < count; ++i) {
    const double v = values[i];
    if (!std::isfinite(v)) continue;
    bins[static_cast<size_t>(std::min<int64_t>(kBins - 1, static_cast<int64_t>((v - low) / width)))]++;
  }
  out["histogram"] = {{"low", low}, {"high", high > low ? high : low + 1.0}, {"bins", bins}};
  return out;
}

bool all_finite(const float* values, int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    if (!std::isfinite(values[i])) return false;
  return true;
}

std::string shape_text(const Shape& shape) {
  std::ostringstream out;
  out << shape;
  return out.str();
}

// The two leading eigenvectors of a symmetric matrix [n, n] (power iteration with
// deflation, from a fixed start: the same codes give the same axes) and their eigenvalues.
void leading_eigenvectors(std::vector<double> matrix, int64_t n, std::vector<double> vectors[2], double values[2]) {
  for (int k = 0; k < 2; ++k) {
    std::vector<double> v(static_cast<size_t>(n)), next(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = 1.0 + 0.01 * static_cast<double>(i);
    double eigenvalue = 0;
    for (int iteration = 0; iteration < 500; ++iteration) {
      double norm = 0;
      for (int64_t i = 0; i < n; ++i) {
        double s = 0;
        for (int64_t j = 0; j < n; ++j) s += matrix[static_cast<size_t>(i * n + j)] * v[static_cast<size_t>(j)];
        next[static_cast<size_t>(i)] = s;
        norm += s * s;
      }
      norm = std::sqrt(norm);
      if (norm == 0) break;
      double change = 0;
      for (int64_t i = 0; i < n; ++i) {
        const double updated = next[static_cast<size_t>(i)] / norm;
        change = std::max(change, std::fabs(updated - v[static_cast<size_t>(i)]));
        v[static_cast<size_t>(i)] = updated;
      }
      eigenvalue = norm;
      if (change < 1e-10) break;
    }
    // A sign that does not flip between snapshots: the largest entry positive.
    const auto largest =
        std::max_element(v.begin(), v.end(), [](double a, double b) { return std::fabs(a) < std::fabs(b); });
    if (*largest < 0)
      for (double& x : v) x = -x;
    vectors[k] = v;
    values[k] = eigenvalue;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        matrix[static_cast<size_t>(i * n + j)] -= eigenvalue * v[static_cast<size_t>(i)] * v[static_cast<size_t>(j)];
  }
}

}  // namespace

ImageRows image_rows(const datasets::ImageSet& set, int64_t limit) {
  ImageRows rows;
  rows.count = std::min(limit, set.count);
  rows.rows = set.rows;
  rows.columns = set.columns;
  rows.classes = set.classes;
  rows.pixels.resize(static_cast<size_t>(rows.count * rows.size()));
  for (size_t i = 0; i < rows.pixels.size(); ++i) rows.pixels[i] = static_cast<float>(set.pixels[i]) / 255.0f;
  if (set.labelled()) rows.labels.assign(set.labels.begin(), set.labels.begin() + rows.count);
  return rows;
}

std::vector<float> LatentPlane::code(double x, double y) const {
  std::vector<float> z(origin.size());
  for (size_t i = 0; i < origin.size(); ++i) z[i] = static_cast<float>(origin[i] + x * axes[0][i] + y * axes[1][i]);
  return z;
}

LatentView latent_view(const StudioModel& model, const ImageRows& test) {
  const int64_t n = test.count, z = model.spec().latent();
  const std::vector<float> codes = model.encode(test.pixels, n, test.labels);
  LatentView view;
  LatentPlane& plane = view.plane;
  plane.origin.assign(static_cast<size_t>(z), 0.0);
  if (z == 1) {
    plane.axes[0] = {1.0};
    plane.axes[1] = {0.0};
    plane.names[0] = "z1";
    plane.names[1] = "(none: the latent is 1-D)";
  } else if (z == 2) {
    plane.axes[0] = {1.0, 0.0};
    plane.axes[1] = {0.0, 1.0};
    plane.names[0] = "z1";
    plane.names[1] = "z2";
  } else {
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < z; ++j) plane.origin[static_cast<size_t>(j)] += codes[static_cast<size_t>(i * z + j)];
    for (double& m : plane.origin) m /= static_cast<double>(std::max<int64_t>(n, 1));
    std::vector<double> covariance(static_cast<size_t>(z * z), 0.0);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t a = 0; a < z; ++a) {
        const double da = codes[static_cast<size_t>(i * z + a)] - plane.origin[static_cast<size_t>(a)];
        for (int64_t b = 0; b < z; ++b)
          covariance[static_cast<size_t>(a * z + b)] +=
              da * (codes[static_cast<size_t>(i * z + b)] - plane.origin[static_cast<size_t>(b)]);
      }
    double trace = 0;
    for (int64_t a = 0; a < z; ++a) trace += covariance[static_cast<size_t>(a * z + a)];
    double eigenvalues[2];
    leading_eigenvectors(covariance, z, plane.axes, eigenvalues);
    for (int k = 0; k < 2; ++k) {
      char name[96];
      std::snprintf(name, sizeof name, "PC%d of z (%.0f%% of the codes' variance)", k + 1,
                    trace > 0 ? 100 * eigenvalues[k] / trace : 0.0);
      plane.names[k] = name;
    }
  }
  std::vector<double> xs(static_cast<size_t>(n)), ys(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    double x = 0, y = 0;
    for (int64_t j = 0; j < z; ++j) {
      const double centred = codes[static_cast<size_t>(i * z + j)] - plane.origin[static_cast<size_t>(j)];
      x += centred * plane.axes[0][static_cast<size_t>(j)];
      y += centred * plane.axes[1][static_cast<size_t>(j)];
    }
    xs[static_cast<size_t>(i)] = x;
    ys[static_cast<size_t>(i)] = y;
  }
  auto range = [](const std::vector<double>& v) {
    double low = -3, high = 3;  // at least the prior's bulk
    for (double x : v)
      if (std::isfinite(x)) low = std::min(low, x), high = std::max(high, x);
    const double margin = 0.05 * (high - low);
    return nlohmann::json::array({low - margin, high + margin});
  };
  std::vector<nlohmann::json> xs_json, ys_json;
  for (int64_t i = 0; i < n; ++i) {
    xs_json.push_back(number(xs[static_cast<size_t>(i)]));
    ys_json.push_back(number(ys[static_cast<size_t>(i)]));
  }
  view.json = {{"latent", z},
               {"axes", {plane.names[0], plane.names[1]}},
               {"x", xs_json},
               {"y", ys_json},
               {"labels", test.labels},
               {"classes", test.classes},
               {"conditions", model.spec().conditions()},
               {"range", {{"x", range(xs)}, {"y", range(ys)}}},
               {"plane", {{"origin", plane.origin}, {"axes", {plane.axes[0], plane.axes[1]}}}}};
  return view;
}

nlohmann::json image_json(const float* pixels, int64_t rows, int64_t columns) {
  std::vector<int> bytes(static_cast<size_t>(rows * columns));
  for (size_t i = 0; i < bytes.size(); ++i) {
    const float p = std::isfinite(pixels[i]) ? std::clamp(pixels[i], 0.0f, 1.0f) : 0.0f;
    bytes[i] = static_cast<int>(std::lround(p * 255.0f));
  }
  return {{"width", columns}, {"height", rows}, {"pixels", bytes}};
}

nlohmann::json decoded_images(const StudioModel& model, const std::vector<float>& codes, int64_t count, int label,
                              int64_t rows, int64_t columns) {
  const std::vector<float> pixels = model.decode(codes, count, label);
  nlohmann::json images = nlohmann::json::array();
  for (int64_t i = 0; i < count; ++i) images.push_back(image_json(pixels.data() + i * rows * columns, rows, columns));
  return images;
}

nlohmann::json pictures(const StudioModel& model, const ImageRows& test, int64_t count, uint64_t seed) {
  count = std::min(count, test.count);
  const int64_t d = test.size(), z = model.spec().latent();
  // Images spread over the set: one stored class by class shows several classes.
  std::vector<float> originals;
  std::vector<int> labels;
  for (int64_t i = 0; i < count; ++i) {
    const int64_t index = i * test.count / count;
    originals.insert(originals.end(), test.pixels.begin() + index * d, test.pixels.begin() + (index + 1) * d);
    if (!test.labels.empty()) labels.push_back(test.labels[static_cast<size_t>(index)]);
  }
  const std::vector<float> codes = model.encode(originals, count, labels);
  nlohmann::json out = {{"originals", nlohmann::json::array()},
                        {"reconstructions", nlohmann::json::array()},
                        {"samples", nlohmann::json::array()}};
  const bool conditional = model.spec().conditions() > 0;
  // A CVAE reconstructs each image with its own label.
  for (int64_t i = 0; i < count; ++i) {
    const std::vector<float> one(codes.begin() + i * z, codes.begin() + (i + 1) * z);
    out["originals"].push_back(image_json(originals.data() + i * d, test.rows, test.columns));
    out["reconstructions"].push_back(
        decoded_images(model, one, 1, conditional ? labels[static_cast<size_t>(i)] : 0, test.rows, test.columns)[0]);
  }
  if (model.spec().kind != ModelKind::ae) {  // an autoencoder has no prior to sample
    Rng rng(seed);
    std::vector<float> prior(static_cast<size_t>(count * z));
    for (float& v : prior) v = rng.normal();
    for (int64_t i = 0; i < count; ++i) {
      const std::vector<float> one(prior.begin() + i * z, prior.begin() + (i + 1) * z);
      out["samples"].push_back(decoded_images(model, one, 1,
                                              conditional ? static_cast<int>(i % model.spec().conditions()) : 0,
                                              test.rows, test.columns)[0]);
    }
  }
  return out;
}

nlohmann::json interpolation(const StudioModel& model, const ImageRows& test, int64_t a, int64_t b, int64_t steps,
                             int label) {
  const int64_t d = test.size(), z = model.spec().latent();
  std::vector<float> ends(test.pixels.begin() + a * d, test.pixels.begin() + (a + 1) * d);
  ends.insert(ends.end(), test.pixels.begin() + b * d, test.pixels.begin() + (b + 1) * d);
  std::vector<int> labels;
  if (!test.labels.empty()) labels = {test.labels[static_cast<size_t>(a)], test.labels[static_cast<size_t>(b)]};
  const std::vector<float> codes = model.encode(ends, 2, labels);
  std::vector<float> path(static_cast<size_t>(steps * z));
  for (int64_t s = 0; s < steps; ++s) {
    const float t = steps > 1 ? static_cast<float>(s) / static_cast<float>(steps - 1) : 0.0f;
    for (int64_t j = 0; j < z; ++j)
      path[static_cast<size_t>(s * z + j)] =
          (1 - t) * codes[static_cast<size_t>(j)] + t * codes[static_cast<size_t>(z + j)];
  }
  return {{"a", a}, {"b", b}, {"images", decoded_images(model, path, steps, label, test.rows, test.columns)}};
}

nlohmann::json exact_posterior_view(StudioModel& model, const ImageRows& test, int64_t index) {
  namespace inference = models::inference;
  models::Vae& vae = *model.vae();
  Tensor image({1, test.size()});
  std::copy(test.pixels.begin() + index * test.size(), test.pixels.begin() + (index + 1) * test.size(), image.data());
  inference::VaePosterior target(vae, image);
  const std::vector<inference::PosteriorGrid> exact = inference::exact_posterior(target);
  Tensor loc, log_variance;
  inference::encoder_parameters(vae, image, loc, log_variance);
  const inference::PosteriorView view =
      inference::posterior_views(vae, target, exact, loc, log_variance, nullptr, 64)[0];
  return {{"image", index},
          {"label", test.labels.empty() ? nlohmann::json() : nlohmann::json(test.labels[static_cast<size_t>(index)])},
          {"low", {view.low[0], view.low[1]}},
          {"high", {view.high[0], view.high[1]}},
          {"side", view.side},
          {"exact", view.exact},
          {"exact_levels", view.exact_levels},
          {"encoder", view.encoder},
          {"encoder_level", view.encoder_level},
          {"log_marginal", exact[0].log_marginal},
          {"converged", exact[0].converged},
          {"exact_mean", exact[0].mean},
          {"encoder_mean", {loc.data()[0], loc.data()[1]}}};
}

std::string term_of(const std::string* module) {
  if (module == nullptr || module->empty()) return "data";
  const std::string first = module->substr(0, module->find('.'));
  return first;
}

nlohmann::json describe_step(const Tape& tape, Var loss, const BackwardTrace* trace) {
  const int32_t last = loss.index();
  // What each node passed to each input, from the trace: (node, input) -> norms, in
  // argument order (an input used twice appears twice).
  std::map<std::pair<int32_t, int32_t>, std::vector<double>> passed;
  if (trace != nullptr)
    for (const BackwardTrace::Step& step : trace->steps)
      for (const auto& [input, norm] : step.passed) passed[{step.node, input}].push_back(norm);
  nlohmann::json nodes = nlohmann::json::array(), edges = nlohmann::json::array();
  nlohmann::json first_bad_value, first_bad_gradient;
  for (int32_t i = 0; i <= last; ++i) {
    const Node& node = tape.node_at(i);
    const int64_t count = node.shape.numel();
    nlohmann::json described = {{"id", i},
                                {"op", node.op},
                                {"kind", to_string(node.kind)},
                                {"shape", shape_text(node.shape)},
                                {"module", node.module ? *node.module : ""},
                                {"term", term_of(node.module)},
                                {"value", statistics(node.value, count)}};
    if (node.kind == NodeKind::parameter && node.parameter != nullptr)  // its name in the model
      described["parameter"] = node.module ? *node.module + "." + node.parameter->name() : node.parameter->name();
    std::vector<int32_t> inputs(node.inputs, node.inputs + node.input_count);
    described["inputs"] = inputs;
    const bool has_gradient = trace != nullptr && node.requires_grad && node.grad != nullptr;
    if (has_gradient) described["gradient"] = statistics(node.grad, count);
    if (const OpFormula* formula = node.kind == NodeKind::op ? find_op_formula(node.op) : nullptr) {
      described["formula"] = formula->formula;
      described["source"] = formula->source;
    }
    if (first_bad_value.is_null() && !all_finite(node.value, count))
      first_bad_value = {{"node", i}, {"what", "value"}, {"origin", tape.describe_origin(i)}};
    nodes.push_back(std::move(described));
    std::map<int32_t, size_t> seen;  // an input used twice: its k-th use
    for (int32_t input : inputs) {
      const size_t k = seen[input]++;
      nlohmann::json edge = {
          {"from", input},
          {"to", i},
          {"id", "e" + std::to_string(input) + "_" + std::to_string(i) + (k > 0 ? "_" + std::to_string(k) : "")}};
      if (auto found = passed.find({i, input}); found != passed.end() && k < found->second.size())
        edge["gradient_norm"] = number(found->second[k]);
      edges.push_back(std::move(edge));
    }
  }
  nlohmann::json order = nlohmann::json::array();
  if (trace != nullptr)
    for (const BackwardTrace::Step& step : trace->steps) {
      nlohmann::json to = nlohmann::json::array();
      for (const auto& [input, norm] : step.passed) to.push_back({{"node", input}, {"gradient_norm", number(norm)}});
      order.push_back({{"node", step.node}, {"passed", to}});
      // The node's own gradient, then its leaf inputs' (a parameter's is not a step).
      std::vector<int32_t> checked = {step.node};
      for (const auto& [input, norm] : step.passed)
        if (tape.node_at(input).kind != NodeKind::op) checked.push_back(input);
      for (int32_t index : checked) {
        const Node& node = tape.node_at(index);
        if (first_bad_gradient.is_null() && node.grad != nullptr && !all_finite(node.grad, node.shape.numel()))
          first_bad_gradient = {{"node", index}, {"what", "gradient"}};
      }
    }
  return {{"nodes", nodes},
          {"edges", edges},
          {"backward", order},
          {"loss", {{"node", last}, {"value", number(loss.item())}}},
          {"differentiated", trace != nullptr},
          {"first_nonfinite", !first_bad_value.is_null() ? first_bad_value : first_bad_gradient}};
}

namespace {

// A dot string: quotes and backslashes escaped, a line break as dot's own "\n".
std::string dot_quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

const char* fill_of(const std::string& kind) {
  if (kind == "parameter") return "#cfe3ff";
  if (kind == "input") return "#e6e6e6";
  if (kind == "noise") return "#fff0b3";
  return "#ffffff";
}

}  // namespace

std::string step_dot(const nlohmann::json& step) {
  std::ostringstream dot;
  dot << "digraph step {\n  rankdir=LR; nodesep=0.12; ranksep=0.3;\n"
         "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10, margin=\"0.06,0.03\"];\n"
         "  edge [color=\"#5a6b8c\", arrowsize=0.5];\n";
  std::map<std::string, std::vector<const nlohmann::json*>> by_term;
  std::vector<std::string> term_order;
  for (const nlohmann::json& node : step["nodes"]) {
    const std::string term = node["term"];
    if (!by_term.count(term)) term_order.push_back(term);
    by_term[term].push_back(&node);
  }
  // A cluster per ELBO term, and inside it one per module that is not the term itself
  // (encoder.hidden1 inside encoder).
  for (const std::string& term : term_order) {
    dot << "  subgraph " << dot_quoted("cluster_" + term) << " {\n    label=" << dot_quoted(term)
        << "; style=\"rounded,dashed\"; color=\"#9aa5b8\"; fontname=\"Helvetica\"; fontsize=11;\n";
    std::map<std::string, std::vector<const nlohmann::json*>> by_module;
    for (const nlohmann::json* node : by_term[term]) by_module[node->at("module").get<std::string>()].push_back(node);
    for (const auto& [module, nodes] : by_module) {
      const bool own = !module.empty() && module != term;
      if (own)
        dot << "    subgraph " << dot_quoted("cluster_" + module) << " {\n      label=" << dot_quoted(module)
            << "; style=\"rounded\"; color=\"#d0d6e2\"; fontname=\"Helvetica\"; fontsize=9;\n";
      for (const nlohmann::json* node : nodes) {
        const std::string id = "n" + std::to_string(node->at("id").get<int>());
        const std::string kind = (*node)["kind"];
        std::string label = kind == "op" ? node->at("op").get<std::string>() : kind;
        if (node->contains("parameter")) label = node->at("parameter").get<std::string>();
        label += "\n" + node->at("shape").get<std::string>();
        dot << (own ? "      " : "    ") << id << " [id=" << dot_quoted(id) << ", label=" << dot_quoted(label)
            << ", fillcolor=" << dot_quoted(fill_of(kind)) << "];\n";
      }
      if (own) dot << "    }\n";
    }
    dot << "  }\n";
  }
  double low = std::numeric_limits<double>::infinity(), high = 0;
  for (const nlohmann::json& edge : step["edges"])
    if (edge.contains("gradient_norm") && edge["gradient_norm"].is_number()) {
      const double g = edge["gradient_norm"];
      if (g > 0) low = std::min(low, g), high = std::max(high, g);
    }
  for (const nlohmann::json& edge : step["edges"]) {
    double width = 1.0;
    if (edge.contains("gradient_norm") && edge["gradient_norm"].is_number() && high > low) {
      const double g = edge["gradient_norm"];
      if (g > 0) width = 0.6 + 4.4 * (std::log(g) - std::log(low)) / (std::log(high) - std::log(low));
    }
    char pen[32];
    std::snprintf(pen, sizeof pen, "%.2f", width);
    dot << "  n" << edge["from"].get<int>() << " -> n" << edge["to"].get<int>()
        << " [id=" << dot_quoted(edge["id"].get<std::string>()) << ", penwidth=" << pen << "];\n";
  }
  dot << "}\n";
  return dot.str();
}

std::optional<std::string> render_svg(const std::string& dot, std::string& error) {
  std::string folder_pattern = (std::filesystem::temp_directory_path() / "aevb-studio-XXXXXX").string();
  if (::mkdtemp(folder_pattern.data()) == nullptr) {
    error = "cannot make a temporary folder for Graphviz";
    return std::nullopt;
  }
  const std::filesystem::path folder = folder_pattern;
  std::optional<std::string> svg;
  {
    std::ofstream(folder / "step.dot") << dot;
    const ProgramRun run = run_program({"dot", "-Tsvg", "step.dot", "-o", "step.svg"}, folder.string());
    if (!run.found) {
      error = "Graphviz's dot is not installed (bash examples/setup.sh installs it)";
    } else if (run.exit_status != 0) {
      error = "dot failed: " + run.errors;
    } else {
      std::ifstream in(folder / "step.svg");
      std::ostringstream text;
      text << in.rdbuf();
      svg = text.str();
      if (svg->empty()) {
        error = "dot wrote no SVG";
        svg.reset();
      }
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(folder, ignored);
  return svg;
}

}  // namespace aevb::studio
