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

#include "serving/abort_rule.hpp"
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

// The router: the replica that takes the `routed`-th request (0-based).
size_t pick_replica(RouterPolicy policy, const std::vector<Replica>& replicas, int64_t routed);

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
  std::vector<ReplicaStats> replicas;  // disaggregated: the prefill pool, then the decode pool
  int prefill_replicas = 0;            // disaggregated: size of the prefill pool; 0 = colocated
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

// Shared with the disaggregated simulator (disaggregated.hpp):
// UserError when a request is malformed, needs more KV blocks than `probe`
// (a replica of engine `e`) holds, or a prompt longer than max_tokens
// without chunked prefill.
void check_requests(const std::vector<Request>& requests, const EngineConfig& e,
                    const Replica& probe);
// Request indices in arrival order (stable: ties keep their index order).
std::vector<int64_t> arrival_order(const std::vector<Request>& requests);
// Fills each record's id, arrival and lengths from its request; returns the
// total input + output tokens (the simulators' iteration bound).
int64_t start_records(const std::vector<Request>& requests, std::vector<RequestRecord>& records);
// Counts the requests an iteration completed into `done` and the early-abort
// rule, then clears `completed`. True, with `out` marked aborted and the
// reason, when the run must stop.
bool retire(std::vector<int64_t>& completed, int64_t& done, P99Abort& abort,
            SimulationResult& out);
// One replica's totals over a run ending at `makespan`.
ReplicaStats replica_stats(const Replica& rep, int64_t kv_blocks, double makespan);

}  // namespace cw
