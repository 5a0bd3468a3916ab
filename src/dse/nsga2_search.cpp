#include "dse/nsga2_search.hpp"

#include <cmath>
#include <map>
#include <memory>
#include <pagmo/algorithms/nsga2.hpp>
#include <pagmo/bfe.hpp>
#include <pagmo/population.hpp>
#include <pagmo/problem.hpp>

namespace cw {
namespace {

// Fitness offsets that rank every infeasible design behind every feasible one:
// a design that ran but broke a constraint keeps its metrics on top of the
// first offset (so the search still prefers the better of two), one that did
// not run (memory, error) gets the second.
constexpr double kBrokeAConstraint = 1e12;
constexpr double kDidNotRun = 1e15;

// The designs evaluated so far, shared by the problem and the batch
// evaluator (pagmo copies both; they keep a pointer to this one store).
struct Store {
  const DesignSpace* space = nullptr;
  int threads = 1;
  // The knobs with more than one value, one gene each (pagmo's NSGA-II
  // refuses a gene whose bounds are equal); the others stay at value 0.
  std::vector<size_t> genes;
  std::vector<DesignResult> designs;        // in the order first drawn
  std::map<std::vector<int>, size_t> seen;  // knob values -> position in designs
};

// The knob values of the decision vector at x[first, first + genes).
std::vector<int> knob_values(const Store& store, const pagmo::vector_double& x, size_t first) {
  std::vector<int> v(store.space->knobs.size(), 0);
  for (size_t g = 0; g < store.genes.size(); ++g)
    v[store.genes[g]] = static_cast<int>(std::lround(x[first + g]));
  return v;
}

// NSGA-II needs two objectives: a single one is given twice, so its fronts
// are the designs ranked by that objective (an elitist genetic algorithm).
size_t objective_count(const DesignSpace& space) {
  return std::max<size_t>(2, space.objectives.size());
}

pagmo::vector_double fitness_of(const DesignSpace& space, const DesignResult& d) {
  pagmo::vector_double f;
  for (size_t i = 0; i < objective_count(space); ++i) {
    const Metric m = space.objectives[std::min(i, space.objectives.size() - 1)];
    const double v = metric_maximised(m) ? -d.metric(m) : d.metric(m);
    if (d.feasible)
      f.push_back(v);
    else
      f.push_back(d.tp > 0 ? kBrokeAConstraint + v : kDidNotRun);
  }
  return f;
}

// Evaluates the designs of `dvs` (concatenated decision vectors) not seen
// before, together, and returns every one's fitness in order.
pagmo::vector_double evaluate_batch(Store& store, const pagmo::vector_double& dvs) {
  const size_t n = store.genes.size();
  const size_t first_new = store.designs.size();
  std::vector<size_t> slot;
  for (size_t at = 0; at < dvs.size(); at += n) {
    std::vector<int> v = knob_values(store, dvs, at);
    auto [it, fresh] = store.seen.emplace(v, store.designs.size());
    if (fresh) {
      DesignResult d;
      d.index = static_cast<int64_t>(store.designs.size());
      d.values = std::move(v);
      store.designs.push_back(std::move(d));
    }
    slot.push_back(it->second);
  }
  evaluate_designs(*store.space, store.designs, first_new, store.threads);
  pagmo::vector_double out;
  for (size_t s : slot) {
    const pagmo::vector_double f = fitness_of(*store.space, store.designs[s]);
    out.insert(out.end(), f.begin(), f.end());
  }
  return out;
}

struct DesignProblem {
  std::shared_ptr<Store> store;
  pagmo::vector_double fitness(const pagmo::vector_double& x) const {
    return evaluate_batch(*store, x);
  }
  std::pair<pagmo::vector_double, pagmo::vector_double> get_bounds() const {
    pagmo::vector_double lo, hi;
    for (size_t j : store->genes) {
      lo.push_back(0);
      hi.push_back(static_cast<double>(store->space->knobs[j].values.size() - 1));
    }
    return {lo, hi};
  }
  pagmo::vector_double::size_type get_nobj() const { return objective_count(*store->space); }
  pagmo::vector_double::size_type get_nix() const { return store->genes.size(); }
};

struct BatchEvaluator {
  std::shared_ptr<Store> store;
  pagmo::vector_double operator()(const pagmo::problem&, const pagmo::vector_double& dvs) const {
    return evaluate_batch(*store, dvs);
  }
};

}  // namespace

std::vector<DesignResult> nsga2_search(const DesignSpace& space, int threads) {
  auto store = std::make_shared<Store>();
  store->space = &space;
  store->threads = std::max(1, threads);
  for (size_t j = 0; j < space.knobs.size(); ++j)
    if (space.knobs[j].values.size() > 1) store->genes.push_back(j);
  if (store->genes.empty()) {  // one design: nothing to search
    store->designs.resize(1);
    store->designs[0].values.assign(space.knobs.size(), 0);
    evaluate_designs(space, store->designs, 0, 1);
    return std::move(store->designs);
  }
  const auto seed = static_cast<unsigned>(space.seed);
  const pagmo::bfe batch{BatchEvaluator{store}};
  pagmo::population pop{pagmo::problem{DesignProblem{store}}, batch,
                        static_cast<pagmo::population::size_type>(space.population), seed};
  // Mutation: one gene per child on average (Deb et al.'s 1 / genes); the
  // crossover probability and distribution indices are pagmo's defaults.
  const double mutation = 1.0 / static_cast<double>(store->genes.size());
  pagmo::nsga2 algorithm{static_cast<unsigned>(space.generations), 0.95, 10., mutation, 50., seed};
  algorithm.set_bfe(batch);
  algorithm.evolve(pop);
  return std::move(store->designs);
}

}  // namespace cw
