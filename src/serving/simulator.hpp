// The discrete-event serving simulator: requests arrive, a router assigns
// each to a replica, and every replica runs engine iterations (continuous
// batching) whose durations come from a step-time function. Time jumps from
// event to event (arrival, iteration end); nothing is ticked.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "serving/engine_config.hpp"
#include "serving/replica.hpp"
#include "serving/request.hpp"

namespace cw {

enum class RouterPolicy {
  round_robin,   // request i goes to replica i mod R
  least_loaded,  // fewest outstanding (waiting + running) requests; ties to the lowest index
};
const char* router_name(RouterPolicy p);
RouterPolicy parse_router(const std::string& s);  // UserError with a did-you-mean

struct ClusterConfig {
  int replicas = 1;
  EngineConfig engine;  // the same for every replica
  RouterPolicy router = RouterPolicy::round_robin;
};

struct ReplicaStats {
  double busy_time = 0;          // seconds in iterations
  double joules = 0;             // dynamic energy of its iterations, all its chips
  double kv_occupancy_mean = 0;  // time-averaged used/total blocks over the makespan
  double kv_occupancy_peak = 0;
  int64_t iterations = 0;
  int64_t preemptions = 0;
  // Stopped early by SimulationOptions::abort_*: the p99 limit is certainly
  // missed; records of unfinished requests are incomplete.
  bool aborted = false;
  std::string abort_reason;
};

struct SimulationResult {
  std::vector<RequestRecord> records;  // indexed like the input requests
  std::vector<ReplicaStats> replicas;
  double makespan = 0;  // time of the last completion (run starts at 0)
  int64_t iterations = 0;
  int64_t preemptions = 0;
  double joules = 0;  // dynamic energy of every iteration of every replica
  // Stopped early by SimulationOptions::abort_*: the p99 limit is certainly
  // missed; records of unfinished requests are incomplete.
  bool aborted = false;
  std::string abort_reason;
};

// Sees every iteration as it is planned (timelines, occupancy sampling).
using IterationObserver = std::function<void(const IterationInfo&, int64_t outstanding)>;

struct SimulationOptions {
  IterationObserver observer;  // may be empty
  // Stop as soon as so many completed requests reach these TTFT / TPOT values
  // (seconds) that the p99 (LoadGen's definition) cannot stay below them.
  // Infinite = never stop early. Used by the MLPerf rate search.
  double abort_ttft = std::numeric_limits<double>::infinity();
  double abort_tpot = std::numeric_limits<double>::infinity();
};

// Runs every request to completion (or to an early abort). Requests may come
// in any order (they are taken by arrival time, ties by index). Throws
// UserError when a request can never run on a replica (it needs more KV
// blocks than a replica holds, or a longer prompt than max_tokens without
// chunked prefill).
SimulationResult simulate(const std::vector<Request>& requests, const ClusterConfig& cluster,
                          const StepCostFn& step_cost, const SimulationOptions& options = {});

}  // namespace cw
