// GEMM cost model speed: a cold mapping search (target <= 1 ms) and a memoised
// lookup through GemmCache.
#include <benchmark/benchmark.h>

#include "hardware/chip_loader.hpp"
#include "perf/gemm_cache.hpp"
#include "perf/gemm_mapping.hpp"
#include "perf/ops.hpp"

namespace {

cw::GemmShape shape_for(int64_t m, bool fp8) {
  cw::GemmShape s;
  s.m = m;
  s.n = 8192;
  s.k = 8192;
  if (fp8) {
    s.compute = cw::Dtype::fp8;
    s.a_bytes = s.w_bytes = 1;
    s.activation_quant = cw::ActivationQuant::dynamic;
  }
  return s;
}

// One full search per iteration (no cache): decode-sized to prefill-sized m.
void BM_GemmColdSearch(benchmark::State& state) {
  // 0: h100-sxm (SMEM, register tiles), 1: mi300x (LDS), 2: tpu-v6e (64 MiB
  // VMEM per MXU: tiles beyond 256 with accumulators in VMEM).
  const char* ids[] = {"h100-sxm", "mi300x", "tpu-v6e"};
  const cw::ChipSpec chip = cw::load_chip(ids[state.range(2)]);
  const cw::GemmShape s = shape_for(state.range(0), state.range(1) != 0);
  state.counters["candidates"] = static_cast<double>(cw::gemm_mapping_candidates(chip, s).size());
  for (auto _ : state) benchmark::DoNotOptimize(cw::gemm_cost(chip, s));
}
BENCHMARK(BM_GemmColdSearch)
    ->ArgsProduct({{1, 32, 512, 8192}, {0, 1}, {0, 1, 2}})
    ->ArgNames({"m", "fp8", "chip"})
    ->Unit(benchmark::kMicrosecond);

// A repeated shape: one hash lookup.
void BM_GemmMemoised(benchmark::State& state) {
  const cw::ChipSpec chip = cw::load_chip("h100-sxm");
  cw::GemmCache cache(chip);
  const cw::GemmShape s = shape_for(128, true);
  cache.get(s);
  for (auto _ : state) benchmark::DoNotOptimize(cache.get(s));
}
BENCHMARK(BM_GemmMemoised);

}  // namespace
