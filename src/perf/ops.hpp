// Operator cost models: the shapes of the ops a transformer step is made of,
// and the functions that cost them on a chip. Every function is pure: same
// chip and shape, same Cost. Each op is one kernel and its Cost includes one
// kernel-launch overhead (ChipSpec::efficiency.kernel_launch).
// Contract: the returned time is never below the op's roofline
// max(flops / peak, bytes / bandwidth) at any memory level.
#pragma once

#include <cstdint>

#include "hardware/chip_spec.hpp"
#include "perf/cost.hpp"
#include "workload/dtype.hpp"

namespace cw {

// How a GEMM's activations reach the compute format.
enum class ActivationQuant {
  // Already in the compute format (a_bytes each): the serving engine fuses
  // the quantisation into the kernel that produced them (norm, activation
  // function) with static scales, as MLPerf submissions do (static
  // per-tensor scales from calibration). No extra kernel.
  none,
  // Per-tensor dynamic quantisation from 16-bit activations: an amax
  // reduction kernel (reads the activations, writes one scale), then a
  // quantise kernel (reads them again, writes them at a_bytes), each with its
  // own launch, before the GEMM (TensorRT-LLM's fp8/fp4 Linear as measured by
  // the AIConfigurator calibration cases).
  dynamic,
};

// C[m,n] = A[m,k] · W[k,n], repeated `batch` times with different weights
// (batch > 1 for grouped expert GEMMs). A = activations, W = weights.
struct GemmShape {
  int64_t m = 1, n = 1, k = 1;
  int64_t batch = 1;
  Dtype compute = Dtype::bf16;       // matrix-engine dtype (must be supported)
  double a_bytes = 2;                // bytes per activation element as read
  double w_bytes = 2;                // bytes per weight element (incl. block scales)
  double c_bytes = 2;                // bytes per output element
  ActivationQuant activation_quant = ActivationQuant::none;
  bool operator==(const GemmShape&) const = default;
};

// Prefill (or chunked-prefill) attention, flash-style: q_len new tokens per
// sequence attend to kv_len tokens (kv_len >= q_len; the first kv_len - q_len
// are already cached).
struct PrefillAttentionShape {
  int64_t batch = 1;
  int64_t q_len = 1;
  int64_t kv_len = 1;
  int64_t heads = 1;
  int64_t kv_heads = 1;
  int64_t head_dim_qk = 128;
  int64_t head_dim_v = 128;
  bool causal = true;
  Dtype compute = Dtype::bf16;
  double kv_bytes = 2;   // bytes per cached K/V element
  // Sliding window: each query attends to the last `window` keys up to
  // itself (0 = unlimited); K/V blocks wholly outside it are skipped
  // (FlashAttention's window_size).
  int64_t window = 0;
  // With a window: fixed chunks of `window` tokens instead (Llama 4's chunked
  // attention): a query attends from its chunk's first token up to itself.
  bool chunked = false;
};

// Decode attention: one new token per sequence attends to `context` cached
// tokens (including itself) in a paged KV cache; with `queries` > 1 (the
// verification pass of speculative decoding) that many new tokens per
// sequence attend to it in one kernel, sharing its K/V. MLA in absorbed form is
// kv_heads = 1, head_dim_qk = kv_lora_rank + rope dim, head_dim_v = kv_lora_rank,
// with k and v sharing storage (shared_kv = true).
struct DecodeAttentionShape {
  int64_t batch = 1;
  int64_t context = 1;
  int64_t heads = 1;
  int64_t kv_heads = 1;
  int64_t head_dim_qk = 128;
  int64_t head_dim_v = 128;
  bool shared_kv = false;
  Dtype compute = Dtype::bf16;
  double kv_bytes = 2;
  int64_t queries = 1;  // new tokens per sequence
};

// An elementwise or reduction op on vector units (norm, activation, softmax,
// RoPE, residual add, quantisation, router top-k).
struct VectorOpShape {
  int64_t elements = 0;
  double flops_per_element = 1;
  double special_per_element = 0;  // exp/rsqrt/... per element
  double bytes_read = 0;
  double bytes_written = 0;
};

Cost gemm_cost(const ChipSpec& chip, const GemmShape& shape);
Cost prefill_attention_cost(const ChipSpec& chip, const PrefillAttentionShape& shape);
Cost decode_attention_cost(const ChipSpec& chip, const DecodeAttentionShape& shape);
Cost vector_op_cost(const ChipSpec& chip, const VectorOpShape& shape);
// A streaming copy/triad of `bytes` total traffic through main memory.
Cost memory_stream_cost(const ChipSpec& chip, double bytes);

// The roofline lower bound for a GEMM: max(flops / peak, unique bytes / peak
// main-memory bandwidth). Used by property tests.
double gemm_roofline(const ChipSpec& chip, const GemmShape& shape);

}  // namespace cw
