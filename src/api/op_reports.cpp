#include "api/op_reports.hpp"

#include <fmt/core.h>

#include "config/error.hpp"
#include "config/value_checks.hpp"
#include "hardware/chip_loader.hpp"
#include "perf/ops.hpp"
#include "report/json_report.hpp"

namespace cw {
namespace {

Dtype dtype_arg(const std::string& s, const char* name) {
  auto d = parse_dtype(s);
  if (!d) throw UserError(fmt::format("{}: unknown dtype '{}'; valid: {}", name, s, dtype_list()));
  return *d;
}

}  // namespace

OpReport gemm_op(const GemmRequest& r) {
  for (auto [v, name] : {std::pair{r.m, "m"}, {r.n, "n"}, {r.k, "k"}, {r.batch, "batch"}})
    require_at_least_one(v, name);
  if (r.quantize != "none" && r.quantize != "dynamic")
    throw UserError("quantize: expected none or dynamic, got '" + r.quantize + "'");
  OpReport op{"", load_chip(r.chip), {}, 0, 0};
  GemmShape s;
  s.m = r.m;
  s.n = r.n;
  s.k = r.k;
  s.batch = r.batch;
  s.compute = dtype_arg(r.dtype, "--dtype");
  s.a_bytes = s.w_bytes = dtype_bits(s.compute) / 8.0;
  s.c_bytes = 2;
  s.activation_quant = r.quantize == "dynamic" ? ActivationQuant::dynamic : ActivationQuant::none;
  op.title = fmt::format("gemm {}x{}x{} {}", s.m, s.n, s.k, r.dtype);
  op.cost = gemm_cost(op.chip, s);
  op.useful_flops = 2.0 * s.m * s.n * s.k * s.batch;
  op.roofline_s = gemm_roofline(op.chip, s);
  return op;
}

OpReport decode_attention_op(const DecodeAttentionRequest& r) {
  for (auto [v, name] : {std::pair{r.batch, "batch"},
                         {r.heads, "heads"},
                         {r.kv_heads, "kv_heads"},
                         {r.head_dim, "head_dim"},
                         {r.context, "context"}})
    require_at_least_one(v, name);
  OpReport op{
      fmt::format("decode attention b{} ctx{}", r.batch, r.context), load_chip(r.chip), {}, 0, 0};
  DecodeAttentionShape a{r.batch,
                         r.context,
                         r.heads,
                         r.kv_heads,
                         r.head_dim,
                         r.head_dim,
                         false,
                         dtype_arg(r.dtype, "--dtype"),
                         dtype_bits(dtype_arg(r.kv_dtype, "--kv-dtype")) / 8.0};
  op.cost = decode_attention_cost(op.chip, a);
  op.useful_flops = op.cost.flops;
  return op;
}

OpReport prefill_attention_op(const PrefillAttentionRequest& r) {
  for (auto [v, name] :
       {std::pair{r.batch, "batch"}, {r.heads, "heads"}, {r.head_dim, "head_dim"}, {r.seq, "seq"}})
    require_at_least_one(v, name);
  if (r.kv_heads < 0)
    throw UserError(fmt::format("kv_heads must be at least 0, got {}", r.kv_heads));
  if (r.window < 0) throw UserError(fmt::format("window must be at least 0, got {}", r.window));
  const Dtype dt = dtype_arg(r.dtype, "--dtype");
  PrefillAttentionShape s{r.batch,
                          r.seq,
                          r.seq,
                          r.heads,
                          r.kv_heads > 0 ? r.kv_heads : r.heads,
                          r.head_dim,
                          r.head_dim,
                          r.causal || r.window > 0,
                          dt,
                          dtype_bits(dt) / 8.0,
                          r.window};
  OpReport op{fmt::format("attention b{} h{} s{} d{}", s.batch, s.heads, s.q_len, s.head_dim_qk),
              load_chip(r.chip),
              {},
              0,
              0};
  op.cost = prefill_attention_cost(op.chip, s);
  double flops = 4.0 * s.batch * s.heads * double(s.q_len) * double(s.kv_len) * s.head_dim_qk;
  if (s.causal) flops /= 2;
  if (s.window > 0 && s.window < s.q_len) {
    // Query i attends to min(i + 1, W) keys: W(W + 1)/2 + (s - W)·W in all.
    const double w = static_cast<double>(s.window), q = static_cast<double>(s.q_len);
    flops = 4.0 * s.batch * s.heads * (w * (w + 1) / 2 + (q - w) * w) * s.head_dim_qk;
  }
  op.useful_flops = flops;
  return op;
}

nlohmann::json op_json(const OpReport& r) {
  nlohmann::json j = to_json(r.cost, r.chip);
  j["op"] = r.title;
  j["chip"] = r.chip.id;
  j["tflops"] = r.useful_flops / r.cost.time / 1e12;
  j["roofline_s"] = r.roofline_s;
  return j;
}

}  // namespace cw
