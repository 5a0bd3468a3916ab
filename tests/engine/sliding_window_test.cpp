// Sliding-window attention layers (gpt-oss, Mistral-7B-v0.1): their decode
// reads at most the window, they form their own layer classes, and their KV
// cache is a window per sequence, in the eval budget and the serving pool.
#include <gtest/gtest.h>

#include <string_view>

#include "../support/step_fixture.hpp"
#include "config/error.hpp"
#include "engine/memory_fit.hpp"
#include "serving/deployment.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/model_stats.hpp"

namespace cw {
namespace {

using test::StepFixture;

Batch decode_batch(int64_t n, int64_t context) {
  Batch b;
  b.decode.push_back({n, context});
  return b;
}

const LayerClassResult& layer(const StepResult& r, std::string_view name) {
  for (const auto& lc : r.layers)
    if (name == lc.name) return lc;
  throw std::runtime_error("no layer class " + std::string(name));
}

const Cost& op(const LayerClassResult& lc, std::string_view name) {
  for (const auto& o : lc.ops)
    if (name == o.name) return o.cost;
  throw std::runtime_error("no op " + std::string(name));
}

TEST(SlidingWindow, WindowedLayersReadOnlyTheWindow) {
  StepFixture f("h100-sxm", "gpt-oss-120b", "mxfp4-w4a16");
  const StepResult r = f.run(StepOptions{}, decode_batch(32, 8192));
  const LayerClassResult& sliding = layer(r, "moe_layer_sliding");
  const LayerClassResult& full = layer(r, "moe_layer");
  EXPECT_EQ(sliding.count, 18);
  EXPECT_EQ(full.count, 18);
  // The windowed layer's decode attention is a full layer's at 128 tokens.
  const StepResult at_window = f.run(StepOptions{}, decode_batch(32, 128));
  EXPECT_DOUBLE_EQ(op(sliding, "attention_decode").time,
                   op(layer(at_window, "moe_layer"), "attention_decode").time);
  EXPECT_LT(op(sliding, "attention_decode").time, 0.1 * op(full, "attention_decode").time);
  // Everything but attention is the same in both classes.
  EXPECT_DOUBLE_EQ(op(sliding, "experts_up").time, op(full, "experts_up").time);
}

TEST(SlidingWindow, ChunkedLayersReadTheirOwnChunk) {
  // Llama-4-Scout's chunked layers (8,192 tokens) at context 8,192 + 128: the
  // query's chunk holds 128 tokens, so they read what a full layer reads at 128.
  StepFixture f("h100-sxm", "llama3.1-8b", "fp8");
  f.model = parse_hf_config(R"({"architectures": ["Llama4ForConditionalGeneration"],
    "text_config": {"attention_chunk_size": 8192, "head_dim": 128, "hidden_size": 5120,
      "intermediate_size": 8192, "intermediate_size_mlp": 16384, "num_attention_heads": 40,
      "num_hidden_layers": 48, "num_key_value_heads": 8, "num_local_experts": 16,
      "vocab_size": 202048}})",
                            "scout.json");
  StepOptions tp8{8};
  const StepResult r = f.run(tp8, decode_batch(16, 8192 + 128));
  const LayerClassResult& chunked = layer(r, "moe_layer_chunked");
  EXPECT_EQ(chunked.count, 36);
  EXPECT_EQ(layer(r, "moe_layer").count, 12);
  const StepResult short_context = f.run(tp8, decode_batch(16, 128));
  EXPECT_DOUBLE_EQ(op(chunked, "attention_decode").time,
                   op(layer(short_context, "moe_layer"), "attention_decode").time);
}

TEST(SlidingWindow, AWindowWiderThanEveryContextChangesNothing) {
  StepFixture f("h100-sxm", "gpt-oss-20b", "bf16");
  ModelSpec wide = f.model, none = f.model;
  wide.sliding_window = 1 << 20;
  none.sliding_window = 0;
  none.windowed_layers.clear();
  Batch b = decode_batch(16, 4096);
  b.prefill.push_back({2, 1024, 3072, true});
  StepModel w(f.chip, wide, f.precision), n(f.chip, none, f.precision);
  EXPECT_DOUBLE_EQ(w.time(b), n.time(b));
  // And a real window is faster at that context.
  EXPECT_LT(StepModel(f.chip, f.model, f.precision).time(b), n.time(b));
}

TEST(SlidingWindow, EvalBudgetHoldsAWindowPerSequence) {
  StepFixture f("h100-sxm", "gpt-oss-120b", "mxfp4-w4a16");
  // 64 sequences of 2,048 tokens: the windowed layers hold 128 each.
  EXPECT_EQ(f.model.window_tokens_held(2048), 128);
  EXPECT_EQ(f.model.window_tokens_held(100), 100);
  const MemoryBudget b =
      memory_budget(f.chip, f.model, f.precision, ParallelPlan{}, 64 * 2048, 0, 64 * 128);
  EXPECT_DOUBLE_EQ(b.kv_cache, 64 * sequence_kv_bytes(f.model, f.precision, 2048));
  // Under tp 2 the 8 KV heads split: each chip holds half.
  ParallelPlan tp2;
  tp2.tp = 2;
  EXPECT_DOUBLE_EQ(
      memory_budget(f.chip, f.model, f.precision, tp2, 64 * 2048, 0, 64 * 128).kv_cache,
      b.kv_cache / 2);
}

TEST(SlidingWindow, ServingReservesAWindowPerRequestSlot) {
  StepFixture f("h100-sxm", "gpt-oss-120b", "mxfp4-w4a16");
  auto step = std::make_shared<StepModel>(f.chip, f.model, f.precision);
  auto blocks = [&](int64_t max_batch, int64_t longest) {
    EngineConfig e;
    e.max_batch = max_batch;
    return make_deployment(step, 1, e, RouterPolicy::round_robin, longest).cluster.engine.kv_blocks;
  };
  // 768 more request slots take 768 windows from the pool of full-layer
  // tokens when requests outgrow the window...
  const double window = window_kv_bytes_per_sequence(f.model, f.precision);
  const double block = kv_cache_bytes_per_token(f.model, f.precision) * EngineConfig{}.block_size;
  EXPECT_NEAR(static_cast<double>(blocks(256, 4096) - blocks(1024, 4096)), 768 * window / block,
              1.0);
  // ...and only what they fill when the longest request is shorter (64 tokens).
  EXPECT_NEAR(static_cast<double>(blocks(256, 64) - blocks(1024, 64)),
              768 * window * 64 / 128 / block, 1.0);
  // Too many slots for the room left: a clear error naming the fix.
  EngineConfig huge;
  huge.max_batch = 1 << 20;
  try {
    make_deployment(step, 1, huge, RouterPolicy::round_robin, 4096);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("sliding-window caches of 1048576 requests"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("use a smaller --max-batch"), std::string::npos);
  }
}

TEST(SlidingWindow, EveryLayerWindowedLeavesNoCacheThatGrowsWithContext) {
  // Mistral-7B-v0.1's shape: every layer windowed at 4096 tokens.
  StepFixture f("h100-sxm", "llama3.1-8b", "bf16");
  f.model.sliding_window = 4096;
  f.model.windowed_layers.assign(static_cast<size_t>(f.model.layers), true);
  EXPECT_DOUBLE_EQ(kv_cache_bytes_per_token(f.model, f.precision), 0);
  EngineConfig e;
  e.max_batch = 64;
  const Deployment d = make_deployment(std::make_shared<StepModel>(f.chip, f.model, f.precision), 1,
                                       e, RouterPolicy::round_robin, 8192);
  // Each request slot may reach the model's longest context, and holds a window.
  EXPECT_EQ(d.cluster.engine.kv_blocks, 64 * (f.model.max_positions / 16));
  EXPECT_DOUBLE_EQ(d.memory.kv_cache, 64 * window_kv_bytes_per_sequence(f.model, f.precision));
}

}  // namespace
}  // namespace cw
