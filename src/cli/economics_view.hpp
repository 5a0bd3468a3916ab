// The lines that print a run's energy and cost (silicon/run_economics.hpp):
// `eval`, `serve` and `mlperf`.
#pragma once

#include "silicon/run_economics.hpp"

namespace cw::cli {

// "  energy       0.061 J/token (132 W per chip)" and "  cost ..." lines, or a
// line saying why there are no figures.
void print_economics(const WorkloadEconomics& w);

}  // namespace cw::cli
