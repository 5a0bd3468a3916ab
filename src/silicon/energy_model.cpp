// Energy constants at TSMC N7 (energy_scale 1) and their provenance; tags as in
// ../shared/reference/silicon.md.
//
//  16-bit FLOP 0.30 pJ    Jouppi 2021's 7 nm FP16 FMA, add 0.16 + mult 0.34 = 0.50 pJ
//                         (§2.2 [M/S]) = 0.25 pJ per FLOP, plus Dally's ~20% instruction
//                         fetch/decode/operand overhead on a tensor-core MMA (§2.3 [S]).
//                         Not reallm's Graphcore 1.3 pJ per FMA "incl. local operand
//                         delivery" (§2.2 [M]): operands are charged per byte at every
//                         memory level below, so that figure counted their delivery twice
//                         and put B200, GB200, MI300X, MI325X and Gaudi 3 over their TDPs.
//  dtype ratios           [D] fp8/int8 0.5 and fp4/int4 0.25 of the 16-bit energy: vendors
//                         rate 2x (4x) the bf16 peak within the same TDP (chips.md A.1/A.2:
//                         H100, B200). fp32 3.0 from Horowitz's FP32 / FP16 MAC (4.6 / 1.5
//                         pJ, §2.1); tf32 1.5 [ASSUMED].
//  vector FP32 1.3 pJ     [D] Jouppi 7 nm FP32 add + mult 0.4 + 1.3 pJ per FMA = 0.85 pJ per
//                         FLOP (§2.2), plus Dally's ~30 pJ instruction overhead per 32-lane
//                         SIMT instruction = 0.47 pJ per FLOP (§2.3).
//  SRAM near 0.94 pJ/B    [M] reallm small SRAM from Jouppi 2021 (§2.4): per-core levels.
//  SRAM far 2.05 pJ/B     [M] reallm large SRAM 1.25 pJ/B + on-chip wire 0.1 pJ/bit x 8 (§2.3
//                         generic on-chip wire [M]): chip-scope levels cross the die. Dally's
//                         last-level cache (~50 pJ/word, §2.3) would be several times more.
//  HBM 31.2 pJ/B          3.9 pJ/bit for HBM2-HBM3E (Samsung [S], reallm [M], §2.4);
//                         HBM4 2.8 pJ/bit (>40% better than HBM3E, SK hynix [U]); HBM4E
//                         2.0 pJ/bit (target ">2x HBM3E" [S]). Not node-scaled (DRAM side).
//  other DRAM 80 pJ/B     [M] reallm DDR-class 10 pJ/bit (§2.4).
//  NVLink 1.3 pJ/bit      [P] NVIDIA (§2.5); other SerDes 5.5 pJ/bit (112G-class [U], §2.5).
//  UCIe 2.5D 0.3 pJ/bit   [P] Das Sharma, Hot Interconnects 2025 (>16 GT/s), §2.5.
//  Node scaling           FLOP and SRAM energies × node.energy_scale (iso-speed power claims,
//                         §1.1/§1.2); off-chip DRAM and SerDes energies are not scaled.
#include "silicon/energy_model.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "config/error.hpp"

namespace cw {
namespace {

constexpr double pJ = 1e-12;
constexpr double kFlop16_J = 0.25 * 1.2 * pJ;
constexpr double kVectorFlop_J = 1.3 * pJ;
constexpr double kSramNear_J = 0.94 * pJ;
constexpr double kSramFar_J = 2.05 * pJ;
constexpr double kNvlink_J = 1.3 * 8 * pJ;
constexpr double kSerdes_J = 5.5 * 8 * pJ;
constexpr double kUcie25d_J = 0.3 * 8 * pJ;

double dtype_energy_ratio(Dtype d) {
  switch (d) {
    case Dtype::fp32:
      return 3.0;
    case Dtype::tf32:
      return 1.5;
    case Dtype::bf16:
    case Dtype::fp16:
      return 1.0;
    case Dtype::fp8:
    case Dtype::int8:
      return 0.5;
    case Dtype::fp4:
    case Dtype::int4:
      return 0.25;
  }
  return 1.0;
}

// Off-chip memory energy per byte by type name (not node-scaled).
double dram_byte_j(const std::string& type) {
  if (type.rfind("HBM4E", 0) == 0) return 2.0 * 8 * pJ;
  if (type.rfind("HBM4", 0) == 0) return 2.8 * 8 * pJ;
  if (type.rfind("HBM", 0) == 0) return 3.9 * 8 * pJ;
  return 10.0 * 8 * pJ;
}

}  // namespace

EnergyTable energy_table(const ChipSpec& chip, const ProcessNode& node, double die_area_mm2) {
  if (!(die_area_mm2 >= 0)) throw UserError("die area for static power must be >= 0");
  EnergyTable t;
  t.node_id = node.id;
  const double s = node.energy_scale;
  for (const auto& [d, peak] : chip.matrix.peak_flops)
    t.flop_j[d] = kFlop16_J * dtype_energy_ratio(d) * s;
  t.vector_flop_j = kVectorFlop_J * s;
  for (const auto& m : chip.memory) {
    if (m.type.empty()) {
      t.level_byte_j.push_back((m.per_core ? kSramNear_J : kSramFar_J) * s);
      t.level_kind.push_back(m.per_core ? "SRAM (core)" : "SRAM (chip)");
    } else {
      t.level_byte_j.push_back(dram_byte_j(m.type));
      t.level_kind.push_back(m.type);
    }
  }
  t.link_byte_j = chip.links.type.rfind("NVLink", 0) == 0 ? kNvlink_J : kSerdes_J;
  t.d2d_byte_j = kUcie25d_J;
  t.static_w = node.leakage_w_per_mm2 * die_area_mm2;
  return t;
}

double dynamic_energy_of(const Cost& c, Dtype dtype, const EnergyTable& t) {
  auto it = t.flop_j.find(dtype);
  if (c.flops > 0 && it == t.flop_j.end())
    throw UserError(
        fmt::format("no FLOP energy for dtype {}: the chip's matrix engine does not "
                    "support it",
                    dtype_name(dtype)));
  double e = c.flops > 0 ? c.flops * it->second : 0;
  const size_t n = std::min<size_t>(t.level_byte_j.size(), c.bytes.size());
  for (size_t i = 0; i < n; ++i) e += c.bytes[i] * t.level_byte_j[i];
  e += c.link_bytes * t.link_byte_j;
  return e;
}

double energy_of(const Cost& c, Dtype dtype, const EnergyTable& t) {
  return dynamic_energy_of(c, dtype, t) + t.static_w * c.time;
}

double average_power(const Cost& c, Dtype dtype, const EnergyTable& t) {
  return c.time > 0 ? energy_of(c, dtype, t) / c.time : 0;
}

TdpCheck check_tdp(const ChipSpec& chip, const EnergyTable& t) {
  TdpCheck r;
  r.tdp_w = chip.power.tdp;
  for (const auto& [d, peak] : chip.matrix.peak_flops) {
    auto it = t.flop_j.find(d);
    if (it != t.flop_j.end()) r.peak_compute_w = std::max(r.peak_compute_w, peak * it->second);
  }
  for (size_t i = 0; i < chip.memory.size() && i < t.level_byte_j.size(); ++i)
    r.peak_memory_w += chip.memory[i].bandwidth * t.level_byte_j[i];
  r.peak_link_w =
      chip.links.count * chip.links.bandwidth_per_link * 2 * t.link_byte_j;  // both directions
  r.static_w = t.static_w;
  r.estimated_max_w = r.peak_compute_w + r.peak_memory_w + r.peak_link_w + r.static_w;
  r.within_tdp = !(r.tdp_w > 0) || r.estimated_max_w <= r.tdp_w;
  r.message =
      r.tdp_w > 0
          ? fmt::format(
                "all-units-busy bound {:.0f} W ({:.0f} compute + {:.0f} memory + {:.0f} links + "
                "{:.0f} static) {} the {:.0f} W TDP",
                r.estimated_max_w, r.peak_compute_w, r.peak_memory_w, r.peak_link_w, r.static_w,
                r.within_tdp ? "fits" : "EXCEEDS", r.tdp_w)
          : fmt::format("all-units-busy bound {:.0f} W (TDP not given)", r.estimated_max_w);
  return r;
}

}  // namespace cw
