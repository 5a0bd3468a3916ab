// Energy constants at TSMC N7 (energy_scale 1) and their provenance; tags as in
// ../shared/reference/silicon.md. Three are chip-level constants solved from
// board power measured on an H100 SXM (TSMC 4N, energy_scale 0.63) at its
// 700 W limit, each from ONE reading (docs/measurements/h100-2026-11-25.md):
//
//  active idle 19.3% TDP  H100 at P0 between loops: 135 W of 700 W. Static power of
//                         a chip with a TDP and no `power.idle` (leakage, clock tree,
//                         HBM refresh and PHY standby, link SerDes idle); a chip with
//                         no TDP falls back to node leakage per mm².
//  main-memory path       copy of 1 GiB at 3.03 TB/s (read + written) drew 510 W:
//    92.6 pJ/B on die     (510 − 135) W / 3.03 TB/s = 123.8 pJ per byte, less the DRAM's
//                         31.2 pJ/B = the on-die path of a main-memory byte (PHY and
//                         controller, NoC, L2 fill, L1 and register writes, load/store
//                         issue). Added to every off-chip level; not node-scaled (I/O-
//                         and wire-dominated [ASSUMED]).
//  16-bit FLOP 1.075 pJ   bf16 GEMM 8192³ at 690 TFLOP/s drew 697 W: (697 − 135 W −
//                         95 W of modelled bytes) / 690 TFLOP/s = 0.677 pJ at 4N, i.e.
//                         1.075 pJ at N7: the whole tensor-core datapath (operand
//                         registers, accumulators, MMA issue), not the bare FMA (Jouppi's
//                         7 nm FP16 FMA is 0.25 pJ per FLOP, §2.2). Cross-check: reallm's
//                         chip constant of 1.0–1.2 W per TOPS (§ "Chip constants" [M]).
//                         Checked on a weight-streaming GEMM (m 64, n 28672, k 8192 at
//                         2.78 TB/s): predicted 608 W, measured 665 W (−9%).
//  dtype ratios           fp8/int8 0.564 of 16-bit: fp8 GEMM 8192³ at 1290 TFLOP/s drew
//                         698 W: (698 − 135 − 70 W of bytes) / 1290 TFLOP/s = 0.382 pJ at
//                         4N. fp4/int4 half of fp8 [D] (vendors double the peak at the same
//                         TDP, chips.md A.2 B200). fp32 3.0 from Horowitz's FP32 / FP16 MAC
//                         (4.6 / 1.5 pJ, §2.1); tf32 1.5 [ASSUMED].
//  vector FP32 1.3 pJ     [D] Jouppi 7 nm FP32 add + mult 0.4 + 1.3 pJ per FMA = 0.85 pJ per
//                         FLOP (§2.2), plus Dally's ~30 pJ instruction overhead per 32-lane
//                         SIMT instruction = 0.47 pJ per FLOP (§2.3).
//  SRAM near 0.94 pJ/B    [M] reallm small SRAM from Jouppi 2021 (§2.4): per-core levels.
//  SRAM far 2.05 pJ/B     [M] reallm large SRAM 1.25 pJ/B + on-chip wire 0.1 pJ/bit x 8 (§2.3
//                         generic on-chip wire [M]): chip-scope levels cross the die.
//  HBM 31.2 pJ/B          3.9 pJ/bit for HBM2-HBM3E (Samsung [S], reallm [M], §2.4);
//                         HBM4 2.8 pJ/bit (>40% better than HBM3E, SK hynix [U]); HBM4E
//                         2.0 pJ/bit (target ">2x HBM3E" [S]). Not node-scaled (DRAM side).
//  other DRAM 80 pJ/B     [M] reallm DDR-class 10 pJ/bit (§2.4).
//  NVLink 1.3 pJ/bit      [P] NVIDIA (§2.5); other SerDes 5.5 pJ/bit (112G-class [U], §2.5).
//  UCIe 2.5D 0.3 pJ/bit   [P] Das Sharma, Hot Interconnects 2025 (>16 GT/s), §2.5.
//  Node scaling           FLOP and SRAM energies × node.energy_scale (iso-speed power claims,
//                         §1.1/§1.2); off-chip DRAM, memory path and SerDes are not scaled.
#include "silicon/energy_model.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "config/error.hpp"

namespace cw {
namespace {

constexpr double pJ = 1e-12;
constexpr double kFlop16_J = 1.075 * pJ;
constexpr double kMainMemoryPath_J = 92.6 * pJ;
constexpr double kActiveIdleFractionOfTdp = 135.0 / 700.0;
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
      return 0.564;
    case Dtype::fp4:
    case Dtype::int4:
      return 0.282;
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
      t.level_byte_j.push_back(dram_byte_j(m.type) + kMainMemoryPath_J);
      t.level_kind.push_back(m.type);
    }
  }
  t.link_byte_j = chip.links.type.rfind("NVLink", 0) == 0 ? kNvlink_J : kSerdes_J;
  t.d2d_byte_j = kUcie25d_J;
  if (chip.power.idle > 0)
    t.static_w = chip.power.idle;
  else if (chip.power.tdp > 0)
    t.static_w = kActiveIdleFractionOfTdp * chip.power.tdp;
  else
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
    if (it != t.flop_j.end())
      r.compute_w = std::max(r.compute_w, std::min(chip.sustained_flops(d), peak) * it->second);
  }
  if (!t.level_byte_j.empty())
    r.memory_w = chip.achievable_memory_bandwidth() * t.level_byte_j.back();
  r.link_w = chip.links.count * chip.links.bandwidth_per_link * 2 * t.link_byte_j;
  r.static_w = t.static_w;
  r.estimated_max_w = r.static_w + std::max(r.compute_w, r.memory_w) + r.link_w;
  r.within_tdp = !(r.tdp_w > 0) || r.estimated_max_w <= r.tdp_w;
  if (r.tdp_w > 0) {
    const double budget = std::max(0.0, r.tdp_w - r.static_w - r.link_w);
    if (r.compute_w > budget) r.compute_fraction = budget / r.compute_w;
    if (r.memory_w > budget) r.memory_fraction = budget / r.memory_w;
  }
  std::string parts =
      fmt::format("{:.0f} static + max({:.0f} compute-bound, {:.0f} memory-bound) + {:.0f} links",
                  r.static_w, r.compute_w, r.memory_w, r.link_w);
  if (!r.within_tdp)
    parts += fmt::format("; held to the TDP it keeps {:.0f}% of its compute-bound and {:.0f}% of "
                         "its memory-bound rate",
                         100 * r.compute_fraction, 100 * r.memory_fraction);
  r.message = r.tdp_w > 0 ? fmt::format("sustained-load power {:.0f} W ({}) {} the {:.0f} W TDP",
                                        r.estimated_max_w, parts,
                                        r.within_tdp ? "fits" : "EXCEEDS", r.tdp_w)
                          : fmt::format("sustained-load power {:.0f} W ({}); TDP not given",
                                        r.estimated_max_w, parts);
  return r;
}

}  // namespace cw
