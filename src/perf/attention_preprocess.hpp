// The serving engine's attention pre-processing kernel: rotary embedding on
// the new tokens' q and k, and the write of their k/v into the paged KV cache
// (quantised to the cache format). TensorRT-LLM runs it as one kernel
// (applyBiasRopeUpdateKVCache) before the attention kernel; vLLM/SGLang run
// rotary_embedding + reshape_and_cache the same way. decode_attention_cost
// includes it; prefill_attention_cost times the attention kernel alone, so a
// step model adds this for prefill tokens.
#pragma once

#include <cstdint>

#include "perf/ops.hpp"

namespace cw {

struct AttentionPreprocessShape {
  int64_t tokens = 1;  // new tokens (batch for decode, chunk tokens for prefill)
  int64_t heads = 1;
  int64_t kv_heads = 1;
  int64_t head_dim_qk = 128;
  int64_t head_dim_v = 128;
  bool shared_kv = false;  // MLA: one latent vector per token is cached
  double act_bytes = 2;    // bytes per q/k/v element as produced by the QKV GEMM
  double kv_bytes = 2;     // bytes per cached element
};

// One vector kernel (so one kernel launch).
//   read : tokens * (heads*d_qk + kv_heads*(d_qk + d_v)) * act_bytes  (q, k, v)
//   write: tokens * heads*d_qk * act_bytes (rotated q)
//        + tokens * kv_heads*(d_qk + d_v) * kv_bytes (k, v into the cache)
//   flops: 3 per rotated element (x*cos - y*sin, one of the pair) on q and k,
//          plus 1 per cached element when quantising to a narrower format;
//   special: 1 per rotated element (sin and cos per pair of elements).
Cost attention_preprocess_cost(const ChipSpec& chip, const AttentionPreprocessShape& s);

}  // namespace cw
