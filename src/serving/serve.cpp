#include "serving/serve.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "config/error.hpp"
#include "hardware/chip_loader.hpp"
#include "serving/mlperf_benchmarks.hpp"
#include "serving/timeline.hpp"
#include "serving/trace.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace cw {

ServeResult run_serve(const ServeOptions& o) {
  if (o.trace.empty() == o.dataset.empty()) {
    throw UserError("give exactly one of --trace FILE or --dataset NAME");
  }
  ServeResult r;
  int width = 1;
  Trace trace;
  if (!o.trace.empty()) {
    trace = load_trace_csv(o.trace);
    r.workload = o.trace;
  } else {
    trace.rows = load_dataset(o.dataset, &width);
    r.workload = o.dataset;
  }
  if (o.use_trace_times && !trace.has_arrivals) {
    throw UserError(SourceLocation{o.trace}, "", "the trace has no arrival_s column",
                    "add arrival_s to the trace, or pass --rate QPS or --offline");
  }
  const int64_t rows = static_cast<int64_t>(trace.rows.size());
  const int64_t n = o.requests > 0 ? o.requests : rows;
  // Each request costs about 100 bytes of state; beyond this a typo, not a study.
  constexpr int64_t kMaxRequests = 100'000'000;
  if (n > kMaxRequests) {
    throw UserError("--requests " + std::to_string(n) + " is more than the " +
                    std::to_string(kMaxRequests) + " a run simulates; send fewer requests");
  }
  std::vector<double> times;
  if (!o.use_trace_times) times = arrival_times(o.arrivals, n, o.seed);
  std::vector<Request> requests;
  requests.reserve(static_cast<size_t>(n));
  double span = 0;  // a timed trace, cycled, repeats after its latest arrival
  for (const TraceRow& row : trace.rows) span = std::max(span, row.arrival);
  for (int64_t i = 0; i < n; ++i) {
    const TraceRow& row = trace.rows[static_cast<size_t>(i % rows)];
    double t = o.use_trace_times ? row.arrival + static_cast<double>(i / rows) * span
                                 : times[static_cast<size_t>(i)];
    requests.push_back(Request{i, t, row.input, row.output, width});
  }
  r.arrivals = o.use_trace_times ? "trace timestamps" : describe(o.arrivals);

  int64_t longest = 1;
  for (const Request& q : requests) longest = std::max(longest, q.input + q.width * q.output);
  auto step = std::make_shared<StepModel>(load_chip(o.chip), load_model(o.model),
                                          load_precision(o.precision), StepOptions{o.tp});
  r.deployment = make_deployment(step, o.count, o.engine, o.router, longest);
  Timeline timeline;
  SimulationOptions sim_options;
  if (!o.timeline.empty()) sim_options.observer = timeline.observer();
  SimulationResult sim =
      simulate(requests, r.deployment.cluster, r.deployment.step_cost(), sim_options);
  if (!o.timeline.empty()) timeline.write(o.timeline, sim);
  r.metrics = summarize(sim, o.slo);
  r.economics = serving_economics(r.deployment, r.metrics);
  return r;
}

nlohmann::json to_json(const ServingMetrics& m) {
  auto pct = [](const Percentiles& p) {
    return nlohmann::json{
        {"mean", p.mean}, {"p50", p.p50}, {"p90", p.p90}, {"p99", p.p99}, {"max", p.max}};
  };
  return {{"requests", m.requests},
          {"input_tokens", m.input_tokens},
          {"output_tokens", m.output_tokens},
          {"makespan_s", m.makespan},
          {"tokens_per_s", m.output_tokens_per_s},
          {"requests_per_s", m.requests_per_s},
          {"goodput_requests_per_s", m.goodput_requests_per_s},
          {"slo_attainment", m.slo_attainment},
          {"ttft_s", pct(m.ttft)},
          {"tpot_s", pct(m.tpot)},
          {"e2e_s", pct(m.e2e)},
          {"ttft_p99_s", m.ttft.p99},
          {"tpot_p99_s", m.tpot.p99},
          {"utilisation", m.utilisation},
          {"kv_occupancy_mean", m.kv_occupancy_mean},
          {"kv_occupancy_peak", m.kv_occupancy_peak},
          {"iterations", m.iterations},
          {"preemptions", m.preemptions}};
}

nlohmann::json to_json(const ServeResult& r) {
  nlohmann::json j = to_json(r.metrics);
  j["chip"] = r.deployment.step->chip().id;
  j["model"] = r.deployment.step->model().id;
  j["precision"] = r.deployment.step->precision().name;
  j["accelerators"] = r.deployment.count;
  j["workload"] = r.workload;
  j["arrivals"] = r.arrivals;
  j["config"] = to_json(r.deployment);
  j["economics"] = to_json(r.economics);
  j["economics_unavailable"] = r.economics.unavailable;
  return j;
}

}  // namespace cw
