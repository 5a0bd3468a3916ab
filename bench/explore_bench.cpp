// Speed of design-space exploration: one design (build the chip variant,
// size and price its silicon, run the fixed batch with cold GEMM caches).
// Run: ./build/bench/chipwright_bench --benchmark_filter=Explore
#include <benchmark/benchmark.h>

#include "dse/explore.hpp"

namespace {

// Each iteration evaluates the next design of the shipped sweep (288 designs,
// Llama-3.1-70B fp8, batch 32-256, 2,048/512 tokens), so every design's GEMM
// shapes are searched cold on its own chip.
void BM_ExploreOneDesign(benchmark::State& state) {
  const cw::DesignSpace space = cw::load_design_space("sf2-sweep");
  int64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cw::evaluate_design(space, i));
    i = (i + 1) % space.design_count();
  }
}
BENCHMARK(BM_ExploreOneDesign)->Unit(benchmark::kMicrosecond);

}  // namespace
