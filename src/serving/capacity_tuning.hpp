// Tuned capacity: the deployment of `count` chips that serves the fastest
// rate within the SLOs (Vidur's configuration search, on our simulator):
// each power-of-two tensor-parallel degree that divides the chips, with its
// engine limits (max batch, max tokens per iteration, scheduling policy)
// tuned by coordinate ascent (serving/tuner.hpp), each point scored by its
// capacity (serving/capacity.hpp). A point that cannot be built (does not
// fit, a degree the model cannot split) or meets the SLOs at no rate
// scores 0.
#pragma once

#include <optional>
#include <vector>

#include "serving/capacity.hpp"
#include "serving/tuner.hpp"

namespace cw {

struct TunedPoint {
  EngineKnobs knobs;
  double rate = 0;   // requests/s of the whole cluster; 0 = none
  std::string note;  // why it scored 0
};

struct TunedCapacity {
  EngineKnobs best;
  CapacityResult capacity;        // of the best point (found = false when none met the SLOs)
  std::vector<TunedPoint> tried;  // every point scored, in the order tried
};

// `o` with a point's tp and engine limits.
ServeOptions with_knobs(ServeOptions o, const EngineKnobs& k);

// `o` as for find_capacity (colocated replicas only: UserError with
// --disaggregate); `tp` pins the tensor-parallel degree when set.
TunedCapacity tune_capacity(const ServeOptions& o, std::optional<int> tp);

nlohmann::json to_json(const TunedCapacity& t, double target_rate);

}  // namespace cw
