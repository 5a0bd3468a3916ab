// Flags shared by `eval` and `compare`: which model, precision, batch and
// lengths, and how to build a StepModel for a chip from them.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "engine/fixed_batch.hpp"
#include "engine/memory_fit.hpp"

namespace cw::cli {

struct WorkloadArgs {
  std::string model;
  std::string precision = "fp8";
  int64_t batch = 16, input = 1024, output = 256, max_tokens = 8192;
  std::string tp = "1";  // a degree, or "auto": the fewest chips that hold the workload
};
void add_workload_options(CLI::App& cmd, WorkloadArgs& w);

struct Evaluation {
  int tp = 1;
  ChipSpec chip;
  ModelSpec model;
  Precision precision;
  MemoryBudget memory;
  FixedBatchResult result;
};
// Loads everything, checks the memory budget (UserError if it does not fit)
// and runs the fixed batch.
Evaluation evaluate_workload(const std::string& chip_id, const WorkloadArgs& w);

}  // namespace cw::cli
