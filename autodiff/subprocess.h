// Helper programs (gnuplot, Graphviz's dot) run with an argument vector, never through a
// shell: a folder named "q';touch PWNED;'" is one argument like any other, not a command.
#pragma once

#include <string>
#include <vector>

namespace aevb {

struct ProgramRun {
  bool found = false;   // false: the program is not installed (not on PATH)
  int exit_status = 0;  // its exit status; 128 + N when signal N ended it
  std::string errors;   // what it wrote to standard error (the first 4 KiB)
};

// Runs argv[0] (looked up on PATH) with the arguments argv[1...] in `working_folder`
// (the current one when empty), with no standard input and its output discarded.
ProgramRun run_program(const std::vector<std::string>& argv, const std::string& working_folder = "");

}  // namespace aevb
