// Chrome trace-event timeline of a serving run (opens in Perfetto or
// chrome://tracing): one process per replica with its iterations as slices,
// counters for batch size and KV blocks in use, and each request as an async
// span (queued + prefill until its first token, then decode).
#pragma once

#include <string>
#include <vector>

#include "serving/replica.hpp"
#include "serving/simulator.hpp"

namespace cw {

class Timeline {
 public:
  // Pass as the simulator's observer: records every iteration.
  IterationObserver observer();
  // Writes the trace to `path` atomically: a temporary file in the same
  // folder renamed over `path`, so an interrupted run never leaves a
  // truncated trace. Throws UserError when the file cannot be written.
  void write(const std::string& path, const SimulationResult& result) const;
  size_t iterations() const { return iterations_.size(); }

 private:
  std::vector<IterationInfo> iterations_;
};

}  // namespace cw
