// `serve` and `mlperf` as a user states them (names for the scheduler, router,
// preemption and scenario; a rate or offline arrivals; pins left at 0 when
// searched), turned into the serving library's options. The CLI and the
// Python module fill these and call the same resolvers.
#pragma once

#include <cstdint>
#include <string>

#include "serving/mlperf_search.hpp"
#include "serving/serve.hpp"

namespace cw {

struct ServeRequest {
  ServeOptions o;
  double rate = 0;                    // Poisson (or gamma) arrivals per second; or
  bool offline = false;               // every request at t = 0; or the trace's arrival_s column
  double burstiness = 1;              // with rate: gamma arrivals of this coefficient of variation
  double slo_ttft = 0, slo_tpot = 0;  // goodput objectives in seconds; 0 = none
  bool no_chunking = false, disaggregate = false;
  PoolSplit split;  // with disaggregate
  std::string scheduler = "decode-first", router = "round-robin", preemption = "recompute";
  // Search the fastest rate that meets the SLOs (serving/capacity.hpp)
  // instead of running one; with target_rate > 0, also how many such
  // deployments a stream of target_rate requests/s needs.
  bool capacity = false;
  double target_rate = 0;
  // With capacity: also search tp (unless tp_given), max batch, max tokens
  // and the scheduler for the highest capacity (serving/capacity_tuning.hpp).
  bool tune = false, tp_given = false;
};

// UserError on names it does not know or when nothing says when requests arrive.
ServeOptions resolve(const ServeRequest& r);

struct MlperfRequest {
  std::string chip, benchmark, scenario, precision = "fp8";
  std::string scheduler;                  // empty = searched
  int count = 1, tp = 0;                  // tp 0 = searched
  int64_t max_batch = 0, max_tokens = 0;  // 0 = searched
  double routing_skew = 0;
  bool eplb = false;
  int redundant_experts = 0;
  int speculative = 0;  // --speculative, --acceptance, --draft (MlperfOptions)
  double acceptance = -1;
  std::string draft = "head";
};

MlperfOptions resolve(const MlperfRequest& r);

}  // namespace cw
