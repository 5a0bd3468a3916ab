#include "dse/chip_variant.hpp"

#include <cmath>

#include "silicon/area_model.hpp"
#include "silicon/energy_model.hpp"
#include "silicon/process_node.hpp"

namespace cw {
namespace {

// Compute and on-chip bandwidth times `ratio` (cores x clock changed by it).
void scale_throughput(ChipSpec& c, double ratio) {
  for (auto& [dtype, flops] : c.matrix.peak_flops) flops *= ratio;
  c.vector.flops *= ratio;
  c.vector.special_function_ops *= ratio;
  for (size_t i = 0; i + 1 < c.memory.size(); ++i) c.memory[i].bandwidth *= ratio;
}

MemoryLevel& level(ChipSpec& c, const std::string& name) {
  for (auto& lv : c.memory)
    if (lv.name == name) return lv;
  throw InternalError("design space names a memory level the chip lacks: " + name);
}

// The fewest identical dies that each fit the reticle, the die-to-die links a
// split adds included. The area model's per-die estimate is anchored to the
// base chip's published die: scaled by declared / modelled per-die area of
// the base on its own node (H100: 814 / 873 mm2), so a variant equal to a
// real single-die chip stays one die although the model sizes it 7% over.
void size_dies(ChipSpec& c, const ProcessNode& node, double anchor) {
  for (c.die.dies = 1; c.die.dies < 64; ++c.die.dies) {
    const AreaBreakdown a = estimate_area(c, node);
    if (a.per_die_mm2 * anchor <= a.reticle_mm2) return;
  }
}

// TDP = the sustained-load power it implies (static power is a fraction of
// TDP, so iterate to the fixed point; the fraction is < 1/4, so this
// converges geometrically).
void size_tdp(ChipSpec& c, const ProcessNode& node) {
  const double area = estimate_area(c, node).total_mm2;
  for (int i = 0; i < 30; ++i) {
    const double p = check_tdp(c, energy_table(c, node, area)).estimated_max_w;
    const bool settled = std::abs(p - c.power.tdp) < 1e-3;
    c.power.tdp = p;
    if (settled) return;
  }
}

}  // namespace

ChipSpec chip_variant(const DesignSpace& space, const std::vector<int>& values) {
  ChipSpec c = space.base_chip;
  c.price = 0;
  c.die.area_mm2 = 0;
  c.die.transistors = 0;
  bool tdp_set = false;
  for (size_t j = 0; j < space.knobs.size(); ++j) {
    const Knob& k = space.knobs[j];
    const KnobValue& v = k.values.at(static_cast<size_t>(values.at(j)));
    MemoryLevel& main = c.memory.back();
    switch (k.kind) {
      case KnobKind::cores: {
        const double ratio = v.number / c.matrix.cores;
        c.matrix.cores = static_cast<int>(v.number);
        scale_throughput(c, ratio);
        break;
      }
      case KnobKind::clock: {
        const double ratio = v.number / c.matrix.clock_hz;
        c.matrix.clock_hz = v.number;
        scale_throughput(c, ratio);
        for (auto& [dtype, hz] : c.efficiency.tensor_clock_hz) hz *= ratio;
        break;
      }
      case KnobKind::array: {
        // A side x side array in place of the base granule's n x k: as many
        // more MACs per core per clock, so every matrix peak scales by the
        // area ratio (the silicon model sizes the matrix units from the peaks).
        const double ratio =
            v.number * v.number /
            (static_cast<double>(c.matrix.granule_n) * static_cast<double>(c.matrix.granule_k));
        c.matrix.granule_n = c.matrix.granule_k = static_cast<int>(v.number);
        for (auto& [dtype, flops] : c.matrix.peak_flops) flops *= ratio;
        break;
      }
      case KnobKind::hbm_stacks: {
        const double ratio = v.number / main.stacks;
        main.stacks = static_cast<int>(v.number);
        main.bandwidth *= ratio;
        main.capacity *= ratio;
        break;
      }
      case KnobKind::hbm_stack_bandwidth:
        main.bandwidth = v.number * main.stacks;
        break;
      case KnobKind::hbm_type:
        main.type = v.text;
        break;
      case KnobKind::hbm_stack_capacity:
        main.capacity = v.number * main.stacks;
        break;
      case KnobKind::level_capacity:
        level(c, k.level).capacity = v.number;
        break;
      case KnobKind::level_bandwidth:
        level(c, k.level).bandwidth = v.number;
        break;
      case KnobKind::links:
        c.links.count = static_cast<int>(v.number);
        break;
      case KnobKind::link_bandwidth:
        c.links.bandwidth_per_link = v.number;
        break;
      case KnobKind::node:
        c.die.process = v.text;
        break;
      case KnobKind::tdp:
        c.power.tdp = v.number;
        tdp_set = true;
        break;
      case KnobKind::batch:
      case KnobKind::tp:
      case KnobKind::draft_tokens:
        break;
    }
  }
  const ProcessNode node = load_node(c.die.process);
  size_dies(c, node, space.area_anchor);
  if (!tdp_set) {
    c.power.idle = 0;  // static power follows the new TDP
    size_tdp(c, node);
  }
  return c;
}

}  // namespace cw
