#include "workload/model_stats.hpp"

#include <algorithm>

namespace cw {
namespace {

// Matmul weights and bias vectors of one block, counted apart so FLOPs can
// use the weights alone.
struct Block {
  int64_t weights = 0;
  int64_t biases = 0;
  int64_t total() const { return weights + biases; }
};

// One norm over `width` features: RMSNorm has a gain, LayerNorm gain + bias.
int64_t norm_params(const ModelSpec& m, int64_t width) {
  return m.norm == NormKind::layernorm ? 2 * width : width;
}

// Attention projections of one layer.
Block attention_block(const ModelSpec& m) {
  Block b;
  const int64_t h = m.hidden;
  if (m.mla) {
    // DeepSeek MLA (DeepSeek-V2 paper §2.1): q = W_qb(norm(W_qa x)) or W_q x;
    // latent c_kv, k_rope = W_kva x; k_nope, v = W_kvb c_kv; out = W_o.
    const MlaSpec& a = *m.mla;
    const int64_t qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
    b.weights +=
        a.q_lora_rank > 0 ? h * a.q_lora_rank + a.q_lora_rank * m.heads * qk : h * m.heads * qk;
    b.weights += h * (a.kv_lora_rank + a.qk_rope_head_dim);
    b.weights += a.kv_lora_rank * m.heads * (a.qk_nope_head_dim + a.v_head_dim);
    b.weights += m.heads * a.v_head_dim * h;
    return b;
  }
  const int64_t q = m.heads * m.head_dim, kv = m.kv_heads * m.head_dim;
  b.weights = h * q + 2 * h * kv + q * h;  // W_q, W_k, W_v, W_o
  if (m.qkv_bias) b.biases += q + 2 * kv;
  if (m.attention_out_bias) b.biases += h;
  if (m.attention_sinks) b.biases += m.heads;  // one sink logit per head
  return b;
}

// Norm parameters inside attention: Qwen3 q/k head norms, MLA latent norms.
int64_t attention_norms(const ModelSpec& m) {
  if (m.mla) return m.mla->kv_lora_rank + m.mla->q_lora_rank;
  return m.qk_norm ? 2 * m.head_dim : 0;
}

// One FFN of width `inter`: gated (gate, up, down) or plain (up, down).
Block mlp_block(const ModelSpec& m, int64_t inter) {
  Block b;
  const bool gated = m.mlp == MlpKind::gated_silu;
  b.weights = (gated ? 3 : 2) * m.hidden * inter;
  if (m.mlp_bias) b.biases = (gated ? 2 : 1) * inter + m.hidden;
  return b;
}

int64_t router_params(const ModelSpec& m) {
  const MoeSpec& e = *m.moe;
  return m.hidden * e.num_experts + (e.router_score_bias ? e.num_experts : 0) +
         (e.router_bias ? e.num_experts : 0) + (e.shared_expert_gate ? m.hidden : 0);
}

// FFN parameters of one layer; an MoE layer holds all experts and the router.
int64_t ffn_params(const ModelSpec& m, bool moe_layer) {
  if (!moe_layer || !m.moe) return mlp_block(m, m.intermediate).total();
  const MoeSpec& e = *m.moe;
  return e.num_experts * mlp_block(m, e.expert_intermediate).total() +
         e.shared_experts * mlp_block(m, e.shared_width()).total() + router_params(m);
}

// Matmul weights one token passes through (see flops_per_token).
double active_matmul_weights(const ModelSpec& m) {
  const int64_t moe_layers = m.moe_layer_count();
  const int64_t dense_layers = m.layers - moe_layers;
  double w = static_cast<double>(m.layers) * attention_block(m).weights;
  w += static_cast<double>(dense_layers) * mlp_block(m, m.intermediate).weights;
  if (m.moe && moe_layers > 0) {
    const MoeSpec& e = *m.moe;
    const double expert = mlp_block(m, e.expert_intermediate).weights;
    const double shared = mlp_block(m, e.shared_width()).weights;
    w += moe_layers * (e.experts_per_token * expert + e.shared_experts * shared +
                       static_cast<double>(m.hidden) * e.num_experts);
  }
  return w + static_cast<double>(m.vocab) * m.hidden;  // lm_head, tied or not
}

}  // namespace

ParameterCounts parameter_counts(const ModelSpec& m) {
  ParameterCounts c;
  const int64_t moe_layers = m.moe_layer_count();
  const int64_t dense_layers = m.layers - moe_layers;
  c.embedding = m.vocab * m.hidden + (m.learned_positions ? m.max_positions * m.hidden : 0);
  c.attention = m.layers * attention_block(m).total();
  c.dense_mlp = dense_layers * mlp_block(m, m.intermediate).total();
  const int64_t layer_norms = m.norms_per_layer * norm_params(m, m.hidden) + attention_norms(m);
  c.norms = m.layers * layer_norms + norm_params(m, m.hidden);  // + final norm
  if (m.moe) {
    const MoeSpec& e = *m.moe;
    const int64_t expert = mlp_block(m, e.expert_intermediate).total();
    c.moe_experts = moe_layers * e.num_experts * expert;
    c.moe_experts_active = moe_layers * e.experts_per_token * expert;
    c.shared_experts = moe_layers * e.shared_experts * mlp_block(m, e.shared_width()).total();
    c.router = moe_layers * router_params(m);
  }
  if (!m.tied_embeddings) c.lm_head = m.vocab * m.hidden + (m.lm_head_bias ? m.vocab : 0);
  const int64_t always =
      c.embedding + c.attention + c.dense_mlp + c.shared_experts + c.router + c.norms + c.lm_head;
  c.total = always + c.moe_experts;
  c.active = always + c.moe_experts_active;
  if (m.mtp_layers > 0) {
    // DeepSeek-V3 MTP module (tech report §2.2): norms on the hidden state and
    // the next token's embedding, a 2h -> h projection, one decoder layer (of
    // the kind after the dense prefix) and a final norm.
    const int64_t layer = attention_block(m).total() + layer_norms +
                          ffn_params(m, m.is_moe_layer(m.layers));  // index past the prefix
    c.mtp = m.mtp_layers * (layer + 2 * m.hidden * m.hidden + 3 * norm_params(m, m.hidden));
  }
  return c;
}

double flops_per_token(const ModelSpec& m, int64_t context) {
  const double qk_dim = m.head_dim;  // MLA: qk_nope + qk_rope (set by the loader)
  const double v_dim = m.mla ? m.mla->v_head_dim : m.head_dim;
  // QK^T: 2 x heads x qk_dim x context; PV: 2 x heads x v_dim x context.
  const int64_t windowed = m.windowed_layer_count();
  // A windowed layer sees min(context, window) earlier tokens; a chunked one
  // the context mod chunk of its own chunk.
  const int64_t local = m.chunked_attention ? context % std::max<int64_t>(1, m.sliding_window)
                                            : std::min(context, m.sliding_window);
  const double attended = static_cast<double>(m.layers - windowed) * context +
                          static_cast<double>(windowed) * static_cast<double>(local);
  const double attention = 2.0 * m.heads * (qk_dim + v_dim) * attended;
  return 2.0 * active_matmul_weights(m) + attention;
}

namespace {

// KV-cache bytes of one token in one layer.
double layer_kv_bytes(const ModelSpec& m, const Precision& p) {
  const double bytes = p.kv_cache.bytes_per_element();
  // MLA caches the latent c_kv and the shared rotary key (DeepSeek-V2 §2.1.2).
  if (m.mla) return static_cast<double>(m.mla->kv_lora_rank + m.mla->qk_rope_head_dim) * bytes;
  return 2.0 * static_cast<double>(m.kv_heads * m.head_dim) * bytes;
}

}  // namespace

double kv_cache_bytes_per_token(const ModelSpec& m, const Precision& p) {
  return static_cast<double>(m.layers - m.windowed_layer_count()) * layer_kv_bytes(m, p);
}

double window_kv_bytes_per_token(const ModelSpec& m, const Precision& p) {
  return static_cast<double>(m.windowed_layer_count()) * layer_kv_bytes(m, p);
}

double window_kv_bytes_per_sequence(const ModelSpec& m, const Precision& p) {
  return window_kv_bytes_per_token(m, p) * static_cast<double>(m.sliding_window);
}

double sequence_kv_bytes(const ModelSpec& m, const Precision& p, int64_t context) {
  const double windowed =
      static_cast<double>(m.windowed_layer_count()) * static_cast<double>(m.local_context(context));
  return kv_cache_bytes_per_token(m, p) * static_cast<double>(context) +
         windowed * layer_kv_bytes(m, p);
}

double weight_bytes(const ModelSpec& m, const Precision& p) {
  const ParameterCounts c = parameter_counts(m);
  const double small = dtype_bits(p.activations) / 8.0;  // norms, routers
  return static_cast<double>(c.embedding + c.lm_head) * p.lm_head.bytes_per_element() +
         static_cast<double>(c.attention) * p.attention_projections.bytes_per_element() +
         static_cast<double>(c.dense_mlp) * p.dense_mlp.bytes_per_element() +
         static_cast<double>(c.moe_experts + c.shared_experts) * p.moe_experts.bytes_per_element() +
         static_cast<double>(c.norms + c.router) * small;
}

double routed_expert_bytes(const ModelSpec& m, const Precision& p) {
  return static_cast<double>(parameter_counts(m).moe_experts) * p.moe_experts.bytes_per_element();
}

}  // namespace cw
