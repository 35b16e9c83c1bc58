// Flag parsing shared by the example programs: a refused flag gives one line that names
// it and what it accepts (CLI11's message), and exit status 2; --help exits 0 and shows
// every flag's default and its range or choices.
#pragma once

#include <CLI/CLI.hpp>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "autodiff/kernels/isa.h"
#include "models/run_configuration.h"

namespace aevb::examples {

inline std::string shortest(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

// A floating-point flag in [low, high]. CLI::Range lets NaN through (every comparison
// with NaN is false) and prints its bounds as 0.000000; this refuses NaN and the
// infinities, and prints the bounds as written.
inline CLI::Validator finite_range(double low, double high) {
  const std::string range = "[" + shortest(low) + " - " + shortest(high) + "]";
  return CLI::Validator(
      [low, high, range](std::string& input) -> std::string {
        const char* text = input.c_str();
        char* end = nullptr;
        errno = 0;
        const double value = std::strtod(text, &end);
        if (end == text || *end != '\0') return "'" + input + "' is not a number (expected one in " + range + ")";
        if (!std::isfinite(value)) return "'" + input + "' is not finite (expected a number in " + range + ")";
        if (value < low || value > high) return "'" + input + "' is outside " + range;
        return {};
      },
      "FLOAT in " + range);
}

// An unsigned 64-bit decimal integer (CLI11 would saturate one above 2^64 - 1 silently).
inline CLI::Validator unsigned_64() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        uint64_t value = 0;
        const char* end = input.data() + input.size();
        auto [at, error] = std::from_chars(input.data(), end, value);
        if (input.empty() || error == std::errc::invalid_argument || at != end)
          return "'" + input + "' is not an unsigned decimal integer";
        if (error == std::errc::result_out_of_range) return "'" + input + "' is above 18446744073709551615 (2^64 - 1)";
        return {};
      },
      "UINT in [0 - 18446744073709551615]");
}

// A list of sizes such as "400" or "500,500": each an integer in [1, max]. (CLI11's own
// delimiter splitting turns ",,," into empty values and then takes the next flag as one.)
inline CLI::Validator size_list(int64_t max) {
  const std::string what = "sizes in [1 - " + std::to_string(max) + "] separated by commas, like 400 or 500,500";
  return CLI::Validator(
      [max, what](std::string& input) -> std::string {
        size_t start = 0;
        do {
          const size_t comma = std::min(input.find(',', start), input.size());
          int64_t value = 0;
          const char *first = input.data() + start, *last = input.data() + comma;
          auto [at, error] = std::from_chars(first, last, value);
          if (first == last || error != std::errc() || at != last || value < 1 || value > max)
            return "'" + input + "' is not a list of " + what;
          start = comma + 1;
        } while (start <= input.size());
        return {};
      },
      "LIST of sizes in [1 - " + std::to_string(max) + "]");
}

// The sizes of a list that size_list accepted.
inline std::vector<int64_t> sizes_of(const std::string& list) { return models::sizes_from_text(list); }

// The environment the kernels read, checked before anything runs: a bad AEVB_ISA, and an
// OMP_NUM_THREADS that libgomp would try to honour (100000 threads crash it; 20000 stall).
inline constexpr int kMostThreads = 1024;
inline std::string environment_problem() {
  try {
    (void)kernels::active_isa();
  } catch (const std::exception& error) {
    return error.what();
  }
  if (const char* threads = std::getenv("OMP_NUM_THREADS"); threads != nullptr && *threads != '\0') {
    // libgomp accepts a list of counts per nesting level: each must be in range.
    const std::string list = threads;
    for (size_t start = 0; start <= list.size();) {
      const size_t comma = std::min(list.find(',', start), list.size());
      int value = 0;
      const char *first = list.data() + start, *last = list.data() + comma;
      auto [at, error] = std::from_chars(first, last, value);
      if (first == last || error != std::errc() || at != last || value < 1 || value > kMostThreads)
        return "OMP_NUM_THREADS=" + list + ": expected a thread count in [1 - " + std::to_string(kMostThreads) + "]";
      start = comma + 1;
    }
  }
  return {};
}

// --threads N for the kernels' thread count (0, the default: OMP_NUM_THREADS, else all cores).
inline void add_threads_flag(CLI::App& app, int& threads) {
  app.add_option("--threads", threads,
                 "threads for large matrix products; results do not depend on it (default OMP_NUM_THREADS, else all "
                 "cores)")
      ->check(CLI::Range(1, kMostThreads));
}

// --help: each flag with what it takes (its type and range or choices), then what it
// does and its default.
class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_option_opts(const CLI::Option* option) const override {
    std::string text = option->get_type_name().empty() ? "" : " " + option->get_type_name();
    if (option->get_required()) text += " REQUIRED";
    return text;
  }
  std::string make_option_desc(const CLI::Option* option) const override {
    const std::string fallback = option->get_default_str();
    return option->get_description() + (fallback.empty() ? "" : " (default " + fallback + ")");
  }
};

// --help shows each flag's default (as it stands before parsing), in subcommands too.
inline void capture_defaults(CLI::App& app) {
  app.formatter(std::make_shared<HelpFormatter>());
  for (CLI::Option* option : app.get_options())
    // One whose description already says its default (a 0 that means "all cores") is left so.
    if (option->get_type_size() != 0 && option->get_description().find("(default") == std::string::npos)
      option->capture_default_str();
  for (CLI::App* subcommand : app.get_subcommands({})) capture_defaults(*subcommand);
}

// Parses argv; returns -1 to go on, or the status to exit with.
inline int parse_flags(CLI::App& app, int argc, char** argv) {
  app.failure_message([](const CLI::App*, const CLI::Error& error) { return std::string(error.what()) + "\n"; });
  capture_defaults(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;
  }
  if (std::string problem = environment_problem(); !problem.empty()) {
    std::cerr << problem << "\n";
    return 2;
  }
  return -1;
}

}  // namespace aevb::examples
