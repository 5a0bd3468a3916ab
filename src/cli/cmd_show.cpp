#include <fmt/core.h>

#include "api/preset_reports.hpp"
#include "cli/commands.hpp"
#include "config/data_dir.hpp"
#include "hardware/chip_loader.hpp"
#include "report/format.hpp"
#include "report/json_report.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/model_stats.hpp"

namespace cw::cli {
namespace {

void print_chip(const ChipSpec& c) {
  fmt::print("{} ({}), {}\n", c.name, c.id, shown_preset_path(c.source_file));
  fmt::print("  matrix: {} cores, granule {}x{}x{}, quoted at {}\n", c.matrix.cores,
             c.matrix.granule_m, c.matrix.granule_n, c.matrix.granule_k,
             format_rate(c.matrix.clock_hz, "Hz"));
  for (const auto& [d, f] : c.matrix.peak_flops) {
    fmt::print("    {:5} peak {:>14}  sustained {:>14}\n", dtype_name(d),
               format_rate(f, "FLOP/s"), format_rate(c.sustained_flops(d), "FLOP/s"));
  }
  fmt::print("  vector: {}, special functions {}\n", format_rate(c.vector.flops, "FLOP/s"),
             format_rate(c.vector.special_function_ops, "op/s"));
  fmt::print("  memory:\n");
  for (const auto& m : c.memory) {
    fmt::print("    {:6} {:>10}{} at {:>12}{}\n", m.name, format_bytes(m.capacity),
               m.per_core ? "/core" : "     ", format_rate(m.bandwidth, "B/s"),
               m.type.empty() ? "" : fmt::format("  ({}, {} stacks)", m.type, m.stacks));
  }
  fmt::print("  achievable main-memory bandwidth: {}\n",
             format_rate(c.achievable_memory_bandwidth(), "B/s"));
  fmt::print("  links: {} x {} at {} each way, latency {}\n", c.links.count, c.links.type,
             format_rate(c.links.bandwidth_per_link, "B/s"), format_time(c.links.latency));
  fmt::print("  kernel launch: {}; TDP {} W; die {} {} mm2 x {}\n",
             format_time(c.efficiency.kernel_launch), c.power.tdp, c.die.process,
             c.die.area_mm2, c.die.dies);
}

void print_model(const ModelSpec& m) {
  ParameterCounts p = parameter_counts(m);
  fmt::print("{} ({}), {}\n", m.id, m.architecture, shown_preset_path(m.source_file));
  fmt::print("  hidden {}, layers {}, heads {} (kv {}), head_dim {}, vocab {}\n", m.hidden,
             m.layers, m.heads, m.kv_heads, m.head_dim, m.vocab);
  if (m.moe) {
    const MoeSpec& e = *m.moe;
    const std::string groups =
        e.groups_per_token < e.expert_groups
            ? fmt::format(" within {} of {} groups", e.groups_per_token, e.expert_groups)
            : "";
    fmt::print("  MoE: {} experts, top-{}{}, {} shared, expert FFN {}, first {} layers dense\n",
               e.num_experts, e.experts_per_token, groups, e.shared_experts, e.expert_intermediate,
               e.first_dense_layers);
  }
  if (m.mla) {
    fmt::print("  MLA: q_lora {}, kv_lora {}, qk nope/rope {}/{}, v {}\n", m.mla->q_lora_rank,
               m.mla->kv_lora_rank, m.mla->qk_nope_head_dim, m.mla->qk_rope_head_dim,
               m.mla->v_head_dim);
  }
  if (m.sliding_window > 0) {
    fmt::print("  {}: {} {} tokens on {} of {} layers\n",
               m.chunked_attention ? "chunked attention" : "sliding-window attention",
               m.chunked_attention ? "chunks of" : "last", m.sliding_window,
               m.windowed_layer_count(), m.layers);
  }
  fmt::print("  parameters: {:.2f} B total, {:.2f} B active per token\n", p.total / 1e9,
             p.active / 1e9);
}

}  // namespace

void register_show(CLI::App& app) {
  auto* cmd = app.add_subcommand("show", "Show a chip or model preset (or file) in full");
  auto what = std::make_shared<std::string>();
  auto id = std::make_shared<std::string>();
  auto out = std::make_shared<OutputOptions>();
  cmd->add_option("what", *what, "chip | model")->required()->check(CLI::IsMember({"chip", "model"}));
  cmd->add_option("id", *id, "preset id or path")->required();
  add_format_option(*cmd, *out);
  cmd->callback([what, id, out] {
    if (*what == "chip") {
      ChipSpec c = load_chip(*id);
      if (out->json()) {
        fmt::print("{}\n", to_json(c).dump(2));
      } else {
        print_chip(c);
      }
      return;
    }
    ModelSpec m = load_model(*id);
    if (out->json()) {
      const nlohmann::json j = model_json(m);
      fmt::print("{}\n", j.dump(2));
    } else {
      print_model(m);
    }
  });
}

}  // namespace cw::cli
