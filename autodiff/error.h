// Errors: what aevb throws when it is used wrongly.
//
// Every op checks its inputs and throws aevb::Error with a message that names the
// op and the shapes, for example "mul: shapes [64,20] and [64,10] do not broadcast".
// Library code never calls exit or abort.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace aevb {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A refused input: a flag, a file or a data set that does not fit the run, found before
// anything was written. The programs print its one line, exit with status 2 and leave
// their output folder as it was; every other Error exits with status 1.
class InputError : public Error {
 public:
  using Error::Error;
};

// Builds the message from its parts only when it is thrown, so a check that passes
// costs a comparison and never allocates (training steps must not allocate).
template <class... Parts>
[[noreturn]] void fail(const Parts&... parts) {
  std::ostringstream message;
  (message << ... << parts);
  throw Error(message.str());
}

template <class... Parts>
[[noreturn]] void refuse(const Parts&... parts) {
  std::ostringstream message;
  (message << ... << parts);
  throw InputError(message.str());
}

// "a, b or c": the choices an error message lists
inline std::string or_list(const std::vector<std::string>& choices) {
  std::string list;
  for (size_t i = 0; i < choices.size(); ++i)
    list += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
  return list;
}

template <class... Parts>
void check(bool condition, const Parts&... parts) {
  if (!condition) fail(parts...);
}

}  // namespace aevb
