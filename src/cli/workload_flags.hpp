// Command-line flags shared by `eval`, `compare`, `plan`, `serve` and
// `mlperf`: the workload (model, precision, batch, lengths), the parallel plan
// and MoE routing. They fill api/workload_eval.hpp's WorkloadArgs.
#pragma once

#include <CLI/CLI.hpp>

#include "api/workload_eval.hpp"

namespace cw::cli {

void add_workload_options(CLI::App& cmd, WorkloadArgs& w, bool with_plan = true);

// --routing-skew, --eplb and --redundant-experts (eval, plan, compare, serve).
void add_routing_options(CLI::App& cmd, double& routing_skew, bool& eplb, int& redundant);

// --speculative, --acceptance and --draft (eval, plan, compare, serve).
void add_speculation_options(CLI::App& cmd, int& speculative, double& acceptance,
                             std::string& draft);

}  // namespace cw::cli
