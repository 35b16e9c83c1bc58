// Flag parsing shared by the example programs: a refused flag gives one line that names
// it and what it accepts (CLI11's message), and exit status 2; --help exits 0.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace aevb::examples {

// Parses argv; returns -1 to go on, or the status to exit with.
inline int parse_flags(CLI::App& app, int argc, char** argv) {
  app.failure_message([](const CLI::App*, const CLI::Error& error) { return std::string(error.what()) + "\n"; });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;
  }
  return -1;
}

}  // namespace aevb::examples
