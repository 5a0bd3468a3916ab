// Serving metrics over a finished simulation: latency percentiles (TTFT,
// TPOT, end-to-end), throughput, goodput under SLOs, utilisation and KV-cache
// occupancy.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "serving/simulator.hpp"

namespace cw {

struct Percentiles {
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;
};

// LoadGen's percentile (reference/mlperf.md §1.3): the sorted values'
// element [floor(n·q)], clamped to the last. Empty input gives zeros.
double percentile(std::vector<double>& values, double q);  // sorts `values`
Percentiles summarize_values(std::vector<double> values);

// Service-level objectives a request must meet to count towards goodput.
struct Slo {
  double ttft = std::numeric_limits<double>::infinity();  // seconds
  double tpot = std::numeric_limits<double>::infinity();  // seconds
};

struct ServingMetrics {
  int64_t requests = 0;
  int64_t input_tokens = 0, output_tokens = 0;
  double makespan = 0;             // seconds to the last completion
  Percentiles ttft, tpot, e2e;     // seconds; TPOT over requests with >= 2 tokens
  double output_tokens_per_s = 0;  // output tokens / makespan (MLPerf's tokens/s)
  double requests_per_s = 0;
  double goodput_requests_per_s = 0;  // requests meeting the SLOs / makespan
  double slo_attainment = 0;          // fraction of requests meeting the SLOs
  double utilisation = 0;             // mean over replicas of busy time / makespan
  double kv_occupancy_mean = 0;       // mean over replicas
  double kv_occupancy_peak = 0;       // max over replicas
  int64_t iterations = 0, preemptions = 0;
  // Disaggregated runs only (SimulationResult::prefill_replicas > 0).
  bool disaggregated = false;
  int64_t kv_transfers = 0;       // requests whose KV moved to a decode replica
  Percentiles kv_transfer;        // seconds on the link
  Percentiles kv_wait;            // first token to transfer start: blocks and link queue
  double prefill_utilisation = 0, decode_utilisation = 0;  // mean over each pool
  double dynamic_joules = 0;  // switching energy of every iteration (SimulationResult::joules)
};

ServingMetrics summarize(const SimulationResult& r, const Slo& slo = {});

}  // namespace cw
