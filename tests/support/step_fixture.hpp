// One chip, model and precision loaded once, and a step evaluated on them
// under any StepOptions: the setup the step-model tests share.
#pragma once

#include "engine/batch.hpp"
#include "engine/step_model.hpp"
#include "hardware/chip_loader.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace cw::test {

struct StepFixture {
  ChipSpec chip;
  ModelSpec model;
  Precision precision;
  StepFixture(const char* chip_id, const char* model_id, const char* precision_id = "fp8")
      : chip(load_chip(chip_id)),
        model(load_model(model_id)),
        precision(load_precision(precision_id)) {}
  StepResult run(const StepOptions& options, const Batch& batch) const {
    return StepModel(chip, model, precision, options).evaluate(batch);
  }
};

}  // namespace cw::test
