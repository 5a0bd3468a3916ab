// One MLPerf LoadGen scenario run on a deployment (reference/mlperf.md §1):
// Offline sends every sample at t = 0 in one query; Server sends Poisson
// arrivals at a rate for at least 600 s and is valid when p99 TTFT and p99
// TPOT and their early-stopping estimates (early_stopping.hpp) stay under the
// benchmark's limits (Interactive = Server with tighter limits). Tokens/s is
// computed as LoadGen computes it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "serving/deployment.hpp"
#include "serving/metrics.hpp"
#include "serving/mlperf_benchmarks.hpp"
#include "serving/serving_economics.hpp"

namespace cw {

enum class MlperfScenario { offline, server, interactive };
const char* scenario_name(MlperfScenario s);
MlperfScenario parse_scenario(const std::string& s);  // UserError with a did-you-mean

// LoadGen constants (mlperf.conf, reference/mlperf.md §1.2).
inline constexpr double kMinDuration = 600.0;  // s, Offline and Server min_duration
inline constexpr double kOfflineSlack = 1.1;   // test_settings_internal.cc kSlack
inline constexpr uint64_t kScheduleSeed = 18209322760996052031ull;  // v5.1 schedule_rng_seed
inline constexpr uint64_t kSampleSeed = 14771362308971278857ull;    // v5.1 sample_index_rng_seed

struct MlperfRun {
  double tokens_per_s = 0;  // the benchmark's metric (GPT-J: inferred tokens/s)
  double samples_per_s = 0;
  double rate = 0;      // Server: the Poisson rate (queries/s); Offline: 0
  int64_t samples = 0;  // samples issued
  bool valid = true;    // Server: latency limits met
  std::string why;      // when not valid: which limit failed
  // Server: LoadGen's early-stopping estimates of the p99 (seconds; +inf
  // when too few samples): TTFT, TPOT (samples with >= 2 tokens), e2e.
  double ttft_early_stopping = 0, tpot_early_stopping = 0, e2e_early_stopping = 0;
  ServingMetrics metrics;
  WorkloadEconomics economics;  // of a completed run (not of an early-stopped one)
};

// The samples LoadGen issues in order: `count` indices cycling through
// shuffled permutations of the dataset (equal-issue mode, §1.2).
std::vector<Request> mlperf_requests(const std::vector<TraceRow>& dataset, int64_t count, int width,
                                     uint64_t seed);

// Offline with `samples` samples (LoadGen: max(N, 1.1 x 600 s x expected
// qps) rounded up to a multiple of N; see offline_samples()).
MlperfRun run_offline(const Deployment& d, const MlperfBenchmark& b,
                      const std::vector<TraceRow>& dataset, int64_t samples);
int64_t offline_samples(const MlperfBenchmark& b, double samples_per_s);

struct ServerRunOptions {
  double duration = kMinDuration;  // arrivals continue at least this long (s)
  // Pad the sample count up to a multiple of N (LoadGen's equal issue). Off
  // for the deployment search's shorter screening runs.
  bool equal_issue = true;
  // Arrivals also continue until this many samples (p99 needs a few hundred
  // at least); 0 = LoadGen's rule alone (min_query_count 100 < N always).
  int64_t min_samples = 0;
};

// Server at `qps` with Poisson arrivals (loadgen.cc GenerateQueries).
MlperfRun run_server(const Deployment& d, const MlperfBenchmark& b,
                     const std::vector<TraceRow>& dataset, const LatencyLimits& limits, double qps,
                     const ServerRunOptions& opts = {});

// The highest Poisson rate at which run_server is valid, bracketed around
// `capacity_qps` (an Offline rate) and bisected to a relative resolution
// `tolerance`. Returns the run at that rate; valid=false when even a tiny
// rate fails.
MlperfRun find_server_rate(const Deployment& d, const MlperfBenchmark& b,
                           const std::vector<TraceRow>& dataset, const LatencyLimits& limits,
                           double capacity_qps, const ServerRunOptions& opts = {},
                           double tolerance = 0.01);

}  // namespace cw
