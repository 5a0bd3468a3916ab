// Speed of the step model and of a whole fixed-batch evaluation.
// Run: ./build/bench/chipwright_bench --benchmark_filter='Step|FixedBatch'
#include <benchmark/benchmark.h>

#include "engine/fixed_batch.hpp"
#include "engine/step_model.hpp"
#include "hardware/chip_loader.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace {

cw::StepModel make_step(const char* chip, const char* model, cw::StepOptions o = {}) {
  return cw::StepModel(cw::load_chip(chip), cw::load_model(model), cw::load_precision("fp8"), o);
}

// One decode step of `seqs` sequences per iteration, after a warm-up that
// fills the GEMM cache; each iteration a new context, so attention is
// re-costed.
void time_decode_steps(benchmark::State& state, cw::StepModel& step, int64_t seqs) {
  cw::Batch b;
  b.decode.push_back({seqs, 2048});
  step.time(b);
  int64_t ctx = 2048;
  for (auto _ : state) {
    b.decode[0].context = ctx++;
    benchmark::DoNotOptimize(step.time(b));
  }
}

// Issue 2 target: one decode step of Llama-3.1-70B at batch 64 in <= 50 us
// after warm-up (GEMM shapes memoised).
void BM_StepDecodeLlama70bBatch64(benchmark::State& state) {
  cw::StepModel step = make_step("h100-sxm", "llama3.1-70b");
  time_decode_steps(state, step, 64);
}
BENCHMARK(BM_StepDecodeLlama70bBatch64)->Unit(benchmark::kMicrosecond);

// Speculative decoding (k = 3, a one-layer draft head): the verification
// pass of 4 tokens per sequence plus the head's three passes.
void BM_StepDecodeLlama70bSpeculative(benchmark::State& state) {
  cw::StepOptions o;
  o.speculation.draft_tokens = 3;
  o.speculation.acceptance = 0.8;
  cw::StepModel step = make_step("h100-sxm", "llama3.1-70b", o);
  cw::Batch b;
  b.decode.push_back({64, 2048, 4});
  step.time(b);
  int64_t ctx = 2048;
  for (auto _ : state) {
    b.decode[0].context = ctx++;
    benchmark::DoNotOptimize(step.time(b));
  }
}
BENCHMARK(BM_StepDecodeLlama70bSpeculative)->Unit(benchmark::kMicrosecond);

void BM_StepDecodeDeepSeekBatch64(benchmark::State& state) {
  cw::StepModel step = make_step("h200-sxm", "deepseek-v3");
  time_decode_steps(state, step, 64);
}
BENCHMARK(BM_StepDecodeDeepSeekBatch64)->Unit(benchmark::kMicrosecond);

// Wide EP over 8 chips with Zipf-1 routing and EPLB (32 copies): the touched
// experts are summed over the 256 popularities every layer class.
void BM_StepDecodeDeepSeekSkewedEplb(benchmark::State& state) {
  cw::StepOptions o{8, 1, 8};
  o.attention_dp = true;
  o.routing_skew = 1.0;
  o.eplb = true;
  o.redundant_experts = 32;
  cw::StepModel step = make_step("h200-sxm", "deepseek-v3", o);
  time_decode_steps(state, step, 512);
}
BENCHMARK(BM_StepDecodeDeepSeekSkewedEplb)->Unit(benchmark::kMicrosecond);

// gpt-oss-120b: 128 experts in every layer, alternating sliding-window (128)
// and full-attention layers: two layer classes per step.
void BM_StepDecodeGptOss120bBatch64(benchmark::State& state) {
  cw::StepModel step = make_step("h100-sxm", "gpt-oss-120b");
  time_decode_steps(state, step, 64);
}
BENCHMARK(BM_StepDecodeGptOss120bBatch64)->Unit(benchmark::kMicrosecond);

// Two-batch overlap: both halves costed, the whole batch too (the engine
// keeps whichever is faster), and the two-chain schedule over 80 layers.
void BM_StepPrefillOverlapLlama70bTp4(benchmark::State& state) {
  cw::StepOptions o{4};
  o.overlap = true;
  cw::StepModel step = make_step("h100-sxm", "llama3.1-70b", o);
  cw::Batch b;
  b.prefill.push_back({4, 2048, 2048, true});
  step.time(b);
  for (auto _ : state) benchmark::DoNotOptimize(step.time(b));
}
BENCHMARK(BM_StepPrefillOverlapLlama70bTp4)->Unit(benchmark::kMicrosecond);

void BM_FixedBatchEvalLlama8b(benchmark::State& state) {
  for (auto _ : state) {
    cw::StepModel step = make_step("h100-sxm", "llama3.1-8b");
    benchmark::DoNotOptimize(run_fixed_batch(step, {16, 1024, 256, 8192}));
  }
}
BENCHMARK(BM_FixedBatchEvalLlama8b)->Unit(benchmark::kMillisecond);

}  // namespace
