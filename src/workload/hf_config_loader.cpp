#include "workload/hf_config_loader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "config/data_dir.hpp"
#include "config/did_you_mean.hpp"
#include "config/error.hpp"
#include "config/file_cache.hpp"

namespace cw {
namespace {

using nlohmann::json;

// The largest whole number a config may give (2^31 - 1). No size of a real
// model comes near it, and it keeps the products the readers form (4 * n_embd,
// qk_nope_head_dim + qk_rope_head_dim) far from int64 overflow.
constexpr int64_t kMaxWholeNumber = 2147483647;

// Most layers a model with sliding-window layers may have (they are kept one
// flag per layer); real models have at most a few hundred.
constexpr int64_t kMaxWindowedModelLayers = 1000000;

// 1-based line and column of a byte offset in `text`.
SourceLocation position_of(const std::string& text, const std::string& file, size_t offset) {
  offset = std::min(offset, text.size());
  SourceLocation loc{file, 1, 1};
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      line_start = i + 1;
    }
  }
  loc.column = static_cast<int>(offset - line_start) + 1;
  return loc;
}

// The position of `"key"` used as an object key (followed by ':'), else line 1.
SourceLocation locate_key(const std::string& text, const std::string& file,
                          const std::string& key) {
  const std::string needle = "\"" + key + "\"";
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    size_t after = pos + needle.size();
    while (after < text.size() && std::isspace(static_cast<unsigned char>(text[after]))) ++after;
    if (after < text.size() && text[after] == ':') return position_of(text, file, pos);
  }
  return SourceLocation{file, 1, 0};
}

std::string shown(const json& v) {
  std::string s = v.dump();
  return s.size() > 40 ? s.substr(0, 37) + "..." : s;
}

// Typed access to the top-level keys of one config.json, with located errors.
class Reader {
 public:
  Reader(const json& j, const std::string& text, const std::string& file, std::string arch)
      : j_(j), text_(text), file_(file), arch_(std::move(arch)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& problem,
                         const std::string& hint) const {
    throw UserError(locate_key(text_, file_, key), key, problem, hint);
  }

  // The value of `key`, or null when it is absent or JSON null.
  const json* find(const std::string& key) const {
    auto it = j_.find(key);
    return it == j_.end() || it->is_null() ? nullptr : &*it;
  }

  const json& required(const std::string& key) const {
    if (const json* v = find(key)) return *v;
    std::string hint = "add \"" + key + "\": <value>; " + arch_ + " configs need it";
    std::vector<std::string> present;
    for (auto it = j_.begin(); it != j_.end(); ++it) present.push_back(it.key());
    std::string near = closest_match(key, present);
    if (!near.empty()) hint = "found \"" + near + "\": did you mean \"" + key + "\"?";
    throw UserError(SourceLocation{file_, 1, 0}, key, "required key is missing", hint);
  }

  int64_t integer(const std::string& key, const json& v) const {
    if (v.is_number()) {
      double d = v.get<double>();  // exact for every size a model has; else too large anyway
      if (std::isfinite(d) && d == std::floor(d)) {
        if (std::fabs(d) > static_cast<double>(kMaxWholeNumber))
          fail(key, "is too large, got " + shown(v),
               "no model dimension exceeds " + std::to_string(kMaxWholeNumber));
        return v.is_number_float() ? static_cast<int64_t>(d) : v.get<int64_t>();
      }
    }
    std::string hint = v.is_string() ? "write the number without quotes" : "use a whole number";
    fail(key, std::string("expected a whole number, got ") + v.type_name() + " " + shown(v), hint);
  }

  int64_t positive(const std::string& key) const { return check_positive(key, required(key)); }

  std::optional<int64_t> opt_positive(const std::string& key) const {
    if (const json* v = find(key)) return check_positive(key, *v);
    return std::nullopt;
  }

  int64_t non_negative_or(const std::string& key, int64_t fallback) const {
    const json* v = find(key);
    if (!v) return fallback;
    int64_t n = integer(key, *v);
    if (n < 0) fail(key, "must not be negative, got " + std::to_string(n), "use 0 or more");
    return n;
  }

  bool boolean_or(const std::string& key, bool fallback) const {
    const json* v = find(key);
    if (!v) return fallback;
    if (!v->is_boolean())
      fail(key, std::string("expected true or false, got ") + v->type_name() + " " + shown(*v),
           "write true or false without quotes");
    return v->get<bool>();
  }

  double number_or(const std::string& key, double fallback) const {
    const json* v = find(key);
    if (!v) return fallback;
    if (!v->is_number())
      fail(key, std::string("expected a number, got ") + v->type_name() + " " + shown(*v),
           "write the number without quotes");
    return v->get<double>();
  }

  std::string string_or(const std::string& key, const std::string& fallback) const {
    const json* v = find(key);
    if (!v) return fallback;
    if (!v->is_string())
      fail(key, std::string("expected a string, got ") + v->type_name() + " " + shown(*v),
           "quote the value");
    return v->get<std::string>();
  }

  std::vector<std::string> string_list(const std::string& key) const {
    std::vector<std::string> out;
    const json* v = find(key);
    if (!v) return out;
    if (!v->is_array())
      fail(key, std::string("expected a list of strings, got ") + v->type_name(),
           "write e.g. [\"full_attention\", \"sliding_attention\"]");
    for (const auto& e : *v) {
      if (!e.is_string())
        fail(key, std::string("expected a list of strings, got an element ") + e.type_name(),
             "quote every element");
      out.push_back(e.get<std::string>());
    }
    return out;
  }

  std::vector<int64_t> int_list(const std::string& key) const {
    std::vector<int64_t> out;
    const json* v = find(key);
    if (!v) return out;
    if (!v->is_array())
      fail(key, std::string("expected a list of whole numbers, got ") + v->type_name(),
           "write e.g. [0, 1]");
    for (const auto& e : *v) out.push_back(integer(key, e));
    return out;
  }

 private:
  int64_t check_positive(const std::string& key, const json& v) const {
    int64_t n = integer(key, v);
    if (n <= 0)
      fail(key, "must be a positive whole number, got " + std::to_string(n), "fix the size");
    return n;
  }

  const json& j_;
  const std::string& text_;
  const std::string& file_;
  std::string arch_;
};

void check_kv_heads(const Reader& r, const std::string& kv_key, const ModelSpec& m) {
  if (m.heads % m.kv_heads != 0)
    r.fail(kv_key,
           "the head count " + std::to_string(m.heads) + " is not a multiple of " +
               std::to_string(m.kv_heads) + " KV heads",
           "grouped-query attention needs a divisor of " + std::to_string(m.heads));
}

// head_dim when the config does not give it: hidden / heads, which must divide.
int64_t derived_head_dim(const Reader& r, const std::string& heads_key, const ModelSpec& m) {
  if (m.hidden % m.heads != 0)
    r.fail(heads_key,
           "hidden size " + std::to_string(m.hidden) + " is not a multiple of " +
               std::to_string(m.heads) + " heads",
           "fix the head count, or give \"head_dim\" explicitly");
  return m.hidden / m.heads;
}

void check_top_k(const Reader& r, const std::string& key, const MoeSpec& moe) {
  if (moe.experts_per_token > moe.num_experts)
    r.fail(key,
           "routes each token to " + std::to_string(moe.experts_per_token) + " experts but only " +
               std::to_string(moe.num_experts) + " exist",
           "use at most " + std::to_string(moe.num_experts));
}

// Which layers use sliding-window attention when the config has no
// "layer_types" list (transformers' per-architecture rules).
enum class WindowRule {
  none,    // Llama: no sliding window
  all,     // Mistral, Mixtral: every layer when sliding_window is set
  qwen,    // Qwen2/3: layers >= max_window_layers when use_sliding_window
  listed,  // gpt-oss: layer_types is required
};

// Before a per-layer window flag list is made.
void check_layers_for_windows(const Reader& r, const ModelSpec& m) {
  if (m.layers > kMaxWindowedModelLayers)
    r.fail("num_hidden_layers",
           std::to_string(m.layers) +
               " layers with sliding-window attention is more than any model has",
           "use at most " + std::to_string(kMaxWindowedModelLayers));
}

void read_attention_windows(const Reader& r, ModelSpec& m, WindowRule rule) {
  const std::vector<std::string> types = r.string_list("layer_types");
  std::vector<bool> windowed;
  // One flag per layer, once the layer count is known to be sane for it.
  auto all_layers = [&](bool value) {
    check_layers_for_windows(r, m);
    windowed.assign(static_cast<size_t>(m.layers), value);
  };
  if (!types.empty()) {
    all_layers(false);
    if (static_cast<int64_t>(types.size()) != m.layers)
      r.fail("layer_types",
             "lists " + std::to_string(types.size()) + " layers but num_hidden_layers is " +
                 std::to_string(m.layers),
             "give one entry per layer");
    for (size_t l = 0; l < types.size(); ++l) {
      if (types[l] != "full_attention" && types[l] != "sliding_attention")
        r.fail("layer_types", "unsupported layer type '" + types[l] + "'",
               "use full_attention or sliding_attention");
      windowed[l] = types[l] == "sliding_attention";
    }
  } else if (rule == WindowRule::listed) {
    all_layers(false);
    r.required("layer_types");
  } else if (rule == WindowRule::all && r.find("sliding_window")) {
    all_layers(true);
  } else if (rule == WindowRule::qwen && r.boolean_or("use_sliding_window", false)) {
    all_layers(false);
    const int64_t first = r.non_negative_or("max_window_layers", m.layers);
    for (int64_t l = first; l < m.layers; ++l) windowed[static_cast<size_t>(l)] = true;
  }
  if (std::find(windowed.begin(), windowed.end(), true) == windowed.end()) return;
  m.sliding_window = r.positive("sliding_window");
  m.windowed_layers = std::move(windowed);
}

// Llama, Mistral, Mixtral, Qwen2, Qwen3, Qwen3-MoE, gpt-oss: the transformers LlamaConfig family.
void read_llama_family(const Reader& r, ModelSpec& m, WindowRule windows) {
  m.hidden = r.positive("hidden_size");
  m.intermediate = r.positive("intermediate_size");
  m.layers = r.positive("num_hidden_layers");
  m.heads = r.positive("num_attention_heads");
  m.kv_heads = r.opt_positive("num_key_value_heads").value_or(m.heads);  // absent = MHA
  m.vocab = r.positive("vocab_size");
  m.max_positions = r.opt_positive("max_position_embeddings").value_or(0);
  auto hd = r.opt_positive("head_dim");  // Qwen3/Mistral: may differ from hidden/heads
  m.head_dim = hd ? *hd : derived_head_dim(r, "num_attention_heads", m);
  m.tied_embeddings = r.boolean_or("tie_word_embeddings", false);
  m.qkv_bias = m.attention_out_bias = r.boolean_or("attention_bias", false);
  m.mlp_bias = r.boolean_or("mlp_bias", false);
  check_kv_heads(r, "num_key_value_heads", m);
  read_attention_windows(r, m, windows);
}

void read_llama(const Reader& r, ModelSpec& m) {
  read_llama_family(r, m, WindowRule::none);
}

void read_mistral(const Reader& r, ModelSpec& m) {
  read_llama_family(r, m, WindowRule::all);  // Mistral-7B-v0.1: sliding_window 4096
}

void read_qwen2(const Reader& r, ModelSpec& m) {
  read_llama_family(r, m, WindowRule::qwen);
  // Qwen2 attention: bias on q/k/v, none on o (transformers Qwen2Attention; no config key).
  m.qkv_bias = true;
  m.attention_out_bias = false;
}

void read_qwen3(const Reader& r, ModelSpec& m) {
  read_llama_family(r, m, WindowRule::qwen);
  m.qk_norm = true;  // Qwen3Attention: q_norm and k_norm over head_dim
}

void read_mixtral(const Reader& r, ModelSpec& m) {
  read_llama_family(r, m, WindowRule::all);
  MoeSpec moe;
  moe.num_experts = r.positive("num_local_experts");
  moe.experts_per_token = r.positive("num_experts_per_tok");
  moe.expert_intermediate = m.intermediate;  // each expert is a full SwiGLU FFN
  check_top_k(r, "num_experts_per_tok", moe);
  m.moe = moe;
}

// The routed experts of Qwen2-MoE and Qwen3-MoE (transformers
// Qwen{2,3}MoeSparseMoeBlock): num_experts of moe_intermediate_size, top
// num_experts_per_tok, in layers where (layer_idx + 1) % decoder_sparse_step
// == 0 unless listed in mlp_only_layers.
MoeSpec read_qwen_sparse_moe(const Reader& r) {
  MoeSpec moe;
  moe.num_experts = r.positive("num_experts");
  moe.experts_per_token = r.positive("num_experts_per_tok");
  moe.expert_intermediate = r.positive("moe_intermediate_size");
  moe.layer_interval = r.opt_positive("decoder_sparse_step").value_or(1);
  moe.interval_offset = 1;
  moe.dense_layers = r.int_list("mlp_only_layers");
  check_top_k(r, "num_experts_per_tok", moe);
  return moe;
}

// Qwen2-MoE (Qwen1.5-MoE, Qwen2-57B-A14B): Qwen2 attention; MoE layers by
// decoder_sparse_step and mlp_only_layers as Qwen3-MoE; one shared expert of
// its own width (shared_expert_intermediate_size) behind a sigmoid gate
// (transformers Qwen2MoeSparseMoeBlock.shared_expert_gate: hidden -> 1).
void read_qwen2_moe(const Reader& r, ModelSpec& m) {
  read_qwen2(r, m);
  MoeSpec moe = read_qwen_sparse_moe(r);
  moe.shared_intermediate = r.non_negative_or("shared_expert_intermediate_size", 0);
  moe.shared_experts = moe.shared_intermediate > 0 ? 1 : 0;
  moe.shared_expert_gate = moe.shared_experts > 0;
  m.moe = moe;
}

// Phi-3 / Phi-4 (transformers Phi3Config): Llama's shapes with fused qkv and
// gate_up projections (same parameters), a sliding window on every layer
// when set (Phi-3-mini-4k: 2047), partial rotary in Phi-4-mini.
void read_phi3(const Reader& r, ModelSpec& m) {
  read_llama_family(r, m, WindowRule::all);
  const double rotary = r.number_or("partial_rotary_factor", 1.0);
  if (!(rotary > 0 && rotary <= 1))
    r.fail("partial_rotary_factor", "must be a fraction above 0 and at most 1",
           "Phi-4-mini uses 0.75");
  m.rotary_dim = static_cast<int64_t>(rotary * static_cast<double>(m.head_dim));
}

void read_qwen3_moe(const Reader& r, ModelSpec& m) {
  read_qwen3(r, m);
  m.moe = read_qwen_sparse_moe(r);
}

// gpt-oss (OpenAI, 2025; transformers GptOssConfig): GQA with q/k/v/o biases
// and a learned sink logit per head, layers alternating sliding-window (128
// tokens) and full attention (layer_types), an MoE in every layer: SwiGLU
// experts of intermediate_size with biases, a router with a bias, no shared
// or dense FFN. The swiglu_limit clamp and YaRN RoPE cost nothing countable.
void read_gpt_oss(const Reader& r, ModelSpec& m) {
  read_llama_family(r, m, WindowRule::listed);
  m.attention_sinks = true;
  m.mlp_bias = true;
  MoeSpec moe;
  moe.num_experts = r.positive("num_local_experts");
  moe.experts_per_token = r.positive("num_experts_per_tok");
  moe.expert_intermediate = m.intermediate;
  moe.router_bias = true;
  check_top_k(r, "num_experts_per_tok", moe);
  m.moe = moe;
}

// Gemma 2 / Gemma 3 (transformers Gemma2Config, Gemma3TextConfig): GQA with an
// explicit head_dim, four RMSNorms per layer (before and after attention and
// the FFN), a gated GELU-tanh FFN (gate, up, down: costed as the gated SwiGLU
// shape), tied embeddings; sliding-window layers alternate with full ones.
// Logit soft-capping (Gemma 2) and the extra post-norms are not costed.
void read_gemma(const Reader& r, ModelSpec& m, int64_t full_every) {
  read_llama_family(r, m, WindowRule::none);
  m.tied_embeddings = r.boolean_or("tie_word_embeddings", true);
  m.norms_per_layer = 4;
  if (m.sliding_window > 0 || !r.find("sliding_window")) return;  // layer_types given, or none
  // No layer_types: Gemma 2 windows even layers (Gemma2DecoderLayer:
  // is_sliding = not layer_idx % 2); Gemma 3 all but every
  // sliding_window_pattern-th ((layer_idx + 1) % pattern != 0).
  const int64_t every = r.opt_positive("sliding_window_pattern").value_or(full_every);
  m.sliding_window = r.positive("sliding_window");
  check_layers_for_windows(r, m);
  m.windowed_layers.assign(static_cast<size_t>(m.layers), false);
  for (int64_t l = 0; l < m.layers; ++l)
    m.windowed_layers[static_cast<size_t>(l)] = (l + 1) % every != 0;
}

void read_gemma2(const Reader& r, ModelSpec& m) {
  read_gemma(r, m, 2);
}

void read_gemma3(const Reader& r, ModelSpec& m) {
  read_gemma(r, m, 6);
  m.qk_norm = true;  // Gemma3Attention: q_norm and k_norm over head_dim
}

// Llama 4 (transformers Llama4TextConfig; Scout, Maverick): GQA; MoE layers
// (moe_layers, else every interleave_moe_layer_step-th: (layer + 1) % step
// == 0) of top-k routed experts of intermediate_size plus one shared expert of
// the same width; dense layers of intermediate_size_mlp. Layers using RoPE
// (no_rope_layers[l] = 1; by default all but every fourth) attend within
// chunks of attention_chunk_size tokens; the NoPE ones attend globally. The
// weightless L2 q/k norm and attention temperature tuning cost nothing countable.
void read_llama4(const Reader& r, ModelSpec& m) {
  read_llama_family(r, m, WindowRule::none);
  const int64_t expert = m.intermediate;
  m.intermediate = r.opt_positive("intermediate_size_mlp").value_or(expert);
  MoeSpec moe;
  moe.num_experts = r.positive("num_local_experts");
  moe.experts_per_token = r.opt_positive("num_experts_per_tok").value_or(1);
  moe.expert_intermediate = expert;
  moe.shared_experts = 1;  // Llama4TextMoe.shared_expert
  const std::vector<int64_t> listed = r.int_list("moe_layers");
  if (!listed.empty()) {
    for (int64_t l = 0; l < m.layers; ++l)
      if (std::find(listed.begin(), listed.end(), l) == listed.end()) moe.dense_layers.push_back(l);
  } else {
    moe.layer_interval = r.opt_positive("interleave_moe_layer_step").value_or(1);
    moe.interval_offset = 1;
  }
  check_top_k(r, "num_experts_per_tok", moe);
  m.moe = moe;
  const int64_t chunk = r.non_negative_or("attention_chunk_size", 0);
  if (chunk == 0) return;
  check_layers_for_windows(r, m);
  const std::vector<int64_t> rope = r.int_list("no_rope_layers");
  if (!rope.empty() && static_cast<int64_t>(rope.size()) != m.layers)
    r.fail("no_rope_layers",
           "lists " + std::to_string(rope.size()) + " layers but num_hidden_layers is " +
               std::to_string(m.layers),
           "give one 0 or 1 per layer");
  m.windowed_layers.assign(static_cast<size_t>(m.layers), false);
  for (int64_t l = 0; l < m.layers; ++l) {
    m.windowed_layers[static_cast<size_t>(l)] =
        rope.empty() ? (l + 1) % 4 != 0 : rope[static_cast<size_t>(l)] != 0;
  }
  m.sliding_window = chunk;
  m.chunked_attention = true;
}

// DeepSeek-V2/V3: multi-head latent attention, shared + routed experts, dense first layers.
void read_deepseek(const Reader& r, ModelSpec& m) {
  m.hidden = r.positive("hidden_size");
  m.intermediate = r.positive("intermediate_size");
  m.layers = r.positive("num_hidden_layers");
  m.heads = r.positive("num_attention_heads");
  m.kv_heads = m.heads;  // every head gets its own K/V, expanded from the cached latent
  m.vocab = r.positive("vocab_size");
  m.max_positions = r.opt_positive("max_position_embeddings").value_or(0);
  m.tied_embeddings = r.boolean_or("tie_word_embeddings", false);
  if (r.boolean_or("attention_bias", false))
    r.fail("attention_bias", "MLA projection biases are not modelled", "set it to false");
  MlaSpec mla;
  mla.q_lora_rank = r.opt_positive("q_lora_rank").value_or(0);  // null in V2-Lite
  mla.kv_lora_rank = r.positive("kv_lora_rank");
  mla.qk_nope_head_dim = r.positive("qk_nope_head_dim");
  mla.qk_rope_head_dim = r.positive("qk_rope_head_dim");
  mla.v_head_dim = r.positive("v_head_dim");
  m.mla = mla;
  m.head_dim = mla.qk_nope_head_dim + mla.qk_rope_head_dim;
  m.rotary_dim = mla.qk_rope_head_dim;
  m.mtp_layers = r.non_negative_or("num_nextn_predict_layers", 0);
  if (!r.find("n_routed_experts")) return;  // dense DeepSeek
  MoeSpec moe;
  moe.num_experts = r.positive("n_routed_experts");
  moe.experts_per_token = r.positive("num_experts_per_tok");
  moe.shared_experts = r.non_negative_or("n_shared_experts", 0);
  moe.expert_intermediate = r.positive("moe_intermediate_size");
  moe.first_dense_layers = r.non_negative_or("first_k_dense_replace", 0);
  moe.layer_interval = r.opt_positive("moe_layer_freq").value_or(1);
  moe.interval_offset = 0;  // DeepseekV3DecoderLayer: layer_idx % moe_layer_freq == 0
  moe.router_score_bias = r.string_or("topk_method", "") == "noaux_tc";
  check_top_k(r, "num_experts_per_tok", moe);
  // Group-limited routing (DeepseekV3TopkRouter: top topk_group of n_group
  // expert groups, then the top-k experts inside them).
  moe.expert_groups = r.opt_positive("n_group").value_or(1);
  moe.groups_per_token = r.opt_positive("topk_group").value_or(moe.expert_groups);
  if (moe.num_experts % moe.expert_groups != 0) {
    r.fail("n_group",
           std::to_string(moe.expert_groups) + " groups do not divide the " +
               std::to_string(moe.num_experts) + " routed experts",
           "use a divisor of n_routed_experts");
  }
  if (moe.groups_per_token > moe.expert_groups ||
      moe.groups_per_token * (moe.num_experts / moe.expert_groups) < moe.experts_per_token) {
    r.fail("topk_group",
           "picks " + std::to_string(moe.groups_per_token) + " of " +
               std::to_string(moe.expert_groups) + " groups, which must hold the " +
               std::to_string(moe.experts_per_token) + " experts each token uses",
           "use at most n_group and enough groups for num_experts_per_tok");
  }
  m.moe = moe;
}

// GPT-J: parallel attention+MLP block with one LayerNorm, rotary on rotary_dim,
// GELU MLP with biases, no attention biases, lm_head with bias.
void read_gptj(const Reader& r, ModelSpec& m) {
  m.hidden = r.positive("n_embd");
  m.layers = r.positive("n_layer");
  m.heads = m.kv_heads = r.positive("n_head");
  m.vocab = r.positive("vocab_size");
  m.max_positions = r.opt_positive("n_positions").value_or(0);
  m.intermediate = r.opt_positive("n_inner").value_or(4 * m.hidden);  // null = 4 * n_embd
  m.head_dim = derived_head_dim(r, "n_head", m);
  m.rotary_dim = r.opt_positive("rotary_dim").value_or(m.head_dim);
  m.tied_embeddings = r.boolean_or("tie_word_embeddings", false);
  m.parallel_block = true;
  m.norms_per_layer = 1;
  m.mlp = MlpKind::gelu;
  m.norm = NormKind::layernorm;
  m.mlp_bias = true;
  m.lm_head_bias = true;
}

// GPT-NeoX: fused biased QKV, parallel residual by default, partial rotary.
void read_gpt_neox(const Reader& r, ModelSpec& m) {
  m.hidden = r.positive("hidden_size");
  m.intermediate = r.positive("intermediate_size");
  m.layers = r.positive("num_hidden_layers");
  m.heads = m.kv_heads = r.positive("num_attention_heads");
  m.vocab = r.positive("vocab_size");
  m.max_positions = r.opt_positive("max_position_embeddings").value_or(0);
  m.head_dim = derived_head_dim(r, "num_attention_heads", m);
  const double rotary_pct = r.number_or("rotary_pct", 0.25);
  if (!(rotary_pct >= 0 && rotary_pct <= 1))
    r.fail("rotary_pct", "must be a fraction from 0 to 1, got " + std::to_string(rotary_pct),
           "GPT-NeoX uses 0.25");
  m.rotary_dim = static_cast<int64_t>(rotary_pct * static_cast<double>(m.head_dim));
  m.parallel_block = r.boolean_or("use_parallel_residual", true);
  m.tied_embeddings = r.boolean_or("tie_word_embeddings", false);
  m.qkv_bias = m.attention_out_bias = r.boolean_or("attention_bias", true);
  m.mlp_bias = true;
  m.mlp = MlpKind::gelu;
  m.norm = NormKind::layernorm;
}

// GPT-2 (and GPT-3 written in its format): learned positions, biases everywhere, tied head.
void read_gpt2(const Reader& r, ModelSpec& m) {
  m.hidden = r.positive("n_embd");
  m.layers = r.positive("n_layer");
  m.heads = m.kv_heads = r.positive("n_head");
  m.vocab = r.positive("vocab_size");
  m.max_positions = r.positive("n_positions");  // sizes the position embedding table
  m.intermediate = r.opt_positive("n_inner").value_or(4 * m.hidden);  // null = 4 * n_embd
  m.head_dim = derived_head_dim(r, "n_head", m);
  m.tied_embeddings = r.boolean_or("tie_word_embeddings", true);
  m.learned_positions = true;
  m.qkv_bias = m.attention_out_bias = m.mlp_bias = true;
  m.mlp = MlpKind::gelu;
  m.norm = NormKind::layernorm;
}

using ArchReader = void (*)(const Reader&, ModelSpec&);
struct Arch {
  const char* name;
  ArchReader read;
};
constexpr Arch kArchitectures[] = {
    {"LlamaForCausalLM", read_llama},
    {"MistralForCausalLM", read_mistral},
    {"MixtralForCausalLM", read_mixtral},
    {"Qwen2ForCausalLM", read_qwen2},
    {"Qwen3ForCausalLM", read_qwen3},
    {"Qwen3MoeForCausalLM", read_qwen3_moe},
    {"DeepseekV2ForCausalLM", read_deepseek},
    {"DeepseekV3ForCausalLM", read_deepseek},
    {"GPTJForCausalLM", read_gptj},
    {"GPTNeoXForCausalLM", read_gpt_neox},
    {"GPT2LMHeadModel", read_gpt2},
    {"GptOssForCausalLM", read_gpt_oss},
    {"Qwen2MoeForCausalLM", read_qwen2_moe},
    {"Phi3ForCausalLM", read_phi3},
    {"Gemma2ForCausalLM", read_gemma2},
    {"Gemma3ForCausalLM", read_gemma3},
    {"Gemma3ForConditionalGeneration", read_gemma3},
    {"Llama4ForCausalLM", read_llama4},
    {"Llama4ForConditionalGeneration", read_llama4},
};

// Multimodal checkpoints whose language model's config sits under
// "text_config" (the vision tower is not modelled: text-only serving).
constexpr const char* kTextConfigArchitectures[] = {"Gemma3ForConditionalGeneration",
                                                    "Llama4ForConditionalGeneration"};

std::string architecture_of(const json& j, const std::string& text, const std::string& file) {
  const std::string key = "architectures";
  auto it = j.find(key);
  if (it == j.end() || it->is_null())
    throw UserError(SourceLocation{file, 1, 0}, key, "required key is missing",
                    "add e.g. \"architectures\": [\"LlamaForCausalLM\"]");
  if (!it->is_array() || it->empty() || !(*it)[0].is_string())
    throw UserError(
        locate_key(text, file, key), key,
        std::string("expected a list of class names, got ") + it->type_name() + " " + shown(*it),
        "write e.g. \"architectures\": [\"LlamaForCausalLM\"]");
  return (*it)[0].get<std::string>();
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

std::vector<std::string> supported_architectures() {
  std::vector<std::string> out;
  for (const auto& a : kArchitectures) out.emplace_back(a.name);
  return out;
}

ModelSpec parse_hf_config(const std::string& json_text, const std::string& file_name) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::parse_error& e) {
    // e.byte is the 1-based index of the last byte read.
    SourceLocation loc = position_of(json_text, file_name, e.byte > 0 ? e.byte - 1 : 0);
    std::string what = e.what();
    size_t at = what.find("syntax error");
    throw UserError(loc, "",
                    "malformed JSON: " + (at == std::string::npos ? what : what.substr(at)),
                    "check for a missing or trailing comma, unquoted keys or comments "
                    "(JSON allows none) near this position");
  } catch (const json::exception& e) {
    // Not a syntax error but a value JSON cannot hold (a number overflowing a
    // double, out_of_range.406); nlohmann gives no position for these.
    std::string what = e.what();
    size_t at = what.find("] ");
    throw UserError(SourceLocation{file_name}, "",
                    "malformed JSON: " + (at == std::string::npos ? what : what.substr(at + 2)),
                    "write numbers within the range of a double (about 1.8e308)");
  }
  if (!j.is_object())
    throw UserError(SourceLocation{file_name, 1, 1}, "",
                    std::string("expected a JSON object at the top level, got ") + j.type_name(),
                    "a config.json is one {\"key\": value, ...} object");

  std::string arch = architecture_of(j, json_text, file_name);
  ModelSpec m;
  m.id = std::filesystem::path(file_name).stem().string();
  m.architecture = arch;
  m.source_file = file_name;
  for (const auto& a : kArchitectures) {
    if (arch != a.name) continue;
    const json* config = &j;
    for (const char* nested : kTextConfigArchitectures) {
      if (arch != nested) continue;
      config = &Reader(j, json_text, file_name, arch).required("text_config");
      if (!config->is_object())
        throw UserError(locate_key(json_text, file_name, "text_config"), "text_config",
                        std::string("expected an object, got ") + config->type_name(),
                        "the language model's keys go in \"text_config\": {...}");
    }
    a.read(Reader(*config, json_text, file_name, arch), m);
    return m;
  }
  std::vector<std::string> names = supported_architectures();
  std::string near = closest_match(arch, names);
  throw UserError(
      locate_key(json_text, file_name, "architectures"), "architectures",
      "unsupported architecture '" + arch + "'",
      (near.empty() ? "" : "did you mean '" + near + "'? ") + "supported: " + join(names));
}

ModelSpec load_model(const std::string& id_or_path) {
  return load_cached<ModelSpec>(resolve_preset(id_or_path, "models", ".json", "model"),
                                [](const std::string& text, const std::filesystem::path& p) {
                                  return parse_hf_config(text, p.string());
                                });
}

std::vector<std::string> list_models() {
  return list_presets("models", ".json");
}

}  // namespace cw
