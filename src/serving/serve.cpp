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
namespace {

nlohmann::json pct(const Percentiles& p) {
  return {{"mean", p.mean}, {"p50", p.p50}, {"p90", p.p90}, {"p99", p.p99}, {"max", p.max}};
}

}  // namespace

ServeRequests serve_requests(const ServeOptions& o) {
  if (o.trace.empty() == o.dataset.empty()) {
    throw UserError("give exactly one of --trace FILE or --dataset NAME");
  }
  ServeRequests r;
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
  r.requests.reserve(static_cast<size_t>(n));
  double span = 0;  // a timed trace, cycled, repeats after its latest arrival
  for (const TraceRow& row : trace.rows) span = std::max(span, row.arrival);
  for (int64_t i = 0; i < n; ++i) {
    const TraceRow& row = trace.rows[static_cast<size_t>(i % rows)];
    double t = o.use_trace_times ? row.arrival + static_cast<double>(i / rows) * span
                                 : times[static_cast<size_t>(i)];
    r.requests.push_back(Request{i, t, row.input, row.output, width});
  }
  r.arrivals = o.use_trace_times ? "trace timestamps" : describe(o.arrivals);
  for (const Request& q : r.requests) {
    r.longest = std::max(r.longest, q.input + q.width * q.output);
    r.longest_prompt = std::max(r.longest_prompt, q.input);
  }
  return r;
}

ServeResult prepare_serve(const ServeOptions& o, const ServeRequests& q) {
  const ModelSpec model = load_model(o.model);
  return prepare_serve(load_chip(o.chip), model, load_precision(o.precision),
                       resolve_speculation(o.speculative, o.acceptance, o.draft, model), o, q);
}

ServeResult prepare_serve(const ChipSpec& chip, const ModelSpec& model, const Precision& precision,
                          const Speculation& spec, const ServeOptions& o, const ServeRequests& q) {
  ServeResult r;
  r.workload = q.workload;
  r.arrivals = q.arrivals;
  for (const Request& r : q.requests) require_greedy(spec, q.workload, r.width);
  EngineConfig engine = o.engine;
  engine.acceptance_seed = o.seed;
  if (o.split) {
    if (o.pp > 1)
      throw UserError("--pp with --disaggregate is not modelled; give the pools' tp instead");
    r.disaggregated = make_disaggregated(chip, model, precision, o.count, *o.split, engine,
                                         o.router, q.longest_prompt, q.longest, spec);
  } else {
    if (o.pp > 1 && o.attention_dp)
      throw UserError(
          "--pp with --attention-dp is not modelled (a wide-EP replica's ranks and pipeline "
          "micro-batches); use one of them");
    StepOptions so{o.tp, o.pp, o.ep};
    so.attention_dp = o.attention_dp;
    so.attn_tp = o.attn_tp;
    so.overlap = o.overlap;
    so.cp = o.cp;
    so.eplb = o.eplb;
    so.redundant_experts = o.redundant_experts;
    so.routing_skew = o.routing_skew;
    so.speculation = spec;
    auto step = std::make_shared<StepModel>(chip, model, precision, so);
    r.deployment = make_deployment(step, o.count, engine, o.router, q.longest);
  }
  return r;
}

void simulate_serve(ServeResult& r, const std::vector<Request>& requests, const ServeOptions& o) {
  Timeline timeline;
  SimulationOptions sim_options;
  if (!o.timeline.empty()) sim_options.observer = timeline.observer();
  const SimulationResult sim = r.disaggregated ? r.disaggregated->simulate(requests, sim_options)
                                               : simulate(requests, r.deployment.cluster,
                                                          r.deployment.step_cost(), sim_options);
  if (!o.timeline.empty()) timeline.write(o.timeline, sim);
  r.metrics = summarize(sim, o.slo);
  r.economics = r.disaggregated ? serving_economics(*r.disaggregated, r.metrics)
                                 : serving_economics(r.deployment, r.metrics);
}

ServeResult run_serve(const ServeOptions& o) {
  const ServeRequests q = serve_requests(o);
  ServeResult r = prepare_serve(o, q);
  simulate_serve(r, q.requests, o);
  return r;
}

nlohmann::json to_json(const ServingMetrics& m) {
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

namespace {

nlohmann::json transfer_json(const ServingMetrics& m) {
  return {{"transfers", m.kv_transfers},
          {"transfer_s", pct(m.kv_transfer)},
          {"wait_s", pct(m.kv_wait)},
          {"prefill_utilisation", m.prefill_utilisation},
          {"decode_utilisation", m.decode_utilisation}};
}

}  // namespace

nlohmann::json to_json(const ServeResult& r) {
  nlohmann::json j = to_json(r.metrics);
  const Deployment& d = r.disaggregated ? r.disaggregated->prefill : r.deployment;
  j["chip"] = d.step->chip().id;
  j["model"] = d.step->model().id;
  j["precision"] = d.step->precision().name;
  j["accelerators"] = r.disaggregated ? r.disaggregated->count : d.count;
  j["workload"] = r.workload;
  j["arrivals"] = r.arrivals;
  if (r.disaggregated) {
    j["config"] = to_json(*r.disaggregated);
    j["kv_transfer"] = transfer_json(r.metrics);
  } else {
    j["config"] = to_json(r.deployment);
  }
  j["economics"] = to_json(r.economics);
  j["economics_unavailable"] = r.economics.unavailable;
  return j;
}

}  // namespace cw
