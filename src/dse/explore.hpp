// Design-space exploration: every design of a space (dse/design_space.hpp)
// is built (dse/chip_variant.hpp), costed in silicon, run on the space's
// workload and checked against its constraints; the feasible designs'
// Pareto front over the objectives is kept. Designs are evaluated on all
// hardware threads; results are in design order whatever the thread count,
// so a run is deterministic. Contract: a design that cannot be built or run
// (over a constraint, does not fit in memory, a plan the model cannot use)
// is infeasible with its reason, never an error; bad spaces fail at load.
// A random sample or an NSGA-II search (dse/nsga2_search.hpp) may be
// refined: rounds of evaluating the unseen neighbours (each knob one value up
// or down) of the current front, while it changes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dse/design_space.hpp"

namespace cw {

// One workload of the space on a design.
struct WorkloadResult {
  int tp = 0, pp = 1;
  double ttft = 0, tpot = 0, tokens_per_s_per_chip = 0;
  double joules_per_token = 0, dollars_per_mtok = 0;
};

// A design's metrics. With a mix of workloads (DesignSpace::workloads) they
// are the mix's: $/Mtok and J/token averaged by the workloads' token shares,
// tokens/s per chip the rate at which a chip serves the mix (1 / sum of
// share / rate), TTFT and TPOT the worst workload's, tp and pp those of the
// workload that needs the most chips.
struct DesignResult {
  int64_t index = 0;        // design number in the sampler's order
  std::vector<int> values;  // value index per knob
  bool feasible = false;
  std::string reason;     // infeasible: the constraint's name (max_tpot, memory, error, ...)
  std::string why;        // infeasible: what failed, with the numbers
  int tp = 0, pp = 1, chips = 0;  // the largest deployment that ran (chips = tp x pp)
  int dies = 0;
  double ttft = 0, tpot = 0, tokens_per_s_per_chip = 0;
  double joules_per_token = 0, dollars_per_mtok = 0;
  double unit_cost = 0, area_mm2 = 0, power_w = 0;
  std::vector<WorkloadResult> workloads;  // per workload of the space, when every one ran
  double metric(Metric m) const;
};

struct ExploreOptions {
  int threads = 0;  // 0 = every hardware thread
};

// The best design by the first objective with one knob moved one listed
// value: what the next step up or down in each knob would change.
struct KnobStep {
  size_t knob = 0;
  int from = 0, to = 0;  // value indices: the best design's and the neighbour's
  DesignResult design;  // index -1: not one of the explored designs
};

struct ExploreResult {
  std::vector<DesignResult> designs;  // all of them, in design order
  std::vector<int64_t> pareto;        // indices of the feasible non-dominated designs,
                                      // sorted by the first objective
  int64_t feasible = 0;
  int64_t refined = 0;                   // designs added by refinement (after the sampled ones)
  int refine_rounds = 0;                 // refinement rounds run
  std::vector<DesignResult> references;  // the space's reference chips, as sold
  std::vector<KnobStep> sensitivity;     // around pareto.front(), knob by knob
};

// One design (thread-safe; loads nothing but the design's process node).
DesignResult evaluate_design(const DesignSpace& space, int64_t index);
// The design with knob value indices `values`, numbered `index`.
DesignResult evaluate_values(const DesignSpace& space, const std::vector<int>& values,
                             int64_t index);

// Evaluates designs[first, end) in place (each with its index and values
// set) on `threads` threads; each result lands in its own slot, so the order
// never depends on the threads.
void evaluate_designs(const DesignSpace& space, std::vector<DesignResult>& designs, size_t first,
                      int threads);

// Reference chip i of the space, as it is (its own dies, TDP and market
// price), on the space's workloads and constraints; index -1, no knob values.
DesignResult evaluate_reference(const DesignSpace& space, size_t i);

ExploreResult explore(const DesignSpace& space, const ExploreOptions& options = {});

// Shard `number` of `count` (1-based) of a grid or random exploration: the
// designs i with i mod count = number - 1, evaluated, nothing else. The
// shards of a space, merged (dse/shard_store.hpp) and finished, give exactly
// explore()'s result. An NSGA-II search cannot be sharded (UserError).
struct Shard {
  int number = 1, count = 1;
};
std::vector<DesignResult> explore_shard(const DesignSpace& space, Shard shard,
                                        const ExploreOptions& options = {});

// What explore() does once the designs are evaluated: the front, the
// refinement rounds, the one-knob steps and the reference chips. `designs`
// are the sampler's, in index order.
ExploreResult finish_exploration(const DesignSpace& space, std::vector<DesignResult> designs,
                                 const ExploreOptions& options = {});

// For each design of `r`, whether it is on the Pareto front.
std::vector<bool> on_front(const ExploreResult& r);

// Indices (into `designs`) of the feasible designs no other feasible design
// dominates (at least as good in every objective, better in one); a design
// drawn twice (equal `values`) appears once.
std::vector<int64_t> pareto_front(const std::vector<DesignResult>& designs,
                                  const std::vector<Metric>& objectives);

}  // namespace cw
