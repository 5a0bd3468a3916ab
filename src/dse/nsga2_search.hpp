// NSGA-II over a design space's knobs (Deb, Pratap, Agarwal and Meyarivan,
// "A fast and elitist multiobjective genetic algorithm: NSGA-II", IEEE TEC
// 2002), run by pagmo2: each gene is a knob's value index (pagmo's integer
// part), the fitness is the space's objectives (maximised ones negated), and
// an infeasible design is penalised so the search leaves it: by a large
// offset if it ran and broke a constraint, by a larger one if it could not
// run. Each generation's offspring are evaluated together on `threads`
// threads, and a design drawn twice is evaluated once.
#pragma once

#include <vector>

#include "dse/explore.hpp"

namespace cw {

// Every distinct design the search evaluated, numbered in the order it was
// first drawn (deterministic for a seed, whatever the thread count).
std::vector<DesignResult> nsga2_search(const DesignSpace& space, int threads);

}  // namespace cw
