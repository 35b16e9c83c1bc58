// aevb nn: modules, layers, initializers, losses, optimizers and checkpoints.
#pragma once

#include "nn/checkpoint.h"
#include "nn/init.h"
#include "nn/layers.h"
#include "nn/losses.h"
#include "nn/module.h"
#include "nn/optimizer.h"
