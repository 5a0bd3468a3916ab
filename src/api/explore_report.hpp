// An exploration's results (dse/explore.hpp) as the JSON document `explore
// --format json` prints and the Python module returns, and as the CSV that
// `--csv` writes (one row per design with its knob values, metrics and
// whether it is on the Pareto front) and as the HTML page `--html` writes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "dse/explore.hpp"

namespace cw {

// The front (every design too when `all`), references and one-knob steps.
nlohmann::json explore_json(const DesignSpace& space, const ExploreResult& r, bool all);

std::string explore_csv(const DesignSpace& space, const ExploreResult& r);

// "llama3.1-70b at fp8, batch 64, input 2048, output 512", or for a serving
// workload "llama3.1-70b at fp8, serving mlperf-llama2-70b (500 requests,
// poisson 4/s), max batch 256, mean input 294, output 286". With a
// draft_tokens knob in `space`, its speculation says the designs take k from it.
std::string workload_summary(const WorkloadSpec& w, const DesignSpace& space);

// The infeasible designs counted by reason, "128 max_power, 82 max_tpot"
// (reasons in name order); empty when every design is feasible.
std::string infeasible_by_reason(const ExploreResult& r);

// A self-contained HTML page (report/html.hpp): the feasible designs plotted
// over the first two objectives with the front and the reference chips
// marked, then the front, the one-knob steps and the references as tables.
std::string explore_html(const DesignSpace& space, const ExploreResult& r);

}  // namespace cw
