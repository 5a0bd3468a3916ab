// Predictions for the model-level calibration kinds that run a fixed batch
// (latency, batch_throughput).
#pragma once

#include <optional>
#include <string>

#include "validate/calibration_case.hpp"

namespace cw {

struct ModelPrediction {
  std::optional<double> value;
  std::string reason;  // why not evaluated
};

ModelPrediction predict_fixed_batch(const CalibrationCase& c);

}  // namespace cw
