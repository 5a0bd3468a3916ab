// Whether a chip's matrix engine runs every layer class of a precision
// recipe, and which preset recipes it does run (for the error's hint).
// Contract: require_precision_runs throws UserError naming the recipe file and
// the first layer class (in recipe order; expert layers only for MoE) whose
// dtype the chip lacks; the hint lists the preset recipes the chip runs for
// this model.
#pragma once

#include <string>
#include <vector>

#include "hardware/chip_spec.hpp"
#include "workload/model_spec.hpp"
#include "workload/precision.hpp"

namespace cw {

// Preset recipe ids whose every layer class `chip` runs for `model`, sorted.
std::vector<std::string> precisions_that_run(const ChipSpec& chip, const ModelSpec& model);

void require_precision_runs(const ChipSpec& chip, const ModelSpec& model,
                            const Precision& precision);

}  // namespace cw
