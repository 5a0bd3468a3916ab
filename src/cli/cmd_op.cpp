#include <fmt/core.h>

#include "cli/commands.hpp"
#include "config/error.hpp"
#include "hardware/chip_loader.hpp"
#include "perf/ops.hpp"
#include "report/format.hpp"
#include "report/json_report.hpp"

namespace cw::cli {
namespace {

Dtype dtype_flag(const std::string& s) {
  auto d = parse_dtype(s);
  if (!d) throw UserError("--dtype: unknown dtype '" + s + "'; valid: " + dtype_list());
  return *d;
}

void print_cost(const std::string& title, const Cost& c, const ChipSpec& chip, double flops_metric,
                const OutputOptions& out, double roofline) {
  if (out.json()) {
    nlohmann::json j = to_json(c, chip);
    j["op"] = title;
    j["chip"] = chip.id;
    j["tflops"] = flops_metric / c.time / 1e12;
    j["roofline_s"] = roofline;
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("{} on {}\n", title, chip.id);
  fmt::print("  time        {}   ({:.1f} TFLOP/s, {} bound)\n", format_time(c.time),
             flops_metric / c.time / 1e12, bound_name(c.bound));
  fmt::print("  compute     {}\n  memory      {}\n  overhead    {}\n", format_time(c.compute_time),
             format_time(c.memory_time), format_time(c.overhead_time));
  if (roofline > 0) {
    fmt::print("  roofline    {}   ({:.0f}% of roofline speed)\n", format_time(roofline),
               100.0 * roofline / c.time);
  }
  for (size_t i = 0; i < chip.memory.size() && i < kMaxMemoryLevels; ++i) {
    fmt::print("  bytes {:6} {}\n", chip.memory[i].name, format_bytes(c.bytes[i]));
  }
}

}  // namespace

void register_op(CLI::App& app) {
  auto* op = app.add_subcommand("op", "Cost one operator on one chip");
  op->require_subcommand(1);

  struct GemmArgs {
    std::string chip, dtype = "bf16", quantize = "none";
    int64_t m = 0, n = 0, k = 0, batch = 1;
    OutputOptions out;
  };
  auto g = std::make_shared<GemmArgs>();
  auto* gemm = op->add_subcommand("gemm", "C[m,n] = A[m,k] x W[k,n]");
  gemm->add_option("--chip", g->chip, "chip preset id or YAML path")->required();
  gemm->add_option("--m", g->m)->required()->check(CLI::PositiveNumber);
  gemm->add_option("--n", g->n)->required()->check(CLI::PositiveNumber);
  gemm->add_option("--k", g->k)->required()->check(CLI::PositiveNumber);
  gemm->add_option("--batch", g->batch, "independent GEMMs (grouped)")->check(CLI::PositiveNumber);
  gemm->add_option("--dtype", g->dtype, "bf16, fp16, fp8, int8, fp4, ...")->capture_default_str();
  gemm->add_option("--quantize", g->quantize,
                   "activations: none (already in --dtype) or dynamic (bf16 in, per-tensor "
                   "amax + quantise kernels before the GEMM)")
      ->check(CLI::IsMember({"none", "dynamic"}))
      ->capture_default_str();
  add_format_option(*gemm, g->out);
  gemm->callback([g] {
    ChipSpec chip = load_chip(g->chip);
    GemmShape s;
    s.m = g->m;
    s.n = g->n;
    s.k = g->k;
    s.batch = g->batch;
    s.compute = dtype_flag(g->dtype);
    s.a_bytes = s.w_bytes = dtype_bits(s.compute) / 8.0;
    s.c_bytes = 2;
    s.activation_quant =
        g->quantize == "dynamic" ? ActivationQuant::dynamic : ActivationQuant::none;
    Cost c = gemm_cost(chip, s);
    print_cost(fmt::format("gemm {}x{}x{} {}", s.m, s.n, s.k, g->dtype), c, chip,
               2.0 * s.m * s.n * s.k * s.batch, g->out, gemm_roofline(chip, s));
  });

  struct DecodeArgs {
    std::string chip, dtype = "bf16", kv_dtype = "bf16";
    int64_t batch = 1, heads = 32, kv_heads = 8, head_dim = 128, context = 1024;
    OutputOptions out;
  };
  auto d = std::make_shared<DecodeArgs>();
  auto* dec = op->add_subcommand("decode-attention", "one decode step of paged attention");
  dec->add_option("--chip", d->chip)->required();
  dec->add_option("--batch", d->batch)->check(CLI::PositiveNumber)->capture_default_str();
  dec->add_option("--heads", d->heads)->check(CLI::PositiveNumber)->capture_default_str();
  dec->add_option("--kv-heads", d->kv_heads)->check(CLI::PositiveNumber)->capture_default_str();
  dec->add_option("--head-dim", d->head_dim)->check(CLI::PositiveNumber)->capture_default_str();
  dec->add_option("--context", d->context)->check(CLI::PositiveNumber)->capture_default_str();
  dec->add_option("--dtype", d->dtype)->capture_default_str();
  dec->add_option("--kv-dtype", d->kv_dtype)->capture_default_str();
  add_format_option(*dec, d->out);
  dec->callback([d] {
    ChipSpec chip = load_chip(d->chip);
    DecodeAttentionShape a{d->batch, d->context, d->heads, d->kv_heads, d->head_dim,
                           d->head_dim, false, dtype_flag(d->dtype),
                           dtype_bits(dtype_flag(d->kv_dtype)) / 8.0};
    Cost c = decode_attention_cost(chip, a);
    print_cost(fmt::format("decode attention b{} ctx{}", a.batch, a.context), c, chip,
               c.flops, d->out, 0);
  });

  struct AttnArgs {
    std::string chip, dtype = "bf16";
    int64_t batch = 1, heads = 32, kv_heads = 0, head_dim = 128, seq = 4096, window = 0;
    bool causal = false;
    OutputOptions out;
  };
  auto a = std::make_shared<AttnArgs>();
  auto* att = op->add_subcommand("attention", "flash-style prefill attention forward");
  att->add_option("--chip", a->chip)->required();
  att->add_option("--batch", a->batch)->check(CLI::PositiveNumber)->capture_default_str();
  att->add_option("--heads", a->heads)->check(CLI::PositiveNumber)->capture_default_str();
  att->add_option("--kv-heads", a->kv_heads, "default: --heads");
  att->add_option("--head-dim", a->head_dim)->check(CLI::PositiveNumber)->capture_default_str();
  att->add_option("--seq", a->seq)->check(CLI::PositiveNumber)->capture_default_str();
  att->add_flag("--causal", a->causal);
  att->add_option("--window", a->window,
                  "sliding window: each query attends to the last N keys (implies --causal)")
      ->check(CLI::PositiveNumber);
  att->add_option("--dtype", a->dtype)->capture_default_str();
  add_format_option(*att, a->out);
  att->callback([a] {
    ChipSpec chip = load_chip(a->chip);
    Dtype dt = dtype_flag(a->dtype);
    PrefillAttentionShape s{a->batch,
                            a->seq,
                            a->seq,
                            a->heads,
                            a->kv_heads > 0 ? a->kv_heads : a->heads,
                            a->head_dim,
                            a->head_dim,
                            a->causal || a->window > 0,
                            dt,
                            dtype_bits(dt) / 8.0,
                            a->window};
    Cost c = prefill_attention_cost(chip, s);
    double flops = 4.0 * s.batch * s.heads * double(s.q_len) * double(s.kv_len) * s.head_dim_qk;
    if (s.causal) flops /= 2;
    if (s.window > 0 && s.window < s.q_len) {
      // Query i attends to min(i + 1, W) keys: W(W + 1)/2 + (s - W)·W in all.
      const double w = static_cast<double>(s.window), q = static_cast<double>(s.q_len);
      flops = 4.0 * s.batch * s.heads * (w * (w + 1) / 2 + (q - w) * w) * s.head_dim_qk;
    }
    print_cost(fmt::format("attention b{} h{} s{} d{}", s.batch, s.heads, s.q_len, s.head_dim_qk),
               c, chip, flops, a->out, 0);
  });
}

}  // namespace cw::cli
