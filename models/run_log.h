// What a training run writes besides its checkpoint and pictures: per-epoch logs
// (metrics.jsonl, layers.tsv) and the plots gnuplot draws from them (curves.png,
// layers.png).
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/run_folder.h"

namespace aevb::models {

// One line of metrics.jsonl, keys in insertion order, written by nlohmann-json:
// fractions rounded to 6 significant digits, null for inf and NaN (which JSON lacks),
// whole numbers as integers.
class JsonLine {
 public:
  JsonLine();
  ~JsonLine();
  JsonLine(const JsonLine& other);
  JsonLine& operator=(const JsonLine& other);

  JsonLine& add(const std::string& key, double value);
  template <std::integral T>
    requires(!std::same_as<T, bool>)  // a bool goes through add_bool
  JsonLine& add(const std::string& key, T value) {
    return add_integer(key, static_cast<int64_t>(value));
  }
  JsonLine& add_bool(const std::string& key, bool value);
  JsonLine& add_text(const std::string& key, const std::string& value);
  JsonLine& add_numbers(const std::string& key, const std::vector<double>& values);
  JsonLine& add_object(const std::string& key, const JsonLine& object);
  std::string str() const;

 private:
  JsonLine& add_integer(const std::string& key, int64_t value);
  struct Object;  // an nlohmann::ordered_json, kept out of this installed header
  std::unique_ptr<Object> object_;
};

// A per-epoch log. Its lines are held in memory and the whole file is rewritten
// atomically after each epoch, so it is never seen half-written and a refused or
// failed start leaves the old one untouched. On resume, the lines of the epochs the
// checkpoint holds are kept from the file in the folder (keep_epochs_from, called
// before anything is written: a malformed line is refused naming the file and line).
class RunLog {
 public:
  // `header`: a first line kept as it is (a TSV's column names); "" for JSON lines.
  RunLog(std::string name, std::string header = "");
  void keep_epochs_from(const std::string& path, uint64_t epochs);
  void add(const std::string& line) { lines_.push_back(line); }
  void write(const RunFolder& folder) const;
  const std::string& name() const { return name_; }
  // The epoch lines (not the header, not the final line), for plots.
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  std::string name_, header_;
  std::vector<std::string> lines_;
};

// Draws `name`.png with gnuplot from `script`, which gnuplot runs in the folder (so
// the script names files by relative names only: nothing a user typed is in it) and
// which is kept as `name`.gnuplot for the user to run again. The PNG appears
// atomically. Returns "" when drawn, or a line saying gnuplot is not installed; throws
// naming the file when gnuplot fails.
std::string plot_with_gnuplot(const RunFolder& folder, const std::string& name, const std::string& script);

// The gnuplot script of curves.png: `columns` of metrics.jsonl per epoch, in panels of
// (title, {column, legend}...), nats per image against epochs.
struct CurvePanel {
  std::string title;
  std::vector<std::pair<std::string, std::string>> series;  // metrics key, legend
  std::string y_label = "nats per image";
};
std::string curves_script(const RunLog& metrics, const std::vector<CurvePanel>& panels);

}  // namespace aevb::models
