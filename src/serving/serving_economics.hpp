// Energy and cost of a finished serving run: the switching energy of every
// simulated iteration (cached per step with its time, serving/step_cost.hpp)
// plus the static power of every chip over the whole run, busy or idle,
// priced per output token by silicon/run_economics.hpp.
#pragma once

#include "serving/deployment.hpp"
#include "serving/disaggregated_deployment.hpp"
#include "serving/metrics.hpp"
#include "silicon/run_economics.hpp"

namespace cw {

// J/token = (Σ iteration joules + static W × chips × makespan) / output tokens;
// W per chip = that energy / (chips × makespan). `unavailable` is set for a
// chip the silicon model cannot cost, or a run that produced no tokens.
WorkloadEconomics serving_economics(const Deployment& d, const ServingMetrics& m);

// As above for prefill and decode pools: every chip of the system (d.count)
// draws static power for the whole run.
WorkloadEconomics serving_economics(const DisaggregatedDeployment& d, const ServingMetrics& m);

}  // namespace cw
