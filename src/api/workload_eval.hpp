// A fixed batch of requests on a chip with a parallel plan, as `eval`,
// `compare` and `plan` (and the Python module's functions of those names)
// describe it: loading the inputs, resolving the plan, checking the memory
// budget, running it and pricing it. Part of the command-level API (src/api/)
// that the CLI and the Python module both call.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "engine/fixed_batch.hpp"
#include "engine/memory_fit.hpp"
#include "engine/parallel_plan.hpp"
#include "engine/workload_run.hpp"
#include "silicon/run_economics.hpp"

namespace cw {

struct WorkloadArgs {
  std::string model;
  std::string precision = "fp8";
  int64_t batch = 16, input = 1024, output = 256, max_tokens = 8192;
  std::string tp = "1";        // a degree, or "auto": the fewest chips that hold the workload
  int pp = 1, ep = 1, dp = 0;  // dp 0 = count / (tp × pp × cp)
  int cp = 1;                  // context-parallel groups
  int count = 0;               // chips; 0 = tp × pp × dp
  bool attention_dp = false;   // attention data-parallel over the ep = tp group (wide EP)
  int attn_tp = 1;             // with attention_dp: chips per attention-DP rank
  bool overlap = false;        // two-batch overlap of collectives with compute
  bool eplb = false;           // EPLB expert placement over the ep ranks
  int redundant_experts = 0;   // EPLB's extra expert copies (the flag sets eplb)
  double routing_skew = 0;     // Zipf exponent of expert popularity (0 = uniform)
  // Speculative decoding: draft tokens per iteration (0 = off), the
  // acceptance rate (required with it; < 0 = not given) and the drafter:
  // "head" (the model's MTP layers, else one target-shaped layer: EAGLE) or
  // a draft model preset id or config path.
  int speculative = 0;
  double acceptance = -1;
  std::string draft = "head";
};

// The fixed batch the arguments describe (with the speculation resolved).
FixedWorkload fixed_workload(const WorkloadArgs& w, const ModelSpec& target);
// ", routing skew 1.2" for a run's header line; empty for uniform routing.
std::string routing_note(double routing_skew);
// ", speculative decoding k=3, acceptance 0.8, draft head" for a header
// line; empty without speculation.
std::string speculation_note(const WorkloadArgs& w);
// {draft_tokens, acceptance, draft} as given, or null without speculation.
nlohmann::json speculation_args_json(const WorkloadArgs& w);

// The plan's degrees as `eval` and `plan` report them in JSON: tp, pp, ep,
// dp, attention_dp, attention_tp (ways attention is split), cp, eplb and
// redundant_experts.
nlohmann::json plan_json(const ParallelPlan& plan);

// A --tp value that names a degree (not "auto"): a whole number >= 1, else a
// UserError naming the flag.
int parse_tp_degree(const std::string& s);

struct Evaluation {
  ParallelPlan plan;
  ChipSpec chip;
  ModelSpec model;
  Precision precision;
  MemoryBudget memory;
  FixedBatchResult result;
  Speculation speculation = {};
};

// Loads everything, resolves the plan, checks the memory budget (UserError
// naming plans that would fit) and runs the fixed batch.
Evaluation evaluate_workload(const std::string& chip_id, const WorkloadArgs& w);

// Runs one plan on already-loaded inputs (used by `plan` for every candidate).
Evaluation evaluate_plan(const ChipSpec& chip, const ModelSpec& model, const Precision& precision,
                         const ParallelPlan& plan, const WorkloadArgs& w);

// Energy (J/token) and $ per million tokens of an evaluation, or why there
// are none.
WorkloadEconomics workload_economics(const Evaluation& e);

}  // namespace cw
