// `chipwright mlperf`: predicts an MLPerf Inference LLM score for any chip by
// choosing the deployment a tuned submitter would (tensor parallelism and
// replicas, for mixture-of-experts models also wide expert parallelism with
// attention data-parallel, batch and token limits, scheduling policy) and running the
// benchmark's LoadGen scenario on the serving simulator. Tensor-parallel
// groups stay inside one scale-up domain of the chip's standard system
// (8 for an HGX board, 72 for NVL72); larger counts become data-parallel
// replicas (reference/mlperf.md §2.8: 16 H100 = two 8-GPU servers). Wide-EP
// groups may also span whole domains (DeepEP's internode dispatch).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "serving/mlperf_scenario.hpp"
#include "serving/tuner.hpp"

namespace cw {

struct MlperfOptions {
  std::string chip;       // preset id or YAML path
  int count = 1;          // chips in the system
  std::string benchmark;  // llama2-70b, ...
  MlperfScenario scenario = MlperfScenario::offline;
  std::string precision = "fp8";  // recipe; "<precision>-<benchmark>" wins when it exists
  // Pin parts of the deployment instead of searching them.
  std::optional<int> tp;
  std::optional<int64_t> max_batch, max_tokens;
  std::optional<SchedulePolicy> policy;
  // Pin the replica shape of a mixture-of-experts benchmark: wide EP
  // (attention data-parallel, with `attention_tp` chips per rank) or tensor
  // parallel (false).
  std::optional<bool> attention_dp;
  std::optional<int> attention_tp;
  // Mixture-of-experts routing (engine/expert_load.hpp): the Zipf skew of
  // expert popularity for every shape, and EPLB placement with redundant
  // copies for the wide-EP shapes (a shape whose ep does not divide the
  // experts plus copies is skipped, its reason recorded).
  double routing_skew = 0;
  bool eplb = false;
  int redundant_experts = 0;
  // Speculative decoding on every deployment tried (engine/speculation.hpp
  // resolve_speculation: draft tokens, 0 = off; acceptance; drafter).
  int speculative = 0;
  double acceptance = -1;
  std::string draft = "head";
  // Server/Interactive: screen rates with short probes and confirm the
  // screened rate with one full-length run instead of bisecting at full length
  // (mlperf_search.cpp states the probe sizes and why they suffice).
  bool quick = false;
};

struct SearchPoint {
  EngineKnobs knobs;              // the replica shape and engine limits tried
  const char* stage = "offline";  // which screening scored it: "offline" or "server"
  double tokens_per_s = 0;        // screening score; 0 = infeasible or no valid rate
  std::string note;               // why infeasible
};

struct MlperfResult {
  std::string benchmark, scenario, chip, precision;
  int count = 1;
  Deployment deployment;  // the chosen one
  MlperfRun run;          // the final, full-length run
  std::optional<LatencyLimits> limits;
  std::vector<SearchPoint> tried;
};

// Throws UserError for an unknown benchmark/scenario/chip/precision, a
// scenario the benchmark lacks, or when no deployment fits the chips.
MlperfResult run_mlperf(const MlperfOptions& o);

// The same scenario on a deployment chosen by rule instead of searched (for
// `compare --scenario`, which must be quick): unless pinned, tp is the
// smallest degree whose replica's KV cache holds a full default batch
// (EngineConfig::max_batch requests of the dataset's mean length; a tuned
// submitter gives each replica room for its batch), and the engine keeps its
// defaults (EngineConfig: vLLM/TensorRT-LLM batch and token limits,
// decode-first). Falls back to the largest degree that fits at all. For a
// mixture-of-experts benchmark the rule also runs one wide-EP replica shape
// (the largest power-of-two group dividing the chips and the experts, within
// the scale-up domain or whole domains, one chip per attention-DP rank, each rank with the
// default request limit) and keeps whichever scores higher. Runs with
// `quick` set.
MlperfResult run_mlperf_fixed(MlperfOptions o);

nlohmann::json to_json(const MlperfResult& r);

}  // namespace cw
