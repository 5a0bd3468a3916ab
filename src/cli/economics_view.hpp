// Energy and cost of a fixed-batch evaluation (`eval`, `compare`): J/token
// from the op costs and the chip's energy table, $ per million tokens from
// the TCO (silicon/run_economics.hpp), and the lines that print them.
#pragma once

#include <string>

#include "cli/eval_setup.hpp"
#include "silicon/run_economics.hpp"

namespace cw::cli {

WorkloadEconomics workload_economics(const Evaluation& e);

// "  energy       0.061 J/token (132 W per chip)" and "  cost ..." lines, or a
// line saying why there are no figures.
void print_economics(const WorkloadEconomics& w);

}  // namespace cw::cli
