// Whole-model statistics over a ModelSpec: parameter counts, forward FLOPs per
// token, KV-cache bytes per token and weight bytes under a precision recipe.
// Pure functions; the op graph (per-op costs) is built elsewhere.
#pragma once

#include <cstdint>

#include "workload/model_spec.hpp"
#include "workload/precision.hpp"

namespace cw {

// Parameters by class. Every class includes its biases; norm gains (and
// LayerNorm biases, and Qwen3's q/k norms, and MLA's latent norms) are `norms`.
struct ParameterCounts {
  int64_t embedding = 0;           // token table (+ learned position table for GPT-2/3)
  int64_t attention = 0;           // q/k/v/o projections (MLA: down/up projections), all layers
  int64_t dense_mlp = 0;           // FFNs of dense layers
  int64_t moe_experts = 0;         // routed experts, all of them
  int64_t moe_experts_active = 0;  // routed experts a token passes through (top-k of n)
  int64_t shared_experts = 0;      // always-active experts (DeepSeek)
  int64_t router = 0;              // expert gates
  int64_t norms = 0;               // all norm parameters (see above)
  int64_t lm_head = 0;             // 0 when tied to the embedding
  int64_t total = 0;               // sum of the above (routed experts counted in full)
  int64_t active = 0;              // per token: total with routed experts counted top-k of n
  // DeepSeek-V3 multi-token-prediction module(s), not in total/active. It
  // shares the embedding and lm_head; the HF checkpoint stores copies of
  // them, hence its 685 B = total + mtp + embedding + lm_head.
  int64_t mtp = 0;
};

// Contract: counts every parameter of the HF checkpoint (except MTP, reported apart).
ParameterCounts parameter_counts(const ModelSpec& m);

// Forward FLOPs to process one token that attends to `context` earlier tokens:
//   2 x (matmul weights a token touches: attention projections, dense MLP,
//        top-k routed + shared experts, router, lm_head; not the embedding
//        lookup, norms or bias adds)
//   + 4 x layers x heads x head_dim x context  (QK^T and PV, 2 FLOPs per MAC)
// (Kaplan et al. 2020, "Scaling Laws", Table 1; MLA uses qk head dim for QK^T
// and v head dim for PV, i.e. the un-absorbed form.) A sliding-window layer
// attends to min(context, window) tokens, a chunked one (Llama 4) to the
// context mod chunk tokens of its own chunk.
double flops_per_token(const ModelSpec& m, int64_t context);

// KV-cache bytes one token of context adds in the layers that keep every
// token (all layers but sliding-window ones): 2 (K and V) x layers x kv_heads
// x head_dim x bytes per element; MLA caches layers x (kv_lora_rank +
// qk_rope_head_dim).
double kv_cache_bytes_per_token(const ModelSpec& m, const Precision& p);

// KV-cache bytes one token held by every sliding-window (or chunked) layer
// takes: windowed layers x (2 x kv_heads x head_dim) x bytes per element (0
// without windowed layers). A sequence holds at most a window of them.
double window_kv_bytes_per_token(const ModelSpec& m, const Precision& p);

// The same for a full window: window_kv_bytes_per_token x window tokens
// (TensorRT-LLM's cyclic per-sequence window buffer).
double window_kv_bytes_per_sequence(const ModelSpec& m, const Precision& p);

// KV-cache bytes of one sequence of `context` tokens: the full layers' bytes
// per token times context, plus the windowed layers' local_context(context).
double sequence_kv_bytes(const ModelSpec& m, const Precision& p, int64_t context);

// Bytes of all weights (total, not active; no MTP), each class in its recipe
// format with block-scale overhead. Embedding table in the lm_head format;
// norms and routers in the activation dtype (no recipe quantises them).
double weight_bytes(const ModelSpec& m, const Precision& p);

// Bytes of the routed experts alone (all of them, in the moe_experts format):
// the part of weight_bytes that expert parallelism shards.
double routed_expert_bytes(const ModelSpec& m, const Precision& p);

}  // namespace cw
