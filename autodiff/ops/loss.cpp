// Losses, elementwise and stable by construction; reduce them with sum or mean.
#include "autodiff/kernels/loss.h"
#include "autodiff/ops.h"

namespace aevb {

// y = -t log sigmoid(l) - (1 - t) log sigmoid(-l) = max(l, 0) - l t + log1p(e^-|l|)
//   dl += dy (sigmoid(l) - t);  dt += -dy l
Var bce_with_logits(Var logits, Var targets) {
  check(logits.shape() == targets.shape(), "bce_with_logits: logits ", logits.shape(), " and targets ",
        targets.shape(), " must have the same shape");
  Tape& tape = logits.tape();
  Var y = tape.record("bce_with_logits", logits.shape(), {logits, targets});
  kernels::bce_with_logits_forward(tape.value_buffer(y), logits.data(), targets.data(), y.numel());
  tape.set_backward(y, [logits, targets, y] {
    kernels::bce_with_logits_backward(logits.requires_grad() ? logits.grad() : nullptr,
                                      targets.requires_grad() ? targets.grad() : nullptr, y.grad(), logits.data(),
                                      targets.data(), y.numel());
  });
  return y;
}

// y = 0.5 (log 2 pi + v + (x - m)^2 e^-v), v the log-variance
//   dx += dy (x - m) e^-v;  dm += -dy (x - m) e^-v;  dv += dy 0.5 (1 - (x - m)^2 e^-v)
Var gaussian_nll(Var x, Var mean, Var log_variance) {
  check(x.shape() == mean.shape() && x.shape() == log_variance.shape(), "gaussian_nll: x ", x.shape(), ", mean ",
        mean.shape(), " and log_variance ", log_variance.shape(), " must have the same shape");
  Tape& tape = x.tape();
  Var y = tape.record("gaussian_nll", x.shape(), {x, mean, log_variance});
  kernels::gaussian_nll_forward(tape.value_buffer(y), x.data(), mean.data(), log_variance.data(), y.numel());
  tape.set_backward(y, [x, mean, log_variance, y] {
    kernels::gaussian_nll_backward(x.requires_grad() ? x.grad() : nullptr, mean.requires_grad() ? mean.grad() : nullptr,
                                   log_variance.requires_grad() ? log_variance.grad() : nullptr, y.grad(), x.data(),
                                   mean.data(), log_variance.data(), y.numel());
  });
  return y;
}

// mean((prediction - target)^2): composed, no backward of its own. Same shapes only:
// broadcasting [N,1] against [N] would silently compare every pair.
Var mse(Var prediction, Var target) {
  check(prediction.shape() == target.shape(), "mse: prediction ", prediction.shape(), " and target ", target.shape(),
        " must have the same shape");
  return mean(square(sub(prediction, target)));
}

}  // namespace aevb
