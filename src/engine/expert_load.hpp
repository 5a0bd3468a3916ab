// Routed rows of the busiest expert-parallel rank. Routing balanced only in
// expectation (each of a batch's tokens × top-k choices lands on an expert
// uniformly) gives multinomial counts: the step waits for the busiest rank,
// which receives more than the mean, and a grouped GEMM pads every expert's
// rows to its tile, so spread between experts costs too. This is the
// imbalance of ideal uniform routing, a lower bound on real routers' (whose
// skew EPLB's redundant experts reduce; not modelled).
#pragma once

#include <cstdint>

namespace cw {

// E[max of n independent standard normal variables] (normal order
// statistics; n = 2 gives 1/sqrt(pi) = 0.5642, n = 8 gives 1.4236), by
// integrating x · n·φ(x)·Φ(x)^(n−1) numerically. Contract: n >= 1.
double expected_max_standard_normal(int n);

// Rows per expert on the busiest rank: `experts_hi` experts with `hi` rows
// and `experts_lo` with `lo` (lo <= hi).
struct ExpertRows {
  int64_t hi = 1, lo = 1;
  int64_t experts_hi = 1, experts_lo = 0;
  int64_t total() const { return hi * experts_hi + lo * experts_lo; }
};

// `assignments` = tokens × top-k routed choices over `touched` experts, dealt
// to `ranks` ranks holding `local` of them each. The busiest rank's total is
// the binomial mean a/r plus z_r = expected_max_standard_normal(r) standard
// deviations sqrt(a·(1/r)·(1 − 1/r)) (normal approximation; none for one
// rank); its experts get that total's mean μ ± one per-expert standard
// deviation sqrt(μ·(1 − 1/touched)), half each (a two-point stand-in for the
// spread, which a grouped GEMM pays as padding). Contract: ranks, local,
// touched >= 1, assignments >= 0.
ExpertRows busiest_rank_rows(int64_t assignments, int64_t touched, int ranks, int64_t local,
                             double z);

}  // namespace cw
