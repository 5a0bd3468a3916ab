// The results of `eval`, `compare` and `plan` as the JSON documents
// `--format json` prints and the Python module returns, and `plan`'s ranking
// of every parallel plan that fits.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "api/workload_eval.hpp"

namespace cw {

// `eval`: the run, its plan, memory budget and economics.
nlohmann::json eval_json(const Evaluation& e, const WorkloadArgs& w,
                         const WorkloadEconomics& money);

// A step's ops with the same name summed over the layers, in first-seen
// order (`eval`'s breakdown).
struct OpTotal {
  std::string name;
  Cost cost;
  int64_t count = 0;
};
std::vector<OpTotal> op_totals(const StepResult& step);

// A self-contained HTML page (report/html.hpp): the run's figures and, for
// the prefill and the decode iteration, each op's share of the time.
std::string eval_html(const Evaluation& e, const WorkloadArgs& w, const WorkloadEconomics& money);

// `compare` (fixed batch): one row per chip, in the order given.
struct ChipComparison {
  std::vector<Evaluation> evals;
  std::vector<WorkloadEconomics> money;
};
ChipComparison compare_chips(const std::vector<std::string>& chip_ids, const WorkloadArgs& w);
nlohmann::json compare_json(const ChipComparison& c, const WorkloadArgs& w);
// A self-contained HTML page (report/html.hpp): bars of tokens/s per chip,
// J/token and $/Mtok, and the table `compare` prints.
std::string compare_html(const ChipComparison& c, const WorkloadArgs& w);

// `plan`: every plan of `count` chips that holds the workload, ranked by
// throughput and by end-to-end latency (stable: enumeration order breaks
// ties), and how many were rejected. UserError when none fits.
struct PlanRanking {
  ChipSpec chip;
  ModelSpec model;
  Precision precision;
  int count = 0;
  std::vector<Evaluation> by_throughput, by_latency;
  std::vector<std::pair<ParallelPlan, std::string>> rejected;  // plan, why
};
PlanRanking rank_plans(const std::string& chip_id, int count, const WorkloadArgs& w);
nlohmann::json plan_ranking_json(const PlanRanking& r, const WorkloadArgs& w);

}  // namespace cw
