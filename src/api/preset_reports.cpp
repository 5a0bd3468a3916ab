#include "api/preset_reports.hpp"

#include "silicon/economics.hpp"
#include "workload/model_stats.hpp"

namespace cw {

nlohmann::json model_json(const ModelSpec& m) {
  const ParameterCounts p = parameter_counts(m);
  return {{"id", m.id},
          {"architecture", m.architecture},
          {"hidden", m.hidden},
          {"layers", m.layers},
          {"heads", m.heads},
          {"kv_heads", m.kv_heads},
          {"head_dim", m.head_dim},
          {"vocab", m.vocab},
          {"sliding_window", m.sliding_window},
          {"windowed_layers", m.windowed_layer_count()},
          {"chunked_attention", m.chunked_attention},
          {"parameters_total", p.total},
          {"parameters_active", p.active}};
}

SiliconSheet silicon_sheet_for(const ChipSpec& chip, const std::string& node,
                               const std::vector<std::string>& overrides) {
  SheetOptions opts;
  opts.node = node;
  opts.economics = load_economics();
  for (const auto& o : overrides) apply_override(*opts.economics, o);
  opts.allow_reticle_overflow = true;
  opts.tco.chip_price = chip.price;
  return silicon_sheet(chip, opts);
}

nlohmann::json silicon_json(const SiliconSheet& s) {
  nlohmann::json blocks = nlohmann::json::array();
  for (const auto& b : s.area.blocks) {
    blocks.push_back({{"name", b.name}, {"mm2", b.mm2}, {"basis", b.basis}});
  }
  nlohmann::json j = {
      {"chip", s.chip_id},
      {"node", s.node.id},
      {"area",
       {{"blocks", blocks},
        {"total_mm2", s.area.total_mm2},
        {"dies", s.area.dies},
        {"per_die_mm2", s.area.per_die_mm2},
        {"declared_mm2", s.declared_area_mm2},
        {"fits_reticle", s.fits_reticle},
        {"chiplets_needed", s.chiplets_needed}}},
      {"power",
       {{"tdp_w", s.power.tdp_w},
        {"estimated_max_w", s.power.estimated_max_w},
        {"within_tdp", s.power.within_tdp}}},
      {"cost",
       {{"die_yield", s.cost.die_yield},
        {"die_cost", s.cost.die_cost},
        {"memory_cost", s.cost.memory_cost},
        {"package", s.cost.package},
        {"package_cost", s.cost.package_cost},
        {"unit_cost", s.cost.unit_cost}}},
      {"tco", {{"chip_price", s.tco.chip_price}, {"per_chip_hour", s.tco.per_chip_hour}}}};
  return j;
}

}  // namespace cw
