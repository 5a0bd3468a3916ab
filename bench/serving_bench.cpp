// Speed of the serving simulator (issue 4): one full Offline pass of the
// llama2-70b dataset (24,576 requests) on 8 H100 must simulate in <= 1 s, and
// one Server rate search of `chipwright mlperf` in <= 30 s on one core.
// Run: ./build/bench/chipwright_bench --benchmark_filter='Serving|Mlperf'
#include <benchmark/benchmark.h>

#include "hardware/chip_loader.hpp"
#include "serving/mlperf_scenario.hpp"
#include "serving/mlperf_search.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace {

cw::Deployment llama2_deployment(int tp, int64_t max_batch) {
  auto step =
      std::make_shared<cw::StepModel>(cw::load_chip("h100-sxm"), cw::load_model("llama2-70b"),
                                      cw::load_precision("fp8"), cw::StepOptions{tp});
  cw::EngineConfig e;
  e.max_batch = max_batch;
  e.max_tokens = 8192;
  return cw::make_deployment(step, 8, e);
}

void report(benchmark::State& state, int64_t requests, int64_t iterations) {
  state.counters["requests_per_s"] =
      benchmark::Counter(static_cast<double>(requests), benchmark::Counter::kIsRate);
  state.counters["iterations_per_s"] =
      benchmark::Counter(static_cast<double>(iterations), benchmark::Counter::kIsRate);
}

// One Offline pass: 24,576 requests at t = 0 on 4 replicas of tp 2.
void BM_ServingOfflineLlama2_70b(benchmark::State& state) {
  const auto& b = cw::find_benchmark("llama2-70b");
  const auto dataset = cw::mlperf_dataset(b);
  cw::Deployment d = llama2_deployment(2, 512);
  int64_t requests = 0, iterations = 0;
  for (auto _ : state) {
    cw::MlperfRun r = cw::run_offline(d, b, dataset, b.samples);
    requests += r.metrics.requests;
    iterations += r.metrics.iterations;
    benchmark::DoNotOptimize(r.tokens_per_s);
  }
  report(state, requests, iterations);
}
BENCHMARK(BM_ServingOfflineLlama2_70b)->Unit(benchmark::kMillisecond);

// The Server rate search (bracket + bisection of 600 s Poisson runs) on a
// fixed deployment.
void BM_MlperfServerSearchLlama2_70b(benchmark::State& state) {
  const auto& b = cw::find_benchmark("llama2-70b");
  const auto dataset = cw::mlperf_dataset(b);
  cw::Deployment d = llama2_deployment(2, 512);
  const double capacity = cw::run_offline(d, b, dataset, b.samples).samples_per_s;
  for (auto _ : state) {
    cw::MlperfRun r = cw::find_server_rate(d, b, dataset, *b.server, capacity);
    benchmark::DoNotOptimize(r.tokens_per_s);
    state.counters["server_qps"] = r.rate;
  }
}
BENCHMARK(BM_MlperfServerSearchLlama2_70b)->Unit(benchmark::kMillisecond)->Iterations(1);

// What `chipwright mlperf --chip h100-sxm --count 8 --benchmark llama2-70b
// --scenario server` does: the deployment search plus the final Server search.
void BM_MlperfServerCommandLlama2_70b(benchmark::State& state) {
  cw::MlperfOptions o;
  o.chip = "h100-sxm";
  o.count = 8;
  o.benchmark = "llama2-70b";
  o.scenario = cw::MlperfScenario::server;
  for (auto _ : state) {
    cw::MlperfResult r = cw::run_mlperf(o);
    benchmark::DoNotOptimize(r.run.tokens_per_s);
    state.counters["deployments_tried"] = static_cast<double>(r.tried.size());
  }
}
BENCHMARK(BM_MlperfServerCommandLlama2_70b)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
