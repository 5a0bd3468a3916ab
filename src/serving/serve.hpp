// `chipwright serve`: simulate serving a trace or dataset on a deployment
// the user describes (chip, count, tp, engine limits, router, arrivals).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "serving/arrivals.hpp"
#include "serving/deployment.hpp"
#include "serving/disaggregated_deployment.hpp"
#include "serving/metrics.hpp"
#include "serving/serving_economics.hpp"

namespace cw {

struct ServeOptions {
  std::string chip, model, precision = "fp8";
  int count = 1, tp = 1;
  int ep = 1;                 // expert parallelism inside each replica's tp group
  bool attention_dp = false;  // wide EP: attention data-parallel over the ep = tp group
  int attn_tp = 1;            // with attention_dp: chips per attention-DP rank
  bool overlap = false;       // two-batch overlap of collectives with compute
  int cp = 1;                 // context-parallel groups of tp chips per replica
  int pp = 1;                 // pipeline stages of tp chips per replica
  bool eplb = false;          // EPLB expert placement over the ep ranks
  int redundant_experts = 0;  // EPLB's extra expert copies (needs eplb)
  double routing_skew = 0;    // Zipf exponent of expert popularity (0 = uniform)
  // Speculative decoding (engine/speculation.hpp resolve_speculation): draft
  // tokens per iteration (0 = off), acceptance rate, drafter ("head" or a
  // model). Acceptance draws use `seed`.
  int speculative = 0;
  double acceptance = -1;
  std::string draft = "head";
  std::string trace;    // CSV path, or
  std::string dataset;  // a named dataset (mlperf-llama2-70b, ...)
  // Arrivals: offline (all at t = 0), poisson/gamma at `rate`, or, when
  // `use_trace_times`, the trace's arrival_s column.
  ArrivalProcess arrivals;
  bool use_trace_times = false;
  int64_t requests = 0;  // 0 = every row once; more cycles through the rows
  // Capacity searches (serving/capacity.hpp): at each probed rate, cycle the
  // rows until the arrivals span at least this many seconds (0 = none).
  double min_duration = 0;
  EngineConfig engine;   // kv_blocks is sized by the deployment
  RouterPolicy router = RouterPolicy::round_robin;
  uint64_t seed = 0;
  Slo slo;               // for goodput
  std::string timeline;  // Chrome trace output path; empty = none
  // Disaggregated prefill and decode pools instead of `count / tp` colocated
  // replicas (`tp` is then unused).
  std::optional<PoolSplit> split;
};

struct ServeResult {
  Deployment deployment;  // colocated runs
  std::optional<DisaggregatedDeployment> disaggregated;  // --disaggregate runs
  ServingMetrics metrics;
  WorkloadEconomics economics;  // J/token, W per chip, $/Mtok of the run
  std::string arrivals;  // description
  std::string workload;  // trace or dataset name
};

// The requests a serve run sends: the trace's or dataset's rows (cycled to
// `requests`) at the arrival process's times. UserError for a bad trace or
// dataset, or no way to time the arrivals.
struct ServeRequests {
  std::vector<Request> requests;
  std::string workload;        // trace path or dataset name
  std::string arrivals;        // description
  int64_t longest = 1;         // most tokens one request holds (input + width x output)
  int64_t longest_prompt = 1;  // longest input
};
ServeRequests serve_requests(const ServeOptions& o);

// Throws UserError for bad inputs (unknown chip/model/dataset, malformed
// trace, impossible deployment, a request that cannot fit a replica).
ServeResult run_serve(const ServeOptions& o);

// run_serve in two parts, for callers that simulate one deployment on many
// arrival patterns (serving/capacity.hpp): the deployment for `q`'s
// requests (metrics still empty; UserError as above), then one simulation
// of `requests` (the same lengths, any arrival times) filling the metrics and
// economics. Simulations on one result run one at a time (its step-cost cache).
ServeResult prepare_serve(const ServeOptions& o, const ServeRequests& q);
// The same for specs already loaded (a design-space variant) and a resolved
// speculation: o.chip, o.model, o.precision, o.speculative, o.acceptance and
// o.draft are not read.
ServeResult prepare_serve(const ChipSpec& chip, const ModelSpec& model, const Precision& precision,
                          const Speculation& spec, const ServeOptions& o, const ServeRequests& q);
void simulate_serve(ServeResult& r, const std::vector<Request>& requests, const ServeOptions& o);

nlohmann::json to_json(const ServingMetrics& m);
nlohmann::json to_json(const ServeResult& r);

}  // namespace cw
