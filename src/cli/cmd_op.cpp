#include <fmt/core.h>

#include "api/op_reports.hpp"
#include "cli/commands.hpp"
#include "report/format.hpp"

namespace cw::cli {
namespace {

void print_cost(const OpReport& op, const OutputOptions& out) {
  if (out.json()) {
    fmt::print("{}\n", op_json(op).dump(2));
    return;
  }
  const Cost& c = op.cost;
  const ChipSpec& chip = op.chip;
  const double roofline = op.roofline_s;
  fmt::print("{} on {}\n", op.title, chip.id);
  fmt::print("  time        {}   ({:.1f} TFLOP/s, {} bound)\n", format_time(c.time),
             op.useful_flops / c.time / 1e12, bound_name(c.bound));
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

  struct GemmArgs : GemmRequest {
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
  gemm->callback([g] { print_cost(gemm_op(*g), g->out); });

  struct DecodeArgs : DecodeAttentionRequest {
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
  dec->callback([d] { print_cost(decode_attention_op(*d), d->out); });

  struct AttnArgs : PrefillAttentionRequest {
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
  att->callback([a] { print_cost(prefill_attention_op(*a), a->out); });
}

}  // namespace cw::cli
