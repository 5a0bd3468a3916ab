#include "validate/predict_serving.hpp"

#include <algorithm>

#include "config/error.hpp"
#include "hardware/chip_loader.hpp"
#include "serving/arrivals.hpp"
#include "serving/mlperf_search.hpp"
#include "serving/tuner.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace cw {
namespace {

// Requests in an offline_throughput run: enough that the ramp-up and drain
// are small, like trtllm-bench's datasets (30,000 requests for 128/128, about
// 3,000 for 2,048 output tokens), i.e. about 6M output tokens. [ASSUMED from
// the TensorRT-LLM perf-overview dataset sizes]
int64_t offline_requests(int64_t output) {
  return std::clamp<int64_t>(6'000'000 / output, 1000, 30000);
}

// The case's precision recipe, with the KV cache of `kv_precision` if given.
Precision case_precision(const CalibrationCase& c) {
  Precision precision = load_precision(c.node.required("precision").as_string());
  if (auto kv = c.node.optional("kv_precision")) {
    precision.kv_cache = load_precision(kv->as_string()).kv_cache;
  }
  return precision;
}

// Seed of an online_serving case's Poisson arrivals: fixed, so a report is
// reproducible; the published runs' own arrival draws are unknown.
constexpr uint64_t kOnlineServingSeed = 1;

}  // namespace

ServingPrediction predict_offline_throughput(const CalibrationCase& c) {
  ServingPrediction out;
  const int64_t tp = positive_field(c, "tp", 1);
  const int64_t pp = positive_field(c, "pp", 1);
  const int64_t ep = positive_field(c, "ep", 1);
  if (pp > 1 || ep > 1) {
    out.prediction.reason =
        "pipeline and expert parallelism are not modelled by the serving "
        "simulator yet";
    return out;
  }
  if (c.metric != "tokens_per_s") {
    c.node.required("metric").fail("offline_throughput reports tokens_per_s");
  }
  auto step = std::make_shared<StepModel>(load_chip(c.chip),
                                          load_model(c.node.required("model").as_string()),
                                          case_precision(c), StepOptions{static_cast<int>(tp)});
  const int64_t input = positive_field(c, "input_tokens", 1);
  const int64_t output = positive_field(c, "output_tokens", 1);
  const std::vector<Request> requests(static_cast<size_t>(offline_requests(output)),
                                      Request{0, 0.0, input, output, 1});
  const int count = static_cast<int>(c.count);
  // The engine limits a tuned serving engine would pick: highest throughput.
  Tuner tuner(
      [&](const EngineKnobs& k) {
        EngineConfig e;
        e.max_batch = k.max_batch;
        e.max_tokens = k.max_tokens;
        e.policy = k.policy;
        try {
          Deployment d = make_deployment(step, count, e, RouterPolicy::round_robin, input + output);
          return summarize(simulate(requests, d.cluster, d.step_cost())).output_tokens_per_s;
        } catch (const UserError&) {
          return 0.0;  // this point does not fit; others may
        }
      },
      KnobPins{});
  EngineKnobs best = tuner.climb(EngineKnobs{static_cast<int>(tp)});
  const double tokens_per_s = tuner.score(best);
  if (tokens_per_s <= 0) {
    EngineConfig e;
    e.max_batch = best.max_batch;
    e.max_tokens = best.max_tokens;
    make_deployment(step, count, e, RouterPolicy::round_robin, input + output);  // throws why
  }
  EngineConfig e;
  e.max_batch = best.max_batch;
  e.max_tokens = best.max_tokens;
  e.policy = best.policy;
  out.config = make_deployment(step, count, e).describe();
  out.prediction.value = tokens_per_s;
  return out;
}

ServingPrediction predict_online_serving(const CalibrationCase& c) {
  ServingPrediction out;
  if (c.metric != "ttft_ms" && c.metric != "itl_ms" && c.metric != "tokens_per_s") {
    c.node.required("metric").fail("online_serving reports ttft_ms, itl_ms or tokens_per_s",
                                   "set metric to one of those (means over the requests)");
  }
  const int64_t tp = positive_field(c, "tp", 1);
  const int64_t input = positive_field(c, "input_tokens");
  const int64_t output = positive_field(c, "output_tokens");
  const int64_t n = positive_field(c, "requests");
  // rate: requests per second of a Poisson process; absent = all at once
  // (a benchmark client at "infinite" QPS).
  ArrivalProcess arrivals;
  if (auto rate = c.node.optional("rate")) {
    arrivals.kind = ArrivalKind::poisson;
    arrivals.rate = rate->as_double_in(0, 1e9);
  }
  auto step = std::make_shared<StepModel>(load_chip(c.chip),
                                          load_model(c.node.required("model").as_string()),
                                          case_precision(c), StepOptions{static_cast<int>(tp)});
  EngineConfig e;
  e.max_batch = positive_field(c, "max_batch", e.max_batch);
  e.max_tokens = positive_field(c, "max_tokens", e.max_tokens);
  Deployment d = make_deployment(step, static_cast<int>(c.count), e, RouterPolicy::round_robin,
                                 input + output);
  const std::vector<double> times = arrival_times(arrivals, n, kOnlineServingSeed);
  std::vector<Request> requests;
  for (int64_t i = 0; i < n; ++i)
    requests.push_back(Request{i, times[static_cast<size_t>(i)], input, output, 1});
  const ServingMetrics m = summarize(simulate(requests, d.cluster, d.step_cost()));
  out.config = d.describe();
  out.prediction.value = c.metric == "ttft_ms"  ? m.ttft.mean * 1e3
                         : c.metric == "itl_ms" ? m.tpot.mean * 1e3
                                                : m.output_tokens_per_s;
  return out;
}

ServingPrediction predict_mlperf(const CalibrationCase& c) {
  ServingPrediction out;
  if (c.metric != "tokens_per_s") c.node.required("metric").fail("mlperf reports tokens_per_s");
  MlperfOptions o;
  o.chip = c.chip;
  o.count = static_cast<int>(c.count);
  o.benchmark = c.node.required("benchmark").as_string();
  o.scenario = parse_scenario(c.node.required("scenario").as_string());
  o.precision = c.node.required("precision").as_string();
  MlperfResult r = run_mlperf(o);
  out.config = r.deployment.describe();
  if (!r.run.valid) {
    out.prediction.reason = "no deployment meets the latency limits: " + r.run.why;
    return out;
  }
  out.prediction.value = r.run.tokens_per_s;
  return out;
}

}  // namespace cw
