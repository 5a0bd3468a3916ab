// Predictions for the calibration kinds that need the serving simulator:
// offline_throughput (an unbounded queue of identical requests, the engine
// limits tuned for throughput), online_serving (identical requests arriving
// as a Poisson process, or all at once, on the engine's default limits) and
// mlperf (as `chipwright mlperf` runs it).
#pragma once

#include <string>

#include "validate/calibration_case.hpp"
#include "validate/predict_model.hpp"

namespace cw {

struct ServingPrediction {
  ModelPrediction prediction;
  std::string config;  // the deployment chosen, one line
};

ServingPrediction predict_offline_throughput(const CalibrationCase& c);
ServingPrediction predict_online_serving(const CalibrationCase& c);
ServingPrediction predict_mlperf(const CalibrationCase& c);

}  // namespace cw
