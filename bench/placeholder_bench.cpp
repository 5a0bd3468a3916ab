#include <benchmark/benchmark.h>

#include "units/parse.hpp"

static void BM_ParseQuantity(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(cw::parse_quantity("3.35 TB/s", cw::UnitKind::BytesPerSecond));
}
BENCHMARK(BM_ParseQuantity);
