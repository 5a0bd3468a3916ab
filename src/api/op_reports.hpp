// One operator on one chip, as `chipwright op` and the Python module's op_*
// functions describe it: the request, its cost with the figures a user reads
// (TFLOP/s, roofline) and the JSON document `--format json` prints.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "hardware/chip_spec.hpp"
#include "perf/cost.hpp"

namespace cw {

struct GemmRequest {
  std::string chip, dtype = "bf16";
  std::string quantize = "none";  // none, or dynamic (per-tensor amax + quantise kernels first)
  int64_t m = 0, n = 0, k = 0, batch = 1;
};

struct DecodeAttentionRequest {
  std::string chip, dtype = "bf16", kv_dtype = "bf16";
  int64_t batch = 1, heads = 32, kv_heads = 8, head_dim = 128, context = 1024;
};

struct PrefillAttentionRequest {
  std::string chip, dtype = "bf16";
  int64_t batch = 1, heads = 32, kv_heads = 0, head_dim = 128, seq = 4096, window = 0;
  bool causal = false;  // kv_heads 0 = heads; a window implies causal
};

struct OpReport {
  std::string title;
  ChipSpec chip;
  Cost cost;
  double useful_flops = 0;  // for TFLOP/s
  double roofline_s = 0;    // 0 where no roofline is computed
};

// Each throws UserError on a bad request (unknown chip or dtype, a size < 1).
OpReport gemm_op(const GemmRequest& r);
OpReport decode_attention_op(const DecodeAttentionRequest& r);
OpReport prefill_attention_op(const PrefillAttentionRequest& r);

nlohmann::json op_json(const OpReport& r);

}  // namespace cw
