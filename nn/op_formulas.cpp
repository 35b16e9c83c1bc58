#include "nn/op_formulas.h"

#include <string>

namespace aevb {
namespace {

const OpFormula* find_exact(std::string_view op) {
  for (const OpFormula& entry : op_formulas())
    if (op == entry.op) return &entry;
  return nullptr;
}

}  // namespace

const OpFormula* find_op_formula(std::string_view op) {
  if (const OpFormula* exact = find_exact(op)) return exact;
  // "linear+relu": the fused linear layer, whose formula is written once as "linear".
  if (const size_t cut = op.find_first_of("+_"); cut != std::string_view::npos)
    if (const OpFormula* family = find_exact(op.substr(0, cut))) return family;
  // "sum": the reductions along an axis share one definition.
  return find_exact(std::string(op) + "_along");
}

}  // namespace aevb
