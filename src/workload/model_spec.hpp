// ModelSpec: the shapes of a decoder-only transformer, read from a Hugging
// Face config.json (data/models/*.json). Covers dense and GQA (Llama,
// Mistral, Qwen2/3), MoE (Mixtral, Qwen3-MoE, gpt-oss), DeepSeek-V3 (MLA with
// shared and routed experts and dense first layers), GPT-J/NeoX and GPT-2/3;
// sliding-window attention layers where the config names them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cw {

// Multi-head latent attention (DeepSeek-V2/V3): queries and keys/values go
// through low-rank projections; the KV cache holds the compressed latent.
struct MlaSpec {
  int64_t q_lora_rank = 0;       // 0 = queries projected directly
  int64_t kv_lora_rank = 0;      // latent width cached per token
  int64_t qk_nope_head_dim = 0;  // per-head non-rotary q/k width
  int64_t qk_rope_head_dim = 0;  // per-head rotary width (shared k_rope cached)
  int64_t v_head_dim = 0;
};

struct MoeSpec {
  int64_t num_experts = 0;          // routed experts per MoE layer
  int64_t experts_per_token = 0;    // top-k
  int64_t shared_experts = 0;       // always-active experts (DeepSeek)
  int64_t expert_intermediate = 0;  // FFN width of one expert
  // FFN width of each shared expert when it differs from a routed one
  // (Qwen2-MoE shared_expert_intermediate_size); 0 = expert_intermediate.
  int64_t shared_intermediate = 0;
  bool shared_expert_gate = false;  // Qwen2-MoE: a sigmoid gate (hidden -> 1) on the shared expert
  int64_t shared_width() const {
    return shared_intermediate > 0 ? shared_intermediate : expert_intermediate;
  }
  int64_t first_dense_layers = 0;   // leading layers with a dense FFN instead
  int64_t layer_interval = 1;       // every n-th layer is MoE (1 = all)
  // MoE when (layer + interval_offset) % layer_interval == 0: Qwen3-MoE's
  // decoder_sparse_step uses 1, DeepSeek's moe_layer_freq uses 0.
  int64_t interval_offset = 1;
  std::vector<int64_t> dense_layers;  // explicit dense layers (Qwen3-MoE mlp_only_layers)
  bool router_score_bias = false;     // DeepSeek-V3 noaux_tc: e_score_correction_bias per expert
  bool router_bias = false;           // gpt-oss: the router linear layer has a bias
  // Group-limited routing (DeepSeek-V3 n_group / topk_group): experts form
  // expert_groups equal groups of consecutive ids and a token chooses its
  // experts inside groups_per_token of them. 1 / 1 = unrestricted.
  int64_t expert_groups = 1;
  int64_t groups_per_token = 1;
};

enum class MlpKind { gated_silu, gelu };  // gated: gate+up+down; gelu: up+down
enum class NormKind { rmsnorm, layernorm };

struct ModelSpec {
  std::string id;            // preset id or file stem
  std::string architecture;  // HF "architectures"[0]
  std::string source_file;
  int64_t hidden = 0;
  int64_t intermediate = 0;  // dense FFN width
  int64_t layers = 0;
  int64_t heads = 0;
  int64_t kv_heads = 0;
  int64_t head_dim = 0;
  int64_t vocab = 0;
  int64_t max_positions = 0;
  int64_t rotary_dim = 0;        // 0 = full head_dim
  bool tied_embeddings = false;
  bool parallel_block = false;   // GPT-J/NeoX: attention and MLP read the same input
  bool qkv_bias = false;         // Qwen2
  bool attention_out_bias = false;
  bool mlp_bias = false;
  bool lm_head_bias = false;     // GPT-J
  bool qk_norm = false;          // Qwen3: RMSNorm over each q and k head
  bool attention_sinks = false;  // gpt-oss: one learned softmax sink logit per head
  // Sliding-window attention (Mistral-7B-v0.1, Qwen2/3 with use_sliding_window,
  // gpt-oss, any config with "layer_types"): a windowed layer's query attends
  // to the last `sliding_window` tokens only (itself included), so its KV
  // cache need hold only those.
  int64_t sliding_window = 0;         // tokens; 0 = no windowed layers
  std::vector<bool> windowed_layers;  // one per layer when sliding_window > 0
  // Chunked attention (Llama 4's attention_chunk_size): the windowed layers
  // split the sequence into fixed chunks of `sliding_window` tokens and a
  // query attends within its own chunk, up to itself.
  bool chunked_attention = false;
  // Tokens a windowed layer's query at position `context` - 1 attends to
  // (itself included): min(context, window), or ((context - 1) mod chunk) + 1.
  int64_t local_context(int64_t context) const;
  // Most tokens a windowed layer holds for a sequence of `context` tokens:
  // min(context, window) (0 without windows).
  int64_t window_tokens_held(int64_t context) const {
    return sliding_window > 0 ? std::min(context, sliding_window) : 0;
  }
  int64_t norms_per_layer = 2;   // GPT-J: 1 (one LayerNorm feeds attention and MLP)
  int64_t mtp_layers = 0;        // DeepSeek-V3 multi-token-prediction modules
  MlpKind mlp = MlpKind::gated_silu;
  NormKind norm = NormKind::rmsnorm;
  bool learned_positions = false;  // GPT-2/3 position embeddings
  std::optional<MoeSpec> moe;
  std::optional<MlaSpec> mla;

  bool is_moe_layer(int64_t layer) const;
  int64_t moe_layer_count() const;
  bool is_windowed_layer(int64_t layer) const;
  int64_t windowed_layer_count() const;
};

}  // namespace cw
