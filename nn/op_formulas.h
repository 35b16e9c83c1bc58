// Each op's formula and derivative as written beside it in its source file (the
// comment above its definition), gathered at build time by op_formulas.py: the text a
// learner reads in the studio is the text in the code, not a second copy.
#pragma once

#include <string_view>
#include <vector>

namespace aevb {

struct OpFormula {
  const char* op;       // the name a node on the tape carries ("exp"), or the function's
  const char* formula;  // "y = e^x;  dx += dy * y", the comment's lines joined by '\n'
  const char* source;   // "autodiff/ops/unary.cpp:17": where the op is defined
};

const std::vector<OpFormula>& op_formulas();

// The formula of the op a node names, or nullptr for leaves and unknown names. A fused
// op's name ("linear+relu") falls back to its family's ("linear"); a reduction's
// ("sum") to the function it shares ("sum_along").
const OpFormula* find_op_formula(std::string_view op);

}  // namespace aevb
