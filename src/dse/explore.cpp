#include "dse/explore.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <set>
#include <thread>

#include "config/data_dir.hpp"
#include "config/error.hpp"
#include "dse/chip_variant.hpp"
#include "dse/nsga2_search.hpp"
#include "engine/parallel_plan.hpp"
#include "serving/capacity.hpp"
#include "silicon/run_economics.hpp"

namespace cw {
namespace {

std::string over(const char* what, double value, double limit, const char* unit) {
  return fmt::format("{} {:.4g} {} over the limit of {:.4g} {}", what, value, unit, limit, unit);
}

// Sets r.why and r.reason (the constraint's short name) and returns true, or
// false when `why` is empty.
bool fail(DesignResult& r, const char* reason, std::string why) {
  if (why.empty()) return false;
  r.reason = reason;
  r.why = std::move(why);
  return true;
}

// Sets the first silicon constraint `r` breaks; true if one does.
bool silicon_violation(const Constraints& c, DesignResult& r) {
  if (c.max_dies > 0 && r.dies > c.max_dies)
    return fail(
        r, "max_dies",
        fmt::format("needs {} dies to fit the reticle, over max_dies {}", r.dies, c.max_dies));
  if (r.area_mm2 > c.max_area)
    return fail(r, "max_area", over("area", r.area_mm2, c.max_area, "mm2"));
  if (r.power_w > c.max_power)
    return fail(r, "max_power", over("power", r.power_w, c.max_power, "W"));
  if (r.unit_cost > c.max_unit_cost)
    return fail(r, "max_unit_cost", over("unit cost", r.unit_cost, c.max_unit_cost, "$"));
  return false;
}

bool slo_violation(const Constraints& c, DesignResult& r) {
  if (r.ttft > c.max_ttft)
    return fail(r, "max_ttft", over("TTFT", r.ttft * 1e3, c.max_ttft * 1e3, "ms"));
  if (r.tpot > c.max_tpot)
    return fail(r, "max_tpot", over("TPOT", r.tpot * 1e3, c.max_tpot * 1e3, "ms"));
  return false;
}

bool dominates(const DesignResult& a, const DesignResult& b, const std::vector<Metric>& obj) {
  bool better = false;
  for (Metric m : obj) {
    const double x = a.metric(m), y = b.metric(m);
    const bool a_better = metric_maximised(m) ? x > y : x < y;
    const bool a_worse = metric_maximised(m) ? x < y : x > y;
    if (a_worse) return false;
    better = better || a_better;
  }
  return better;
}

}  // namespace

double DesignResult::metric(Metric m) const {
  switch (m) {
    case Metric::dollars_per_mtok:
      return dollars_per_mtok;
    case Metric::joules_per_token:
      return joules_per_token;
    case Metric::tokens_per_s_per_chip:
      return tokens_per_s_per_chip;
    case Metric::ttft:
      return ttft;
    case Metric::tpot:
      return tpot;
    case Metric::unit_cost:
      return unit_cost;
    case Metric::area:
      return area_mm2;
    case Metric::power:
      return power_w;
  }
  return 0;
}

namespace {

// The plan workload `ws` runs on: tp = want_tp, or (0) the smallest power of
// two up to largest_tp that holds it; when even that cannot, the fewest
// power-of-two pipeline stages up to max_pp. tp 0 when nothing fits.
ParallelPlan fitting_plan(const ChipSpec& chip, const WorkloadSpec& ws, const FixedWorkload& w,
                          int want_tp) {
  ParallelPlan plan{std::max(want_tp, 1)};
  if (want_tp == 0) {
    plan.tp = smallest_fitting_tp(chip, ws.model, ws.precision, plan, w, ws.max_tp);
    if (plan.tp > 0) return plan;
    plan.tp = largest_tp(ws.model, ws.max_tp);
  }
  for (plan.pp = 1; plan.pp <= ws.max_pp && plan.pp <= ws.model.layers; plan.pp *= 2)
    if (fixed_workload_budget(chip, ws.model, ws.precision, plan, w).fits()) return plan;
  plan.tp = 0;
  return plan;
}

// Runs serving workload `ws` on one deployment of `tp` chips (an engine
// limit of w.batch requests, w.max_tokens per iteration): its p99 TTFT and
// TPOT, output tokens/s per chip, J/token and $/Mtok; with `rate:
// capacity`, at the fastest Poisson rate whose p99s meet the space's
// max_ttft/max_tpot. False (with r's reason) when its KV cache cannot hold
// the longest request, or no rate meets the objectives.
bool serve_workload(const DesignSpace& space, const ChipSpec& chip, const WorkloadSpec& ws,
                    const FixedWorkload& w, int tp, WorkloadResult& out, DesignResult& r) {
  ServeOptions o;  // one replica of tp chips; round-robin, chunked prefill, decode-first
  o.count = o.tp = tp;
  o.engine.max_batch = w.batch;
  o.engine.max_tokens = w.max_tokens;
  const ServeRequests& q = ws.serving->requests;
  ServeResult run;
  try {
    run = prepare_serve(chip, ws.model, ws.precision, w.speculation, o, q);
  } catch (const UserError& e) {
    fail(r, "memory", fmt::format("{} at tp {}: {}", ws.name, tp, e.what()));
    return false;
  }
  if (ws.serving->capacity) {
    o.arrivals.kind = ArrivalKind::poisson;
    o.seed = ws.serving->seed;
    o.min_duration = ws.serving->min_duration;
    o.slo = Slo{space.constraints.max_ttft, space.constraints.max_tpot};
    CapacityResult c = find_capacity(std::move(run), q, o);
    if (!c.found) {
      fail(r, c.limit.find("TTFT") != std::string::npos ? "max_ttft" : "max_tpot",
           fmt::format("{} at tp {}: no rate meets the objectives (at {:.3g} requests/s, {})",
                       ws.name, tp, c.rate, c.limit));
      return false;
    }
    run = std::move(c.run);
  } else {
    simulate_serve(run, q.requests, o);
  }
  const ServingMetrics& m = run.metrics;
  if (!run.economics.available()) throw UserError(run.economics.unavailable);
  out = {tp,
         1,
         m.ttft.p99,
         m.tpot.p99,
         m.output_tokens_per_s / tp,
         run.economics.joules_per_token,
         run.economics.dollars_per_mtok};
  return true;
}

// The workload knobs of one design; unset ones leave the workload's own.
struct WorkloadKnobs {
  int64_t batch = 0;      // 0 = unset
  int tp = 0;             // 0 = unset
  int draft_tokens = -1;  // -1 = unset; 0 = no speculation
};

// Sizes, prices and runs `chip` on every workload with the design's workload
// knobs, filling `r` and checking the constraints.
void evaluate_chip(const DesignSpace& space, const ChipSpec& chip, const WorkloadKnobs& knobs,
                   DesignResult& r) {
  try {
    const WorkloadEconomics silicon = chip_economics(chip);
    if (!silicon.available()) throw UserError(silicon.unavailable);
    r.dies = chip.die.dies;
    r.area_mm2 = silicon.sheet.area.total_mm2;
    r.unit_cost = silicon.sheet.cost.unit_cost;
    r.power_w = chip.power.tdp;
    if (silicon_violation(space.constraints, r)) return;

    std::vector<WorkloadResult> runs;
    for (const WorkloadSpec& ws : space.workloads) {
      FixedWorkload w = ws.run;
      if (knobs.batch > 0) w.batch = knobs.batch;
      if (knobs.draft_tokens >= 0) w.speculation.draft_tokens = knobs.draft_tokens;
      const int want_tp = knobs.tp > 0 ? knobs.tp : ws.tp;
      const ParallelPlan plan = fitting_plan(chip, ws, w, want_tp);
      if (plan.tp == 0) {
        const std::string stages =
            ws.max_pp > 1 ? fmt::format(" x {} pipeline stages", ws.max_pp) : "";
        fail(r, "memory",
             fmt::format("{} at batch {} does not fit in memory {}{}", ws.name, w.batch,
                         want_tp == 0 ? fmt::format("on up to {} chips (tensor parallel)",
                                                    largest_tp(ws.model, ws.max_tp))
                                      : fmt::format("at tp {}", want_tp),
                         stages));
        return;
      }
      check_plan(plan, ws.model);
      if (ws.serving) {
        if (plan.pp > 1) {
          fail(r, "memory",
               fmt::format("{} needs {} pipeline stages; a serving workload runs without them",
                           ws.name, plan.pp));
          return;
        }
        WorkloadResult served;
        if (!serve_workload(space, chip, ws, w, plan.tp, served, r)) return;
        runs.push_back(served);
        continue;
      }
      const FixedBatchResult run = run_fixed_workload(chip, ws.model, ws.precision, plan, w);
      WorkloadEconomics money = silicon;
      price_fixed_batch(money, chip, ws.precision.dense_mlp.compute_dtype(), plan, run);
      runs.push_back({plan.tp, plan.pp, run.ttft, run.tpot, run.output_tokens_per_s / plan.chips(),
                      money.joules_per_token, money.dollars_per_mtok});
    }
    // The mix: token-share averages, the chip time per mixed token, the worst latency.
    double chip_seconds_per_token = 0;
    for (size_t i = 0; i < runs.size(); ++i) {
      const WorkloadResult& w = runs[i];
      const double share = space.workloads[i].weight;
      if (w.tp * w.pp > r.chips) {
        r.tp = w.tp;
        r.pp = w.pp;
        r.chips = w.tp * w.pp;
      }
      r.ttft = std::max(r.ttft, w.ttft);
      r.tpot = std::max(r.tpot, w.tpot);
      r.joules_per_token += share * w.joules_per_token;
      r.dollars_per_mtok += share * w.dollars_per_mtok;
      chip_seconds_per_token += share / w.tokens_per_s_per_chip;
    }
    r.tokens_per_s_per_chip = 1 / chip_seconds_per_token;
    r.workloads = std::move(runs);
    if (slo_violation(space.constraints, r)) return;
  } catch (const UserError& e) {
    fail(r, "error", e.what());
    return;
  }
  r.feasible = true;
}

}  // namespace

DesignResult evaluate_design(const DesignSpace& space, int64_t index) {
  return evaluate_values(space, space.assignment(index), index);
}

DesignResult evaluate_values(const DesignSpace& space, const std::vector<int>& values,
                             int64_t index) {
  DesignResult r;
  r.index = index;
  r.values = values;
  WorkloadKnobs knobs;
  for (size_t j = 0; j < space.knobs.size(); ++j) {
    const Knob& k = space.knobs[j];
    const double v = k.values[static_cast<size_t>(r.values[j])].number;
    if (k.kind == KnobKind::batch) knobs.batch = static_cast<int64_t>(v);
    if (k.kind == KnobKind::tp) knobs.tp = static_cast<int>(v);
    if (k.kind == KnobKind::draft_tokens) knobs.draft_tokens = static_cast<int>(v);
  }
  ChipSpec chip;
  try {
    chip = chip_variant(space, r.values);
  } catch (const UserError& e) {
    fail(r, "error", e.what());
    return r;
  }
  evaluate_chip(space, chip, knobs, r);
  return r;
}

DesignResult evaluate_reference(const DesignSpace& space, size_t i) {
  DesignResult r;
  r.index = -1;
  evaluate_chip(space, space.reference_chips.at(i), WorkloadKnobs{}, r);
  return r;
}

std::vector<bool> on_front(const ExploreResult& r) {
  std::vector<bool> mask(r.designs.size());
  for (int64_t i : r.pareto) mask[static_cast<size_t>(i)] = true;
  return mask;
}

std::vector<int64_t> pareto_front(const std::vector<DesignResult>& designs,
                                  const std::vector<Metric>& objectives) {
  std::vector<int64_t> feasible;
  for (size_t i = 0; i < designs.size(); ++i)
    if (designs[i].feasible) feasible.push_back(static_cast<int64_t>(i));
  // Sorted by the objectives in turn (then design order), a design can only be
  // dominated by one before it, so one pass against the front so far suffices.
  auto key_less = [&](int64_t a, int64_t b) {
    for (Metric m : objectives) {
      const double x = designs[a].metric(m), y = designs[b].metric(m);
      if (x != y) return metric_maximised(m) ? x > y : x < y;
    }
    return a < b;
  };
  std::sort(feasible.begin(), feasible.end(), key_less);
  std::vector<int64_t> front;
  for (int64_t i : feasible) {
    bool dominated = false;
    for (int64_t f : front) {
      // A random sample may draw a design twice: the front keeps its first draw.
      if (dominates(designs[f], designs[i], objectives) || designs[f].values == designs[i].values) {
        dominated = true;
        break;
      }
    }
    if (!dominated) front.push_back(i);
  }
  return front;
}

void evaluate_designs(const DesignSpace& space, std::vector<DesignResult>& designs, size_t first,
                      int threads) {
  const auto n = static_cast<int64_t>(designs.size());
  threads = static_cast<int>(
      std::clamp<int64_t>(threads, 1, std::max<int64_t>(n - static_cast<int64_t>(first), 1)));
  std::atomic<int64_t> next{static_cast<int64_t>(first)};
  std::mutex failed_mutex;
  std::exception_ptr failed;  // the first unexpected error, rethrown after the join
  auto work = [&] {
    try {
      for (int64_t i = next++; i < n; i = next++) {
        DesignResult& d = designs[static_cast<size_t>(i)];
        d = evaluate_values(space, d.values, d.index);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(failed_mutex);
      if (!failed) failed = std::current_exception();
      next = n;  // stop the others
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (failed) std::rethrow_exception(failed);
}

namespace {

// Calls f(knob, values) for each design one listed value of one knob
// away from `values` (knob order, down before up).
template <class F>
void for_each_neighbour(const DesignSpace& space, const std::vector<int>& values, F f) {
  for (size_t j = 0; j < space.knobs.size(); ++j) {
    for (int step : {-1, 1}) {
      std::vector<int> v = values;
      v[j] += step;
      if (v[j] >= 0 && v[j] < static_cast<int>(space.knobs[j].values.size())) f(j, v);
    }
  }
}

// The unseen neighbours of the front's designs: each knob one value up or
// down (knob values are listed in order, so a neighbour is the next size up
// or down), in front order, knob order, down before up.
std::vector<std::vector<int>> front_neighbours(const DesignSpace& space,
                                               const std::vector<DesignResult>& designs,
                                               const std::vector<int64_t>& front,
                                               std::set<std::vector<int>>& seen) {
  std::vector<std::vector<int>> out;
  for (int64_t f : front) {
    for_each_neighbour(space, designs[static_cast<size_t>(f)].values,
                       [&](size_t, std::vector<int> v) {
                         if (seen.insert(v).second) out.push_back(std::move(v));
                       });
  }
  return out;
}

}  // namespace

namespace {

int thread_count(const ExploreOptions& options) {
  return options.threads > 0 ? options.threads
                             : static_cast<int>(std::thread::hardware_concurrency());
}

// The grid's or the random sample's designs i = first, first + stride, ...,
// evaluated.
std::vector<DesignResult> sampled_designs(const DesignSpace& space, int64_t first, int64_t stride,
                                          int threads) {
  std::vector<DesignResult> designs;
  const int64_t n = space.design_count();
  for (int64_t i = first; i < n; i += stride) {
    DesignResult d;
    d.index = i;
    d.values = space.assignment(i);
    designs.push_back(std::move(d));
  }
  evaluate_designs(space, designs, 0, threads);
  return designs;
}

}  // namespace

std::vector<DesignResult> explore_shard(const DesignSpace& space, Shard shard,
                                        const ExploreOptions& options) {
  if (space.sampler == DesignSpace::Sampler::nsga2)
    throw UserError(fmt::format(
        "{}: an NSGA-II search cannot be split into shards (each generation breeds from the "
        "last); use `sampler: grid` or `random` for a sharded run, or run it whole",
        shown_preset_path(space.file)));
  if (shard.count < 1 || shard.number < 1 || shard.number > shard.count)
    throw UserError(fmt::format("shard {}/{}: the shard must be K/N with 1 <= K <= N", shard.number,
                                shard.count));
  return sampled_designs(space, shard.number - 1, shard.count, thread_count(options));
}

ExploreResult explore(const DesignSpace& space, const ExploreOptions& options) {
  if (space.sampler == DesignSpace::Sampler::nsga2)
    return finish_exploration(space, nsga2_search(space, thread_count(options)), options);
  return finish_exploration(space, sampled_designs(space, 0, 1, thread_count(options)), options);
}

ExploreResult finish_exploration(const DesignSpace& space, std::vector<DesignResult> designs,
                                 const ExploreOptions& options) {
  ExploreResult out;
  const int threads = thread_count(options);
  out.designs = std::move(designs);
  out.pareto = pareto_front(out.designs, space.objectives);
  // Refinement: walk from the front to its unseen neighbours, a round at a
  // time, while the front still gains designs.
  std::set<std::vector<int>> seen;
  if (space.refine_rounds > 0)
    for (const auto& d : out.designs) seen.insert(d.values);
  for (int round = 0; round < space.refine_rounds; ++round) {
    const auto next = front_neighbours(space, out.designs, out.pareto, seen);
    if (next.empty()) break;
    const size_t first = out.designs.size();
    for (const auto& v : next) {
      DesignResult d;
      d.index = static_cast<int64_t>(out.designs.size());
      d.values = v;
      out.designs.push_back(std::move(d));
    }
    evaluate_designs(space, out.designs, first, threads);
    out.refined += static_cast<int64_t>(next.size());
    ++out.refine_rounds;
    out.pareto = pareto_front(out.designs, space.objectives);
  }
  for (const auto& d : out.designs) out.feasible += d.feasible ? 1 : 0;
  if (!out.pareto.empty()) {
    const DesignResult& best = out.designs[static_cast<size_t>(out.pareto.front())];
    for_each_neighbour(space, best.values, [&](size_t j, std::vector<int> v) {
      out.sensitivity.push_back({j, best.values[j], v[j], evaluate_values(space, v, -1)});
    });
  }
  for (size_t i = 0; i < space.reference_chips.size(); ++i)
    out.references.push_back(evaluate_reference(space, i));
  return out;
}

}  // namespace cw
