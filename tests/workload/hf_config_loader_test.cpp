#include "workload/hf_config_loader.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iterator>

#include "../support/user_error.hpp"
#include "config/data_dir.hpp"
#include "config/error.hpp"

namespace cw {
namespace {

using cw::test::error_of;
using cw::test::has;

// A small Llama config; line numbers below refer to this layout.
const std::string kLlama = R"({
  "_source": "test",
  "architectures": ["LlamaForCausalLM"],
  "hidden_size": 4096,
  "intermediate_size": 14336,
  "num_hidden_layers": 32,
  "num_attention_heads": 32,
  "num_key_value_heads": 8,
  "rope_scaling": {"rope_type": "llama3", "factor": 8.0},
  "some_future_key": [1, 2, 3],
  "vocab_size": 128256
})";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(ModelConfig, ShippedPresetsAllLoad) {
  const std::vector<std::string> expected = {
      "deepseek-v3", "gpt-j-6b",      "gpt-oss-120b",  "gpt-oss-20b",  "gpt3-175b",
      "llama2-70b",  "llama2-7b",     "llama3.1-405b", "llama3.1-70b", "llama3.1-8b",
      "llama3.2-1b", "mixtral-8x22b", "mixtral-8x7b",  "qwen2.5-72b",  "qwen3-235b-a22b"};
  EXPECT_EQ(list_models(), expected);
  for (const auto& id : list_models()) {
    SCOPED_TRACE(id);
    ModelSpec m = load_model(id);
    EXPECT_EQ(m.id, id);
    EXPECT_GT(m.layers, 0);
    EXPECT_EQ(m.heads % m.kv_heads, 0);
  }
}

TEST(ModelConfig, ParsesLlamaIgnoringUnknownAndUnderscoreKeys) {
  ModelSpec m = parse_hf_config(kLlama, "dir/tiny.json");
  EXPECT_EQ(m.id, "tiny");
  EXPECT_EQ(m.architecture, "LlamaForCausalLM");
  EXPECT_EQ(m.hidden, 4096);
  EXPECT_EQ(m.head_dim, 128);
  EXPECT_EQ(m.kv_heads, 8);
  EXPECT_FALSE(m.moe.has_value());
  EXPECT_FALSE(m.tied_embeddings);
}

TEST(ModelConfig, Qwen3MoeHeadDimDiffersFromHidden) {
  ModelSpec m = load_model("qwen3-235b-a22b");
  EXPECT_EQ(m.hidden, 4096);
  EXPECT_EQ(m.heads * m.head_dim, 8192);
  EXPECT_TRUE(m.qk_norm);
  ASSERT_TRUE(m.moe.has_value());
  EXPECT_EQ(m.moe->num_experts, 128);
  EXPECT_EQ(m.moe->experts_per_token, 8);
  EXPECT_EQ(m.moe->expert_intermediate, 1536);
  EXPECT_EQ(m.moe->shared_experts, 0);
  for (int64_t l = 0; l < m.layers; ++l) EXPECT_TRUE(m.is_moe_layer(l));
}

TEST(ModelConfig, Qwen3MoeSparseStepAndMlpOnlyLayers) {
  std::string text = R"({"architectures": ["Qwen3MoeForCausalLM"], "hidden_size": 64,
    "intermediate_size": 256, "num_hidden_layers": 6, "num_attention_heads": 4,
    "num_key_value_heads": 2, "head_dim": 32, "vocab_size": 100, "num_experts": 4,
    "num_experts_per_tok": 2, "moe_intermediate_size": 32, "decoder_sparse_step": 2,
    "mlp_only_layers": [3]})";
  ModelSpec m = parse_hf_config(text, "q.json");
  // (layer + 1) % 2 == 0 -> layers 1, 3, 5; layer 3 forced dense.
  std::vector<bool> moe;
  for (int64_t l = 0; l < 6; ++l) moe.push_back(m.is_moe_layer(l));
  EXPECT_EQ(moe, (std::vector<bool>{false, true, false, false, false, true}));
}

TEST(ModelConfig, DeepSeekV3MlaAndMoe) {
  ModelSpec m = load_model("deepseek-v3");
  ASSERT_TRUE(m.mla && m.moe);
  EXPECT_EQ(m.mla->q_lora_rank, 1536);
  EXPECT_EQ(m.mla->kv_lora_rank, 512);
  EXPECT_EQ(m.mla->qk_rope_head_dim, 64);
  EXPECT_EQ(m.mla->v_head_dim, 128);
  EXPECT_EQ(m.head_dim, 192);
  EXPECT_EQ(m.moe->num_experts, 256);
  EXPECT_EQ(m.moe->shared_experts, 1);
  EXPECT_EQ(m.moe->first_dense_layers, 3);
  EXPECT_TRUE(m.moe->router_score_bias);
  EXPECT_EQ(m.moe->expert_groups, 8);     // n_group
  EXPECT_EQ(m.moe->groups_per_token, 4);  // topk_group
  EXPECT_EQ(m.mtp_layers, 1);
  EXPECT_FALSE(m.is_moe_layer(2));
  EXPECT_TRUE(m.is_moe_layer(3));
  EXPECT_TRUE(m.is_moe_layer(60));
}

TEST(ModelConfig, ExpertGroupsMustHoldTheTopK) {
  std::ifstream in(data_dir() / "models" / "deepseek-v3.json");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(text.empty());
  std::string msg = error_of(
      [&] { parse_hf_config(replaced(text, "\"n_group\": 8", "\"n_group\": 7"), "d.json"); });
  EXPECT_TRUE(has(msg, "key 'n_group': 7 groups do not divide the 256 routed experts")) << msg;
  msg = error_of(
      [&] { parse_hf_config(replaced(text, "\"topk_group\": 4", "\"topk_group\": 9"), "d.json"); });
  EXPECT_TRUE(has(msg, "key 'topk_group': picks 9 of 8 groups")) << msg;
  // Mixtral's config has no groups: routing is unrestricted.
  EXPECT_EQ(load_model("mixtral-8x7b").moe->expert_groups, 1);
}

TEST(ModelConfig, GptJDefaultsAndBlockShape) {
  ModelSpec m = load_model("gpt-j-6b");
  EXPECT_EQ(m.intermediate, 4 * 4096);  // n_inner null
  EXPECT_EQ(m.rotary_dim, 64);
  EXPECT_EQ(m.head_dim, 256);
  EXPECT_TRUE(m.parallel_block);
  EXPECT_EQ(m.mlp, MlpKind::gelu);
  EXPECT_EQ(m.norm, NormKind::layernorm);
  EXPECT_TRUE(m.mlp_bias && m.lm_head_bias);
  EXPECT_FALSE(m.qkv_bias);
}

TEST(ModelConfig, Qwen2HasQkvBiasAndGpt2IsTied) {
  ModelSpec q = load_model("qwen2.5-72b");
  EXPECT_TRUE(q.qkv_bias);
  EXPECT_FALSE(q.attention_out_bias);
  ModelSpec g = load_model("gpt3-175b");
  EXPECT_TRUE(g.tied_embeddings && g.learned_positions);
  EXPECT_EQ(g.intermediate, 49152);
  EXPECT_EQ(g.max_positions, 2048);
}

TEST(ModelConfig, GptNeoXDefaults) {
  std::string text = R"({"architectures": ["GPTNeoXForCausalLM"], "hidden_size": 512,
    "intermediate_size": 2048, "num_hidden_layers": 2, "num_attention_heads": 8,
    "vocab_size": 1000, "max_position_embeddings": 2048, "rotary_pct": 0.25})";
  ModelSpec m = parse_hf_config(text, "neox.json");
  EXPECT_EQ(m.head_dim, 64);
  EXPECT_EQ(m.rotary_dim, 16);
  EXPECT_TRUE(m.parallel_block && m.qkv_bias && m.mlp_bias);
}

TEST(ModelConfig, GptOssAlternatesSlidingAndFullLayers) {
  const ModelSpec m = load_model("gpt-oss-120b");
  EXPECT_EQ(m.sliding_window, 128);
  EXPECT_EQ(m.windowed_layer_count(), 18);
  EXPECT_TRUE(m.is_windowed_layer(0));  // layer_types starts with sliding_attention
  EXPECT_FALSE(m.is_windowed_layer(1));
  EXPECT_FALSE(m.is_windowed_layer(36));
  EXPECT_TRUE(m.attention_sinks);
  EXPECT_TRUE(m.qkv_bias && m.attention_out_bias && m.mlp_bias);
  ASSERT_TRUE(m.moe);
  EXPECT_EQ(m.moe->num_experts, 128);
  EXPECT_EQ(m.moe->experts_per_token, 4);
  EXPECT_EQ(m.moe->expert_intermediate, 2880);
  EXPECT_TRUE(m.moe->router_bias);
  EXPECT_EQ(m.head_dim, 64);  // not hidden / heads = 45
}

TEST(ModelConfig, SlidingWindowRulesPerArchitecture) {
  // No "layer_types": Mistral windows every layer when sliding_window is set
  // (Mistral-7B-v0.1: 4096), not when it is null (v0.2 on).
  const std::string mistral = replaced(kLlama, "LlamaForCausalLM", "MistralForCausalLM");
  const ModelSpec v01 = parse_hf_config(
      replaced(mistral, "\"vocab_size\"", "\"sliding_window\": 4096, \"vocab_size\""), "m.json");
  EXPECT_EQ(v01.sliding_window, 4096);
  EXPECT_EQ(v01.windowed_layer_count(), 32);
  const ModelSpec v02 = parse_hf_config(
      replaced(mistral, "\"vocab_size\"", "\"sliding_window\": null, \"vocab_size\""), "m.json");
  EXPECT_EQ(v02.windowed_layer_count(), 0);
  // Qwen2: layers from max_window_layers on, only with use_sliding_window.
  const std::string qwen =
      replaced(replaced(kLlama, "LlamaForCausalLM", "Qwen2ForCausalLM"), "\"vocab_size\"",
               "\"sliding_window\": 4096, \"max_window_layers\": 28, \"use_sliding_window\": true, "
               "\"vocab_size\"");
  const ModelSpec q = parse_hf_config(qwen, "q.json");
  EXPECT_EQ(q.windowed_layer_count(), 4);
  EXPECT_FALSE(q.is_windowed_layer(27));
  EXPECT_TRUE(q.is_windowed_layer(28));
  EXPECT_EQ(
      parse_hf_config(
          replaced(qwen, "\"use_sliding_window\": true", "\"use_sliding_window\": false"), "q.json")
          .windowed_layer_count(),
      0);
  // Llama ignores a stray sliding_window; its layer_types would still count.
  EXPECT_EQ(
      parse_hf_config(
          replaced(kLlama, "\"vocab_size\"", "\"sliding_window\": 4096, \"vocab_size\""), "l.json")
          .windowed_layer_count(),
      0);
}

TEST(ModelConfig, BadLayerTypesNameKeyAndFix) {
  std::ifstream in(data_dir() / "models" / "gpt-oss-20b.json");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string msg = error_of([&] {
    parse_hf_config(replaced(text, "\"sliding_attention\",\n    \"full_attention\",\n", ""),
                    "g.json");
  });
  EXPECT_TRUE(has(msg, "key 'layer_types': lists 22 layers but num_hidden_layers is 24")) << msg;
  msg = error_of([&] {
    parse_hf_config(replaced(text, "\"full_attention\"", "\"chunked_attention\""), "g.json");
  });
  EXPECT_TRUE(has(msg, "unsupported layer type 'chunked_attention'")) << msg;
  EXPECT_TRUE(has(msg, "use full_attention or sliding_attention")) << msg;
  msg = error_of([&] {
    parse_hf_config(replaced(text, "\"sliding_window\": 128", "\"sliding_window\": null"),
                    "g.json");
  });
  EXPECT_TRUE(has(msg, "key 'sliding_window': required key is missing")) << msg;
  msg = error_of(
      [&] { parse_hf_config(replaced(text, "\"layer_types\"", "\"layer_typez\""), "g.json"); });
  EXPECT_TRUE(has(msg, "key 'layer_types': required key is missing")) << msg;
  // Window flags are kept per layer: an absurd layer count is refused first.
  const std::string mistral =
      replaced(replaced(replaced(kLlama, "LlamaForCausalLM", "MistralForCausalLM"),
                        "\"num_hidden_layers\": 32", "\"num_hidden_layers\": 2000000000"),
               "\"vocab_size\"", "\"sliding_window\": 4096, \"vocab_size\"");
  msg = error_of([&] { parse_hf_config(mistral, "m.json"); });
  EXPECT_TRUE(has(msg, "key 'num_hidden_layers': 2000000000 layers with sliding-window")) << msg;
}

TEST(ModelConfig, MultimodalConfigsNeedTheirTextConfig) {
  std::string msg = error_of([] {
    parse_hf_config(R"({"architectures": ["Gemma3ForConditionalGeneration"]})", "g.json");
  });
  EXPECT_TRUE(has(msg, "key 'text_config': required key is missing")) << msg;
  msg = error_of([] {
    parse_hf_config(R"({"architectures": ["Gemma3ForConditionalGeneration"],
  "text_config": [1]})",
                    "g.json");
  });
  EXPECT_TRUE(has(msg, "g.json:2:3: key 'text_config': expected an object, got array")) << msg;
}

TEST(ModelConfig, MalformedJsonNamesLine) {
  std::string bad = replaced(kLlama, "\"num_hidden_layers\": 32,", "\"num_hidden_layers\": 32");
  std::string msg = error_of([&] { parse_hf_config(bad, "m.json"); });
  EXPECT_TRUE(has(msg, "m.json:7:")) << msg;  // the key after the missing comma
  EXPECT_TRUE(has(msg, "malformed JSON")) << msg;
  EXPECT_TRUE(has(msg, "comma")) << msg;
}

TEST(ModelConfig, MissingKeyNamesKeyAndFix) {
  std::string bad = replaced(kLlama, "  \"num_hidden_layers\": 32,\n", "");
  std::string msg = error_of([&] { parse_hf_config(bad, "m.json"); });
  EXPECT_TRUE(has(msg, "m.json")) << msg;
  EXPECT_TRUE(has(msg, "key 'num_hidden_layers': required key is missing")) << msg;
  EXPECT_TRUE(has(msg, "add \"num_hidden_layers\"")) << msg;
}

TEST(ModelConfig, MisspeltKeyGetsDidYouMean) {
  std::string bad = replaced(kLlama, "num_hidden_layers", "num_hiden_layers");
  std::string msg = error_of([&] { parse_hf_config(bad, "m.json"); });
  EXPECT_TRUE(has(msg, "did you mean \"num_hidden_layers\"")) << msg;
}

TEST(ModelConfig, UnsupportedArchitectureDidYouMean) {
  std::string bad = replaced(kLlama, "LlamaForCausalLM", "LlamaForCausalLm");
  std::string msg = error_of([&] { parse_hf_config(bad, "m.json"); });
  EXPECT_TRUE(has(msg, "m.json:3:3: key 'architectures'")) << msg;
  EXPECT_TRUE(has(msg, "unsupported architecture 'LlamaForCausalLm'")) << msg;
  EXPECT_TRUE(has(msg, "did you mean 'LlamaForCausalLM'?")) << msg;
  EXPECT_TRUE(has(msg, "DeepseekV3ForCausalLM")) << msg;  // lists the supported ones

  std::string far = replaced(kLlama, "LlamaForCausalLM", "BertModel");
  msg = error_of([&] { parse_hf_config(far, "m.json"); });
  EXPECT_FALSE(has(msg, "did you mean")) << msg;
  EXPECT_TRUE(has(msg, "supported: LlamaForCausalLM")) << msg;
}

TEST(ModelConfig, WrongTypeNamesLineAndKey) {
  std::string bad = replaced(kLlama, "\"hidden_size\": 4096", "\"hidden_size\": \"4096\"");
  std::string msg = error_of([&] { parse_hf_config(bad, "m.json"); });
  EXPECT_TRUE(has(msg, "m.json:4:3: key 'hidden_size': expected a whole number, got string"))
      << msg;
  EXPECT_TRUE(has(msg, "without quotes")) << msg;

  bad = replaced(kLlama, "[\"LlamaForCausalLM\"]", "\"LlamaForCausalLM\"");
  msg = error_of([&] { parse_hf_config(bad, "m.json"); });
  EXPECT_TRUE(has(msg, "m.json:3:3: key 'architectures': expected a list")) << msg;
}

TEST(ModelConfig, NonPositiveSize) {
  std::string bad = replaced(kLlama, "\"num_hidden_layers\": 32", "\"num_hidden_layers\": 0");
  std::string msg = error_of([&] { parse_hf_config(bad, "m.json"); });
  EXPECT_TRUE(has(msg, "m.json:6:3: key 'num_hidden_layers': must be a positive whole number"))
      << msg;
}

TEST(ModelConfig, HeadsNotDivisibleByKvHeads) {
  std::string bad = replaced(kLlama, "\"num_key_value_heads\": 8", "\"num_key_value_heads\": 6");
  std::string msg = error_of([&] { parse_hf_config(bad, "m.json"); });
  EXPECT_TRUE(has(msg, "m.json:8:3: key 'num_key_value_heads'")) << msg;
  EXPECT_TRUE(has(msg, "not a multiple of 6 KV heads")) << msg;
}

TEST(ModelConfig, TopKAboveExpertCount) {
  std::string text = R"({"architectures": ["MixtralForCausalLM"], "hidden_size": 64,
    "intermediate_size": 256, "num_hidden_layers": 2, "num_attention_heads": 4,
    "vocab_size": 100, "num_local_experts": 4, "num_experts_per_tok": 5})";
  std::string msg = error_of([&] { parse_hf_config(text, "x.json"); });
  EXPECT_TRUE(has(msg, "x.json:3:")) << msg;
  EXPECT_TRUE(has(msg, "key 'num_experts_per_tok': routes each token to 5 experts but only 4"))
      << msg;
}

TEST(ModelConfig, NotAnObjectAndUnknownPreset) {
  std::string msg = error_of([] { parse_hf_config("[1, 2]", "a.json"); });
  EXPECT_TRUE(has(msg, "expected a JSON object")) << msg;
  msg = error_of([] { load_model("llama3.1-8"); });
  EXPECT_TRUE(has(msg, "unknown model 'llama3.1-8'")) << msg;
  EXPECT_TRUE(has(msg, "did you mean 'llama3.1-8b'?")) << msg;
}

}  // namespace
}  // namespace cw
