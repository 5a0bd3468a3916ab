#include "workload/model_stats.hpp"

#include <gtest/gtest.h>

#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace cw {
namespace {

// Published parameter counts (model cards / papers), in billions, with the
// relative tolerance the rounding of the published figure allows.
struct Published {
  const char* id;
  double total_b;
  double total_tol;
  double active_b;  // 0 = dense (active == total)
  double active_tol;
};

// Sources: HF model cards (safetensors counts) for Llama 2/3.1, Qwen;
// Mistral AI announcements (Mixtral 46.7 B / 12.9 B, 141 B / 39 B); DeepSeek-V3
// technical report (671 B / 37 B); Qwen3 card (235 B / 22 B); GPT-J card
// (6,053,381,344); GPT-3 paper (175.0 B).
const Published kPublished[] = {
    {"llama3.1-8b", 8.03, 0.005, 0, 0},        {"llama3.1-70b", 70.6, 0.005, 0, 0},
    {"llama3.1-405b", 405.9, 0.002, 0, 0},     {"llama2-7b", 6.74, 0.002, 0, 0},
    {"llama2-70b", 68.98, 0.001, 0, 0},        {"mixtral-8x7b", 46.7, 0.002, 12.9, 0.005},
    {"mixtral-8x22b", 141, 0.005, 39, 0.01},    // published to 3 / 2 significant digits
    {"qwen3-235b-a22b", 235, 0.003, 22, 0.01},  // "22B activated" rounds 22.19
    {"qwen2.5-72b", 72.7, 0.002, 0, 0},        {"gpt-j-6b", 6.053381344, 0.001, 0, 0},
    {"gpt3-175b", 175.0, 0.005, 0, 0},  // 174.6 B counted; paper rounds
};

TEST(ModelStats, ParameterCountsMatchPublished) {
  for (const auto& p : kPublished) {
    SCOPED_TRACE(p.id);
    ParameterCounts c = parameter_counts(load_model(p.id));
    EXPECT_NEAR(c.total / 1e9, p.total_b, p.total_b * p.total_tol);
    double active = p.active_b > 0 ? p.active_b : p.total_b;
    double tol = p.active_b > 0 ? p.active_tol : p.total_tol;
    EXPECT_NEAR(c.active / 1e9, active, active * tol);
  }
}

// Analytic goldens, counted by hand from the configs.
TEST(ModelStats, Llama31_8bExactBreakdown) {
  ParameterCounts c = parameter_counts(load_model("llama3.1-8b"));
  EXPECT_EQ(c.embedding, 128256LL * 4096);  // 525,336,576
  EXPECT_EQ(c.lm_head, 128256LL * 4096);
  EXPECT_EQ(c.attention, 32LL * (2 * 4096 * 4096 + 2 * 4096 * 1024));  // q,o + k,v (8 kv heads)
  EXPECT_EQ(c.dense_mlp, 32LL * 3 * 4096 * 14336);                     // gate, up, down
  EXPECT_EQ(c.norms, 32LL * 2 * 4096 + 4096);
  EXPECT_EQ(c.total, 8030261248LL);  // HF safetensors count of Meta-Llama-3.1-8B
  EXPECT_EQ(c.active, c.total);
}

TEST(ModelStats, ExactTotalsOfDenseModels) {
  // Totals as reported by the HF safetensors metadata.
  EXPECT_EQ(parameter_counts(load_model("llama3.1-70b")).total, 70553706496LL);
  EXPECT_EQ(parameter_counts(load_model("llama3.1-405b")).total, 405853388800LL);
  EXPECT_EQ(parameter_counts(load_model("llama2-7b")).total, 6738415616LL);
  EXPECT_EQ(parameter_counts(load_model("llama2-70b")).total, 68976648192LL);
  EXPECT_EQ(parameter_counts(load_model("mixtral-8x7b")).total, 46702792704LL);
}

TEST(ModelStats, DeepSeekV3TotalActiveAndMtp) {
  ParameterCounts c = parameter_counts(load_model("deepseek-v3"));
  // 3 dense + 58 MoE layers; MLA 187,105,280 weights per layer; router with
  // the noaux_tc correction bias. 671,026,419,200 = the sum of the HF
  // checkpoint's main-model tensors.
  EXPECT_EQ(c.total, 671026419200LL);
  EXPECT_EQ(c.router, 58LL * (7168 * 256 + 256));
  EXPECT_EQ(c.shared_experts, 58LL * 3 * 7168 * 2048);
  EXPECT_EQ(c.dense_mlp, 3LL * 3 * 7168 * 18432);
  // "37B activated": DeepSeek counts the compute path, without the embedding
  // table (36.6 B); with it, 37.55 B.
  EXPECT_NEAR((c.active - c.embedding) / 1e9, 37.0, 0.5);
  EXPECT_NEAR(c.active / 1e9, 37.55, 0.01);
  // MTP: one MoE decoder layer + eh_proj (2h x h) + 3 norms.
  EXPECT_EQ(c.mtp, 11507286272LL + 2LL * 7168 * 7168 + 3 * 7168);
  // "685B" on the model card = main model + MTP module + the MTP's own copies
  // of the embedding and head stored in the checkpoint.
  EXPECT_NEAR((c.total + c.mtp + c.embedding + c.lm_head) / 1e9, 685, 685 * 0.002);
}

TEST(ModelStats, GptJCountsBiasesAndSingleNorm) {
  ParameterCounts c = parameter_counts(load_model("gpt-j-6b"));
  EXPECT_EQ(c.norms, 28LL * 2 * 4096 + 2 * 4096);  // one LayerNorm per layer + ln_f
  EXPECT_EQ(c.dense_mlp, 28LL * (2 * 4096 * 16384 + 16384 + 4096));  // fc_in/fc_out with biases
  EXPECT_EQ(c.lm_head, 50400LL * 4096 + 50400);                      // lm_head has a bias
  EXPECT_EQ(c.attention, 28LL * 4 * 4096 * 4096);                    // no attention biases
}

TEST(ModelStats, Gpt3TiedEmbeddingAndLearnedPositions) {
  ParameterCounts c = parameter_counts(load_model("gpt3-175b"));
  EXPECT_EQ(c.lm_head, 0);
  EXPECT_EQ(c.embedding, (50257LL + 2048) * 12288);
}

TEST(ModelStats, KvCacheBytesPerToken) {
  Precision bf16 = load_precision("bf16"), fp8 = load_precision("fp8");
  EXPECT_DOUBLE_EQ(kv_cache_bytes_per_token(load_model("llama3.1-8b"), bf16),
                   131072);  // 2*32*8*128*2
  EXPECT_DOUBLE_EQ(kv_cache_bytes_per_token(load_model("llama3.1-70b"), fp8),
                   163840);  // 2*80*8*128*1
  EXPECT_DOUBLE_EQ(kv_cache_bytes_per_token(load_model("deepseek-v3"), bf16), 70272);  // 61*576*2
  EXPECT_DOUBLE_EQ(kv_cache_bytes_per_token(load_model("llama2-7b"), bf16), 524288);   // MHA
  EXPECT_DOUBLE_EQ(kv_cache_bytes_per_token(load_model("qwen3-235b-a22b"), bf16), 192512);
  EXPECT_DOUBLE_EQ(kv_cache_bytes_per_token(load_model("gpt-j-6b"), bf16),
                   458752);  // 2*28*16*256*2
}

TEST(ModelStats, GptOssMatchesItsModelCard) {
  // OpenAI gpt-oss model card (2025), Table 1: 116.83 B total / 5.13 B active
  // (120b) and 20.91 B / 3.61 B (20b); "active" there leaves out the embedding.
  const ParameterCounts big = parameter_counts(load_model("gpt-oss-120b"));
  EXPECT_NEAR(big.total / 1e9, 116.83, 0.005);
  EXPECT_NEAR((big.active - big.embedding) / 1e9, 5.13, 0.005);
  const ParameterCounts small = parameter_counts(load_model("gpt-oss-20b"));
  EXPECT_NEAR(small.total / 1e9, 20.91, 0.005);
  EXPECT_NEAR((small.active - small.embedding) / 1e9, 3.61, 0.005);
}

TEST(ModelStats, Qwen2MoeAndPhi3MatchPublishedSizes) {
  // Configs as published on the Hugging Face Hub (keys that do not change a
  // size left out). Qwen2 technical report (arXiv 2407.10671) Table 1:
  // Qwen2-57B-A14B 57 B total, 14 B activated; Qwen1.5-MoE-A2.7B (Qwen blog,
  // 2024-03): 14.3 B total, 2.7 B activated; Phi-3 report (arXiv 2404.14219):
  // phi-3-mini 3.8 B; Phi-4 report (arXiv 2412.08905): 14 B (14.7 B on its card).
  const ModelSpec q57 = parse_hf_config(R"({"architectures": ["Qwen2MoeForCausalLM"],
    "hidden_size": 3584, "intermediate_size": 18944, "max_window_layers": 28,
    "moe_intermediate_size": 2560, "num_attention_heads": 28, "num_experts": 64,
    "num_experts_per_tok": 8, "num_hidden_layers": 28, "num_key_value_heads": 4,
    "shared_expert_intermediate_size": 20480, "sliding_window": 65536,
    "use_sliding_window": false, "vocab_size": 151936})",
                                        "qwen2-57b-a14b.json");
  const ParameterCounts c57 = parameter_counts(q57);
  EXPECT_NEAR(c57.total / 1e9, 57.41, 0.01);
  EXPECT_NEAR(c57.active / 1e9, 14.25, 0.01);
  EXPECT_EQ(q57.windowed_layer_count(), 0);  // use_sliding_window false
  ASSERT_TRUE(q57.moe);
  EXPECT_EQ(q57.moe->shared_experts, 1);
  EXPECT_EQ(q57.moe->shared_width(), 20480);
  // One shared expert of 3 x 3584 x 20480 per layer, plus its 3584-input gate.
  EXPECT_EQ(c57.shared_experts, 28LL * 3 * 3584 * 20480);
  EXPECT_EQ(c57.router, 28LL * (3584 * 64 + 3584));
  const ModelSpec q15 = parse_hf_config(R"({"architectures": ["Qwen2MoeForCausalLM"],
    "hidden_size": 2048, "intermediate_size": 5632, "moe_intermediate_size": 1408,
    "num_attention_heads": 16, "num_experts": 60, "num_experts_per_tok": 4,
    "num_hidden_layers": 24, "num_key_value_heads": 16, "shared_expert_intermediate_size": 5632,
    "vocab_size": 151936})",
                                        "qwen1.5-moe-a2.7b.json");
  EXPECT_NEAR(parameter_counts(q15).total / 1e9, 14.3, 0.05);
  EXPECT_NEAR(parameter_counts(q15).active / 1e9, 2.7, 0.05);
  const ModelSpec phi4 = parse_hf_config(R"({"architectures": ["Phi3ForCausalLM"],
    "hidden_size": 5120, "intermediate_size": 17920, "num_attention_heads": 40,
    "num_hidden_layers": 40, "num_key_value_heads": 10, "sliding_window": null,
    "vocab_size": 100352})",
                                         "phi-4.json");
  EXPECT_NEAR(parameter_counts(phi4).total / 1e9, 14.66, 0.01);
  EXPECT_EQ(phi4.windowed_layer_count(), 0);
  const ModelSpec mini = parse_hf_config(R"({"architectures": ["Phi3ForCausalLM"],
    "hidden_size": 3072, "intermediate_size": 8192, "num_attention_heads": 32,
    "num_hidden_layers": 32, "num_key_value_heads": 32, "sliding_window": 2047,
    "partial_rotary_factor": 0.75, "vocab_size": 32064})",
                                         "phi-3-mini.json");
  EXPECT_NEAR(parameter_counts(mini).total / 1e9, 3.82, 0.01);
  EXPECT_EQ(mini.windowed_layer_count(), 32);  // Phi3: every layer when sliding_window is set
  EXPECT_EQ(mini.sliding_window, 2047);
  EXPECT_EQ(mini.rotary_dim, 72);  // 0.75 x 96
}

TEST(ModelStats, GemmaMatchesPublishedSizes) {
  // Gemma 2 report (arXiv 2408.00118) Table 1, non-embedding parameters: 9B
  // 8,324,201,984, 27B 26,047,480,320 (its embedding counts, 917,962,752 and
  // 1,180,237,824, are of a 256,128-row table; the released configs have
  // 256,000 rows, which we count). Gemma 3 report (arXiv 2503.19786) Table 1:
  // 27B = 1,416M embedding + 25,600M non-embedding (+ a 417M vision encoder,
  // not modelled).
  const ModelSpec g2 = parse_hf_config(R"({"architectures": ["Gemma2ForCausalLM"],
    "head_dim": 256, "hidden_size": 3584, "intermediate_size": 14336,
    "num_attention_heads": 16, "num_hidden_layers": 42, "num_key_value_heads": 8,
    "sliding_window": 4096, "vocab_size": 256000})",
                                       "gemma-2-9b.json");
  const ParameterCounts c2 = parameter_counts(g2);
  EXPECT_EQ(c2.embedding, 256000LL * 3584);
  EXPECT_EQ(c2.lm_head, 0);  // tied
  EXPECT_EQ(c2.total - c2.embedding, 8324201984);
  const ParameterCounts c27 = parameter_counts(parse_hf_config(
      R"({"architectures": ["Gemma2ForCausalLM"], "head_dim": 128, "hidden_size": 4608,
    "intermediate_size": 36864, "num_attention_heads": 32, "num_hidden_layers": 46,
    "num_key_value_heads": 16, "sliding_window": 4096, "vocab_size": 256000})",
      "gemma-2-27b.json"));
  EXPECT_EQ(c27.total - c27.embedding, 26047480320);
  EXPECT_EQ(g2.windowed_layer_count(), 21);  // even layers
  EXPECT_TRUE(g2.is_windowed_layer(0));
  EXPECT_FALSE(g2.is_windowed_layer(1));
  const ModelSpec g3 = parse_hf_config(R"({"architectures": ["Gemma3ForConditionalGeneration"],
    "text_config": {"head_dim": 128, "hidden_size": 5376, "intermediate_size": 21504,
      "num_attention_heads": 32, "num_hidden_layers": 62, "num_key_value_heads": 16,
      "sliding_window": 1024, "vocab_size": 262208},
    "vision_config": {"hidden_size": 1152}})",
                                       "gemma-3-27b.json");
  const ParameterCounts c3 = parameter_counts(g3);
  // 262,208 x 5,376 = 1,409.6 M: the table alone, 0.45% under the report's figure.
  EXPECT_NEAR(c3.embedding / 1e6, 1416, 7);
  EXPECT_NEAR((c3.total - c3.embedding) / 1e6, 25600, 10);
  // Every sixth layer is global: 10 of 62 full, 52 windowed at 1,024 tokens.
  EXPECT_EQ(g3.windowed_layer_count(), 52);
  EXPECT_FALSE(g3.is_windowed_layer(5));
  EXPECT_TRUE(g3.is_windowed_layer(6));
  EXPECT_TRUE(g3.qk_norm);
}

const char* kLlama4Scout = R"({"architectures": ["Llama4ForConditionalGeneration"],
  "text_config": {"attention_chunk_size": 8192, "head_dim": 128, "hidden_size": 5120,
    "interleave_moe_layer_step": 1, "intermediate_size": 8192, "intermediate_size_mlp": 16384,
    "num_attention_heads": 40, "num_experts_per_tok": 1, "num_hidden_layers": 48,
    "num_key_value_heads": 8, "num_local_experts": 16, "vocab_size": 202048}})";

TEST(ModelStats, Llama4MatchesPublishedSizes) {
  // Meta's Llama 4 model card: Scout 17 B active / 109 B total, Maverick 17 B
  // active / 400 B total (both with the vision encoder, not modelled here).
  const ModelSpec scout = parse_hf_config(kLlama4Scout, "scout.json");
  const ParameterCounts s = parameter_counts(scout);
  EXPECT_NEAR(s.total / 1e9, 107.77, 0.01);  // 109 B with vision
  EXPECT_NEAR(s.active / 1e9, 17.17, 0.01);
  // Maverick: 128 experts on every other layer, dense layers of 16,384.
  std::string text = kLlama4Scout;
  auto replace = [&text](const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
  };
  replace("\"interleave_moe_layer_step\": 1", "\"interleave_moe_layer_step\": 2");
  replace("\"num_local_experts\": 16", "\"num_local_experts\": 128");
  const ModelSpec maverick = parse_hf_config(text, "maverick.json");
  EXPECT_FALSE(maverick.is_moe_layer(0));
  EXPECT_TRUE(maverick.is_moe_layer(1));
  EXPECT_NEAR(parameter_counts(maverick).total / 1e9, 400.71, 0.01);
  EXPECT_NEAR(parameter_counts(maverick).active / 1e9, 17.18, 0.01);
  // Chunked attention on all but every fourth layer (the NoPE global ones).
  EXPECT_TRUE(scout.chunked_attention);
  EXPECT_EQ(scout.windowed_layer_count(), 36);
  EXPECT_FALSE(scout.is_windowed_layer(3));
  EXPECT_EQ(scout.local_context(8192), 8192);
  EXPECT_EQ(scout.local_context(8193), 1);  // a new chunk starts
  EXPECT_EQ(scout.local_context(16000), 16000 - 8192);
  const double per_token = 2.0 * 40 * (128 + 128);
  EXPECT_DOUBLE_EQ(flops_per_token(scout, 8192 + 100) - flops_per_token(scout, 0),
                   (12.0 * (8192 + 100) + 36.0 * 100) * per_token);
}

TEST(ModelStats, SlidingWindowLayersHoldOnlyTheWindow) {
  const ModelSpec m = load_model("gpt-oss-120b");
  const Precision bf16 = load_precision("bf16");
  const double layer = 2.0 * 8 * 64 * 2;  // K and V, 8 KV heads of 64, 2 bytes
  EXPECT_DOUBLE_EQ(kv_cache_bytes_per_token(m, bf16), 18 * layer);  // the 18 full layers
  EXPECT_DOUBLE_EQ(window_kv_bytes_per_sequence(m, bf16), 18 * 128 * layer);
  EXPECT_DOUBLE_EQ(sequence_kv_bytes(m, bf16, 100), 36 * 100 * layer);
  EXPECT_DOUBLE_EQ(sequence_kv_bytes(m, bf16, 8192), (18 * 8192 + 18 * 128) * layer);
  // Attention FLOPs: windowed layers stop growing at the window.
  const double per_token = 2.0 * 64 * (64 + 64);  // QK^T and PV per attended token per layer
  EXPECT_DOUBLE_EQ(flops_per_token(m, 100) - flops_per_token(m, 0), 36 * 100 * per_token);
  EXPECT_DOUBLE_EQ(flops_per_token(m, 8192) - flops_per_token(m, 0),
                   (18 * 8192 + 18 * 128) * per_token);
  // A model without windows is unchanged.
  const ModelSpec l = load_model("llama3.1-8b");
  EXPECT_DOUBLE_EQ(sequence_kv_bytes(l, bf16, 1000), 1000 * kv_cache_bytes_per_token(l, bf16));
  EXPECT_DOUBLE_EQ(window_kv_bytes_per_sequence(l, bf16), 0);
}

TEST(ModelStats, FlopsPerTokenLlama31_8b) {
  ModelSpec m = load_model("llama3.1-8b");
  ParameterCounts c = parameter_counts(m);
  // Matmul weights: everything but the embedding lookup and the norm gains.
  EXPECT_DOUBLE_EQ(flops_per_token(m, 0), 2.0 * (8030261248.0 - 525336576.0 - 266240.0));
  // = 2 x (active - embedding) up to the norm gains (3.5e-5 relative).
  EXPECT_NEAR(flops_per_token(m, 0), 2.0 * (c.active - c.embedding), 2.0 * c.norms);
  // Attention: 4 x layers x heads x head_dim x context.
  EXPECT_DOUBLE_EQ(flops_per_token(m, 1000) - flops_per_token(m, 0), 4.0 * 32 * 32 * 128 * 1000);
}

TEST(ModelStats, FlopsPerTokenMoeAndMla) {
  ModelSpec ds = load_model("deepseek-v3");
  ParameterCounts c = parameter_counts(ds);
  // MLA: QK^T over 192 (nope 128 + rope 64), PV over 128.
  EXPECT_DOUBLE_EQ(flops_per_token(ds, 100) - flops_per_token(ds, 0),
                   2.0 * 61 * 128 * (192 + 128) * 100);
  // Active, not total: 2 x ~36.6 B.
  EXPECT_NEAR(flops_per_token(ds, 0), 2.0 * (c.active - c.embedding), 2.0 * (c.norms + 58 * 256));
  ModelSpec mx = load_model("mixtral-8x7b");
  ParameterCounts cm = parameter_counts(mx);
  EXPECT_NEAR(flops_per_token(mx, 0), 2.0 * (cm.active - cm.embedding), 2.0 * cm.norms);
}

TEST(ModelStats, FlopsCountTheLmHeadEvenWhenTied) {
  ModelSpec m = load_model("gpt3-175b");
  ModelSpec untied = m;
  untied.tied_embeddings = false;
  EXPECT_DOUBLE_EQ(flops_per_token(m, 0), flops_per_token(untied, 0));
  EXPECT_EQ(parameter_counts(untied).total - parameter_counts(m).total, 50257LL * 12288);
  // GPT-3: ~2 x 175 B per token.
  EXPECT_NEAR(flops_per_token(m, 0) / 1e9, 350, 350 * 0.01);
}

TEST(ModelStats, WeightBytesFollowTheRecipe) {
  ModelSpec m = load_model("llama3.1-8b");
  ParameterCounts c = parameter_counts(m);
  EXPECT_DOUBLE_EQ(weight_bytes(m, load_precision("bf16")), 2.0 * c.total);
  // fp8: projections and MLP 1 byte; embedding, lm_head and norms stay 2 bytes.
  EXPECT_DOUBLE_EQ(weight_bytes(m, load_precision("fp8")),
                   1.0 * (c.attention + c.dense_mlp) + 2.0 * (c.embedding + c.lm_head + c.norms));
  // fp4: NVFP4 MLP at 4.5 bits, FP8 attention.
  EXPECT_DOUBLE_EQ(
      weight_bytes(m, load_precision("fp4")),
      0.5625 * c.dense_mlp + 1.0 * c.attention + 2.0 * (c.embedding + c.lm_head + c.norms));
}

TEST(ModelStats, WeightBytesDeepSeekR1Fp4Recipe) {
  ModelSpec m = load_model("deepseek-v3");
  ParameterCounts c = parameter_counts(m);
  double expect = 0.5625 * (c.moe_experts + c.shared_experts + c.dense_mlp) +
                  2.0 * (c.attention + c.embedding + c.lm_head + c.norms + c.router);
  EXPECT_DOUBLE_EQ(weight_bytes(m, load_precision("fp4-deepseek-r1")), expect);
  EXPECT_NEAR(expect / 1e9, 395, 5);  // ~0.59 bytes per parameter
}

TEST(ModelStats, FewerBitsNeverMoreBytes) {
  Precision bf16 = load_precision("bf16"), fp8 = load_precision("fp8"), fp4 = load_precision("fp4"),
            mx = load_precision("mxfp4");
  for (const auto& id : list_models()) {
    SCOPED_TRACE(id);
    ModelSpec m = load_model(id);
    EXPECT_LT(weight_bytes(m, fp8), weight_bytes(m, bf16));
    EXPECT_LT(weight_bytes(m, fp4), weight_bytes(m, fp8));
    EXPECT_LT(weight_bytes(m, mx), weight_bytes(m, fp4));
    ParameterCounts c = parameter_counts(m);
    EXPECT_LE(c.active, c.total);
    EXPECT_EQ(c.total, c.embedding + c.attention + c.dense_mlp + c.moe_experts + c.shared_experts +
                           c.router + c.norms + c.lm_head);
    EXPECT_GT(flops_per_token(m, 2048), flops_per_token(m, 0));
  }
}

}  // namespace
}  // namespace cw
