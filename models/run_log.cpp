#include "models/run_log.h"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "autodiff/error.h"
#include "autodiff/files.h"
#include "autodiff/subprocess.h"

namespace aevb::models {
namespace {

// A value for the logs: 6 significant digits (what a reader compares; the checkpoint
// keeps every bit), null for inf and NaN.
nlohmann::ordered_json json_number(double value) {
  if (!std::isfinite(value)) return nullptr;
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return std::strtod(text, nullptr);
}

// A number of the logs as gnuplot reads it
std::string gnuplot_number(double value) {
  if (!std::isfinite(value)) return "NaN";
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

// The epoch a kept line belongs to, or a message saying why it is no epoch line.
struct EpochOfLine {
  bool is_epoch = false;  // false: a final line (JSON) or the header (TSV), skipped
  uint64_t epoch = 0;
  std::string problem;
};

EpochOfLine epoch_of_json(const std::string& line) {
  const nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
  if (record.is_discarded() || !record.is_object()) return {.problem = "is not a JSON object"};
  if (record.contains("final")) return {};
  const auto found = record.find("epoch");
  if (found == record.end() || !found->is_number_unsigned())
    return {.problem = "has no \"epoch\" that is a whole number of at least 0"};
  return {.is_epoch = true, .epoch = found->get<uint64_t>()};
}

EpochOfLine epoch_of_tsv(const std::string& line) {
  const size_t tab = std::min(line.find('\t'), line.size());
  uint64_t epoch = 0;
  auto [at, error] = std::from_chars(line.data(), line.data() + tab, epoch);
  if (tab == 0 || error != std::errc() || at != line.data() + tab)
    return {.problem = "does not start with an epoch number"};
  return {.is_epoch = true, .epoch = epoch};
}

}  // namespace

struct JsonLine::Object {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
};

JsonLine::JsonLine() : object_(std::make_unique<Object>()) {}
JsonLine::~JsonLine() = default;
JsonLine::JsonLine(const JsonLine& other) : object_(std::make_unique<Object>(*other.object_)) {}
JsonLine& JsonLine::operator=(const JsonLine& other) {
  *object_ = *other.object_;
  return *this;
}

JsonLine& JsonLine::add(const std::string& key, double value) {
  object_->json[key] = json_number(value);
  return *this;
}
JsonLine& JsonLine::add_integer(const std::string& key, int64_t value) {
  object_->json[key] = value;
  return *this;
}
JsonLine& JsonLine::add_bool(const std::string& key, bool value) {
  object_->json[key] = value;
  return *this;
}
JsonLine& JsonLine::add_text(const std::string& key, const std::string& value) {
  object_->json[key] = value;
  return *this;
}
JsonLine& JsonLine::add_numbers(const std::string& key, const std::vector<double>& values) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (double value : values) list.push_back(json_number(value));
  object_->json[key] = std::move(list);
  return *this;
}
JsonLine& JsonLine::add_object(const std::string& key, const JsonLine& object) {
  object_->json[key] = object.object_->json;
  return *this;
}
std::string JsonLine::str() const { return object_->json.dump(); }

RunLog::RunLog(std::string name, std::string header) : name_(std::move(name)), header_(std::move(header)) {}

void RunLog::keep_epochs_from(const std::string& path, uint64_t epochs) {
  lines_.clear();
  if (epochs == 0 || !std::filesystem::exists(path)) return;
  std::vector<uint8_t> bytes;
  try {
    bytes = files::read_regular_file(path, uint64_t{256} << 20);
  } catch (const Error& error) {
    refuse("--resume: the run's log ", error.what());
  }
  const std::string text(bytes.begin(), bytes.end());
  size_t start = 0;
  for (int number = 1; start < text.size(); ++number) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty() || (!header_.empty() && line == header_)) continue;
    const EpochOfLine parsed = header_.empty() ? epoch_of_json(line) : epoch_of_tsv(line);
    if (!parsed.problem.empty())
      refuse("--resume: '", path, "' line ", number, " ", parsed.problem, " (", line.substr(0, 60),
             line.size() > 60 ? "...)" : ")", "; move the file away to resume without the earlier epochs' lines");
    if (parsed.is_epoch && parsed.epoch <= epochs) lines_.push_back(line);
  }
}

void RunLog::write(const RunFolder& folder) const {
  std::string text = header_.empty() ? "" : header_ + "\n";
  for (const std::string& line : lines_) text += line + "\n";
  folder.write(name_, text);
}

std::string plot_with_gnuplot(const RunFolder& folder, const std::string& name, const std::string& script) {
  const std::string script_name = name + ".gnuplot", png = name + ".png";
  // The script draws `png` when a user runs it; here it draws a partial file first.
  const std::string partial = png + ".aevb-partial." + std::to_string(::getpid());
  folder.write(script_name, "if (!exists(\"output_file\")) output_file = '" + png + "'\n" + script);
  const ProgramRun run = run_program({"gnuplot", "-e", "output_file='" + partial + "'", script_name}, folder.path(""));
  std::error_code error;
  if (!run.found) {
    std::filesystem::remove(folder.path(partial), error);
    return script_name + " written; for " + png + " install gnuplot (apt-get install gnuplot-nox) and run it there";
  }
  const bool drawn = run.exit_status == 0 && std::filesystem::file_size(folder.path(partial), error) > 0 && !error;
  if (!drawn) {
    std::filesystem::remove(folder.path(partial), error);
    const std::string first_line = run.errors.substr(0, run.errors.find('\n'));
    fail("'", folder.path(png), "': gnuplot exited with status ", run.exit_status,
         first_line.empty() ? std::string() : ": " + first_line);
  }
  std::filesystem::rename(folder.path(partial), folder.path(png), error);
  if (error) fail("'", folder.path(png), "': cannot replace it: ", error.message());
  return "";
}

std::string curves_script(const RunLog& metrics, const std::vector<CurvePanel>& panels) {
  // The numbers go inline, one data block per panel: the script stands alone.
  std::string script = "set terminal pngcairo size 900," + std::to_string(330 * panels.size()) +
                       " noenhanced\nset output output_file\nset key outside right\nset grid\n";
  for (size_t p = 0; p < panels.size(); ++p) {
    script += "$panel" + std::to_string(p) + " << EOD\n";
    for (const std::string& line : metrics.lines()) {
      const nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
      if (!record.is_object() || !record.contains("epoch")) continue;
      script += std::to_string(record["epoch"].get<int64_t>());
      for (const auto& [key, legend] : panels[p].series) {
        const auto value = record.find(key);
        script += ' ';
        script += value != record.end() && value->is_number() ? gnuplot_number(value->get<double>()) : "NaN";
      }
      script += "\n";
    }
    script += "EOD\n";
  }
  // Whole epochs on the axis; fixed margins so that the panels line up.
  script += metrics.lines().size() <= 20 ? "set xtics 1\n" : "set format x '%.0f'\n";
  script += "set lmargin 10\nset rmargin 30\nset multiplot layout " + std::to_string(panels.size()) + ",1\n";
  for (size_t p = 0; p < panels.size(); ++p) {
    script += "set title '" + panels[p].title + "'\nset xlabel 'epoch'\nset ylabel '" + panels[p].y_label + "'\nplot ";
    for (size_t s = 0; s < panels[p].series.size(); ++s)
      script += std::string(s ? ", " : "") + "$panel" + std::to_string(p) + " using 1:" + std::to_string(s + 2) +
                " with linespoints title '" + panels[p].series[s].second + "'";
    script += "\n";
  }
  return script + "unset multiplot\n";
}

}  // namespace aevb::models
