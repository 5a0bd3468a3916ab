#include "serving/mlperf_scenario.hpp"

#include <fmt/core.h>

#include <cmath>

#include "config/did_you_mean.hpp"
#include "config/error.hpp"
#include "serving/arrivals.hpp"
#include "serving/early_stopping.hpp"

namespace cw {

const char* scenario_name(MlperfScenario s) {
  switch (s) {
    case MlperfScenario::offline:
      return "offline";
    case MlperfScenario::server:
      return "server";
    case MlperfScenario::interactive:
      return "interactive";
  }
  return "?";
}

MlperfScenario parse_scenario(const std::string& s) {
  if (s == "offline") return MlperfScenario::offline;
  if (s == "server") return MlperfScenario::server;
  if (s == "interactive") return MlperfScenario::interactive;
  throw UserError("unknown MLPerf scenario '" + s + "'. " +
                  suggestion(s, {"offline", "server", "interactive"}));
}

std::vector<Request> mlperf_requests(const std::vector<TraceRow>& dataset, int64_t count, int width,
                                     uint64_t seed) {
  const auto n = static_cast<int64_t>(dataset.size());
  std::vector<int64_t> perm(static_cast<size_t>(n));
  Rng rng(seed);
  std::vector<Request> out;
  out.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    if (i % n == 0) {
      for (int64_t j = 0; j < n; ++j) perm[static_cast<size_t>(j)] = j;
      shuffle(perm, rng);
    }
    const TraceRow& row = dataset[static_cast<size_t>(perm[static_cast<size_t>(i % n)])];
    out.push_back(Request{i, 0.0, row.input, row.output, width});
  }
  return out;
}

namespace {

// LoadGen's token metric: output tokens over the time to the last completion
// (Offline result_tokens_per_second, Server result_completed_tokens_per_second);
// GPT-J counts 69 inferred tokens per sample (§1.3).
void fill_metric(MlperfRun& run, const MlperfBenchmark& b, bool server) {
  const ServingMetrics& m = run.metrics;
  if (m.makespan <= 0) return;
  // Server divides (samples − 1) by the completion time (results.cc).
  const double samples = static_cast<double>(m.requests - (server ? 1 : 0));
  run.samples_per_s = samples / m.makespan;
  run.tokens_per_s = b.inferred_tokens_per_sample > 0
                         ? b.inferred_tokens_per_sample * run.samples_per_s
                         : static_cast<double>(m.output_tokens) / m.makespan;
}

}  // namespace

int64_t offline_samples(const MlperfBenchmark& b, double samples_per_s) {
  // samples_per_query = max(min_query_count, 1.1 × 600 s × expected qps),
  // padded up to a multiple of the dataset size (equal issue, §1.2).
  const double wanted = kOfflineSlack * kMinDuration * samples_per_s;
  const int64_t passes = std::max<int64_t>(
      1, static_cast<int64_t>(std::ceil(wanted / static_cast<double>(b.samples))));
  return passes * b.samples;
}

MlperfRun run_offline(const Deployment& d, const MlperfBenchmark& b,
                      const std::vector<TraceRow>& dataset, int64_t samples) {
  MlperfRun run;
  run.samples = samples;
  auto requests = mlperf_requests(dataset, samples, b.beam_width, kSampleSeed);
  run.metrics = summarize(simulate(requests, d.cluster, d.step_cost()));
  fill_metric(run, b, false);
  run.economics = serving_economics(d, run.metrics);
  return run;
}

MlperfRun run_server(const Deployment& d, const MlperfBenchmark& b,
                     const std::vector<TraceRow>& dataset, const LatencyLimits& limits, double qps,
                     const ServerRunOptions& opts) {
  MlperfRun run;
  run.rate = qps;
  // Poisson arrivals until the last one is past `duration` and the count is
  // a multiple of N (loadgen.cc GenerateQueries with equal issue).
  const auto n = opts.equal_issue ? static_cast<int64_t>(dataset.size()) : 1;
  Rng rng(kScheduleSeed);
  std::vector<double> times;
  double now = 0;
  // Bound: k·N samples where the k·N-th arrival passes `duration`; the loop
  // stops at the first multiple of N past it (finite for qps > 0).
  while (now < opts.duration || static_cast<int64_t>(times.size()) % n != 0 ||
         static_cast<int64_t>(times.size()) < opts.min_samples) {
    now += rng.exponential(qps);
    times.push_back(now);
  }
  auto requests =
      mlperf_requests(dataset, static_cast<int64_t>(times.size()), b.beam_width, kSampleSeed);
  for (size_t i = 0; i < requests.size(); ++i) requests[i].arrival = times[i];
  run.samples = static_cast<int64_t>(requests.size());
  SimulationOptions stop;
  if (limits.ttft > 0) stop.abort_ttft = limits.ttft;
  if (limits.tpot > 0) stop.abort_tpot = limits.tpot;
  SimulationResult sim = simulate(requests, d.cluster, d.step_cost(), stop);
  if (sim.aborted) {
    run.valid = false;
    run.why = sim.abort_reason + " (stopped early)";
    return run;
  }
  run.metrics = summarize(sim);
  fill_metric(run, b, true);
  std::vector<double> ttft, tpot, e2e;
  ttft.reserve(sim.records.size());
  e2e.reserve(sim.records.size());
  for (const RequestRecord& q : sim.records) {
    ttft.push_back(q.ttft());
    e2e.push_back(q.e2e());
    if (q.output > 1) tpot.push_back(q.tpot());
  }
  run.ttft_early_stopping = early_stopping_estimate(std::move(ttft), 0.99).estimate;
  run.tpot_early_stopping = early_stopping_estimate(std::move(tpot), 0.99).estimate;
  run.e2e_early_stopping = early_stopping_estimate(std::move(e2e), 0.99).estimate;
  // The checker compares the token p99s strictly (reference/mlperf.md §1.3);
  // LoadGen's early stopping counts an overrun when latency > target, so the
  // e2e estimate may equal its limit.
  run.economics = serving_economics(d, run.metrics);
  const ServingMetrics& m = run.metrics;
  if (limits.ttft > 0 && !(m.ttft.p99 < limits.ttft)) {
    run.valid = false;
    run.why = fmt::format("p99 TTFT {:.3f} s >= {:.3f} s", m.ttft.p99, limits.ttft);
  } else if (limits.tpot > 0 && !(m.tpot.p99 < limits.tpot)) {
    run.valid = false;
    run.why = fmt::format("p99 TPOT {:.1f} ms >= {:.1f} ms", m.tpot.p99 * 1e3, limits.tpot * 1e3);
  } else if (limits.e2e > 0 && !(m.e2e.p99 <= limits.e2e)) {
    run.valid = false;
    run.why = fmt::format("p99 latency {:.2f} s > {:.2f} s", m.e2e.p99, limits.e2e);
  } else if (limits.ttft > 0 && !(run.ttft_early_stopping < limits.ttft)) {
    run.valid = false;
    run.why = fmt::format("early-stopping p99 TTFT {:.3f} s >= {:.3f} s", run.ttft_early_stopping,
                          limits.ttft);
  } else if (limits.tpot > 0 && !(run.tpot_early_stopping < limits.tpot)) {
    run.valid = false;
    run.why = fmt::format("early-stopping p99 TPOT {:.1f} ms >= {:.1f} ms",
                          run.tpot_early_stopping * 1e3, limits.tpot * 1e3);
  } else if (limits.e2e > 0 && !(run.e2e_early_stopping <= limits.e2e)) {
    run.valid = false;
    run.why = fmt::format("early-stopping p99 latency {:.2f} s > {:.2f} s", run.e2e_early_stopping,
                          limits.e2e);
  }
  return run;
}

MlperfRun find_server_rate(const Deployment& d, const MlperfBenchmark& b,
                           const std::vector<TraceRow>& dataset, const LatencyLimits& limits,
                           double capacity_qps, const ServerRunOptions& opts, double tolerance) {
  // Bisection on the rate: validity is (close to) monotone in the rate since
  // queueing only grows with load. Bracket first. A one-pass Offline rate
  // understates the steady-state capacity (it includes the drain at the
  // end), so step up by 5% while valid (at most 8 steps), or halve while
  // invalid (at most 12 halvings, down to 1/4096 of the capacity).
  double lo = 0, hi = 0;
  MlperfRun best;
  best.valid = false;
  if (!(capacity_qps > 0) || !std::isfinite(capacity_qps)) {
    best.why = "the deployment completes no samples";
    return best;
  }
  double rate = capacity_qps;
  for (int i = 0; i < 8; ++i) {
    MlperfRun r = run_server(d, b, dataset, limits, rate, opts);
    if (!r.valid) {
      hi = rate;
      best.why = r.why;
      break;
    }
    lo = rate;
    best = std::move(r);
    rate *= 1.05;
  }
  if (lo == 0) {
    for (int i = 0; i < 12; ++i) {
      rate *= 0.5;
      MlperfRun r = run_server(d, b, dataset, limits, rate, opts);
      if (r.valid) {
        lo = rate;
        best = std::move(r);
        break;
      }
      hi = rate;
    }
  }
  if (lo == 0) {
    best.why = fmt::format("no rate down to {:.3g} q/s meets the limits ({})", rate, best.why);
    return best;
  }
  if (hi == 0) return best;  // valid even at 1.05^8 x capacity: report that
  // Each bisection step is a full Server run; stop at `tolerance` (≤ 20 steps).
  for (int i = 0; i < 20 && hi - lo > tolerance * lo; ++i) {
    const double mid = 0.5 * (lo + hi);
    MlperfRun r = run_server(d, b, dataset, limits, mid, opts);
    if (r.valid) {
      lo = mid;
      best = std::move(r);
    } else {
      hi = mid;
    }
  }
  return best;
}

}  // namespace cw
