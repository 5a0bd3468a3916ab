// Routed rows of the busiest expert-parallel rank. Routing balanced only in
// expectation (each of a batch's tokens × top-k choices lands on an expert
// with the expert's popularity) gives multinomial counts: the step waits for
// the busiest rank, which receives more than the mean, and a grouped GEMM
// pads every expert's rows to its tile, so spread between experts costs too.
//
// Popularity is uniform by default (the ideal a balanced router approaches;
// then only multinomial noise unbalances the ranks). `--routing-skew s` makes
// it Zipf-like, p_i ∝ i^−s, and the placement decides how much of that skew
// reaches the ranks: static placement (E/ep consecutive experts per rank,
// popularity unrelated to expert ids) or EPLB (DeepSeek's expert-parallel
// load balancer, github.com/deepseek-ai/EPLB, global policy: `redundant`
// extra copies of the heaviest experts, then balanced packing of all copies
// over the ranks).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cw {

// E[max of n independent standard normal variables] (normal order
// statistics; n = 2 gives 1/sqrt(pi) = 0.5642, n = 8 gives 1.4236), by
// integrating x · n·φ(x)·Φ(x)^(n−1) numerically. Contract: n >= 1.
double expected_max_standard_normal(int n);

// Long-run share of routed choices per expert: p_i = i^−skew / Σ_j j^−skew,
// i = 1..experts (skew 0: uniform 1/experts). Contract: experts >= 1, skew >= 0.
std::vector<double> zipf_popularity(int64_t experts, double skew);

// Most skew accepted: at 3 a router prefers its first of 256 experts 83% of
// the time (a top-8 router then picks its five favourites for every token).
inline constexpr double kMaxRoutingSkew = 3;

// Throws UserError naming the flag for a skew outside [0, kMaxRoutingSkew],
// and for a skew or EPLB given for a dense model (`moe` false, named `model`).
void check_routing_options(double skew, bool eplb, bool moe, const std::string& model);

// Chance that one token's k distinct choices include expert i, for a router
// preferring experts by `popularity` (summing to 1): min(1, c·p_i) with c set
// so the chances sum to k (inclusion probabilities proportional to
// popularity, capped at 1: an expert preferred more than 1/k is picked by
// every token). Uniform popularity gives k/E each. Contract: 1 <= k <= E.
std::vector<double> inclusion_chances(const std::vector<double>& popularity, int k);

// How routed choices spread over `ranks` expert-parallel ranks.
struct ExpertPlacement {
  int ranks = 1;
  int64_t experts = 1;  // logical experts E
  int64_t slots = 1;    // expert copies per rank: (E + redundant) / ranks
  // A rank's long-run share of all routed choices: the busiest rank's
  // (EPLB, known exactly) or the mean 1/ranks (static placement), and its
  // standard deviation over random static placements (0 under EPLB).
  double share = 1, share_sd = 0;
  // Squared coefficient of variation of the per-copy loads on a rank: the
  // part of the spread between its experts that popularity adds (0 uniform).
  double copy_cv2 = 0;
  // Chance that one token's top-k choices include expert i
  // (inclusion_chances; empty: uniform, k/E each). Expert i's share of the
  // routed choices is pick_i / k.
  std::vector<double> pick;
};

// Static placement: rank r holds experts [r·E/ranks, (r+1)·E/ranks); with
// popularity unrelated to ids a rank's share is the sum of E/ranks expert
// shares (pick_i / k) drawn without replacement: mean 1/ranks, variance
// L·v·(E−L)/(E−1) (L = E/ranks, v the shares' population variance).
// EPLB (`eplb`): `redundant` copies go one at a time to the expert with the
// highest load per copy (eplb.py replicate_experts), then the copies, heaviest
// first, each to the least-loaded rank with a free slot (balanced_packing);
// share is the busiest rank's load and copy_cv2 the spread of its copies.
// Contract: experts_per_token >= 1, ranks >= 1 dividing experts + redundant,
// skew >= 0, redundant >= 0 (only with eplb).
ExpertPlacement place_experts(int64_t experts, int experts_per_token, int ranks, double skew,
                              bool eplb, int redundant);

// How much more than the mean the busiest rank receives in a dispatch (and
// sends back in the combine) because its experts are preferred: ranks ·
// (share + z · share_sd), at least 1 (1 under uniform routing: every rank's
// long-run share is 1/ranks). It scales routed choices, so a token sending
// two of its picks to the same hot rank (one copy in DeepEP) is counted
// twice: an upper bound. Multinomial noise is left to the GEMMs' rows.
double busiest_receive_factor(const ExpertPlacement& placement, double z);

// Experts a batch of `tokens` touches: in all, Σ_i 1 − (1 − pick_i)^tokens
// (E·(1 − (1 − k/E)^tokens) under uniform routing), and the copies the
// busiest rank holds that it touches: the mean total · slots / E, plus
// (skewed routing) z standard deviations of a rank's count over placements,
// L·v·(E − L)/(E − 1) with L = slots and v the population variance of the
// experts' touch chances 1 − (1 − pick_i)^tokens (a rank holding cold
// experts touches fewer weights than one holding hot ones), at most `slots`
// and at least 1.
struct TouchedExperts {
  double total = 0, busiest_rank = 1;
};
TouchedExperts touched_experts(const ExpertPlacement& placement, int experts_per_token,
                               int64_t tokens, double z);

// Rows per expert on the busiest rank: `experts_hi` experts with `hi` rows
// and `experts_lo` with `lo` (lo <= hi).
struct ExpertRows {
  int64_t hi = 1, lo = 1;
  int64_t experts_hi = 1, experts_lo = 0;
  int64_t total() const { return hi * experts_hi + lo * experts_lo; }
};

// `assignments` = tokens × top-k routed choices over `touched` experts, of
// which `local` expert copies sit on the busiest rank. With share m and its
// spread σ from the placement, a rank's total has mean a·m and variance
// a²σ² + a·m·(1 − m) (placement plus multinomial noise); the busiest is
// z = expected_max_standard_normal(ranks) standard deviations above (normal
// approximation; z = 0 for one rank). Its copies get that total's mean μ ±
// one per-copy standard deviation sqrt(μ·(1 − 1/touched) + μ²·copy_cv2),
// half each (a two-point stand-in for the spread, which a grouped GEMM pays
// as padding); when that spread reaches the mean, the cold half keeps one row
// each and the hot half at most the rest. Contract: local, touched >= 1,
// assignments >= 0.
ExpertRows busiest_rank_rows(int64_t assignments, int64_t touched, int64_t local,
                             const ExpertPlacement& placement, double z);

}  // namespace cw
