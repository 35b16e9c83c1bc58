// A program outside the tree, built against the installed aevb via pkg-config.
#include <autodiff/autodiff.h>
#include <iostream>

int main() {
  aevb::Parameter w("w", aevb::Tensor::from_values({2}, {1.5f, -2.0f}));
  aevb::Tape tape;
  tape.backward(aevb::sum(aevb::square(tape.param(w))));
  std::cout << "gradient " << w.grad()[0] << " " << w.grad()[1] << "\n";
  return (w.grad()[0] == 3.0f && w.grad()[1] == -4.0f) ? 0 : 1;
}
