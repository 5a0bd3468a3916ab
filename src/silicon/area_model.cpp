// Area model constants (at TSMC N7 unless stated) and their provenance; tags as in
// ../shared/reference/silicon.md ([M] model constant, [S] secondary, [D] derived,
// [ASSUMED] chipwright's reasoning, [CAL] calibrated on a published die).
//
//  mac_mm2 5.8e-4        [M] Chiplet Cloud (reallm) 0.29 mm² per BF16 TOPS at 7 nm and
//                        1 GHz (§7.5): 0.29 mm² / 500 MACs. The newer TPUv4i-based
//                        0.72 mm²/TOPS (§2.2) counts the whole MXU block; the rest of a
//                        core is charged below (core_fixed_mm2).
//  datatype classes      [D] vendors double the peak at half the operand width on the
//                        same array (chips.md A.1: H100/B200/MI300X fp8 = 2x bf16; B200
//                        fp4 = 2x fp8), so a MAC of width w costs w/16 of a 16-bit MAC;
//                        tf32/fp32 [ASSUMED] 1.5x / 3x (Horowitz FP32 MAC 4.6 pJ vs FP16
//                        1.5 pJ, §2.1).
//  format_overhead 0.10  [ASSUMED] per extra datatype class sharing the array
//                        (alignment, conversion and accumulation paths).
//  vector_lane 3.24e-3   [M] LLMCompass transistor counts (§7.1): FP32 FPU = 685,300 x
//                        (23/52)² = 134,070 plus INT32 multiplier 177,690 = 311,760
//                        transistors / 96.3 MTr/mm².
//  core_fixed 3.95       [CAL] per-core control, register file, L1 tags, load/store,
//                        FP64 and special-function pipes: the spec does not list them.
//                        Fitted so the A100 (N7, 826 mm²) closes; H100 (4N, 814 mm²) is
//                        then predicted, not fitted (tests/silicon/area_test.cpp).
//                        LLMCompass's control + crossbar alone is 57.9 M transistors =
//                        0.60 mm² (§7.1), a lower bound.
//  spare_fraction 0.10   [ASSUMED] cores built beyond the enabled count for harvesting:
//                        GA100 enables 108 of 128 SMs (16%), GH100 132 of 144 (8%)
//                        (NVIDIA architecture whitepapers).
//  noc_fraction 0.20     [ASSUMED] global NoC/crossbar, clock and power distribution,
//                        DFT and whitespace; §1.3: real dies carry 30-45% more area than
//                        their transistors at peak logic density.
//  hbm_phy 10.45         [M] LLMCompass HBM2e PHY per 1024-bit stack, node-independent
//                        (§3); HBM4 is 2048 bits wide (JEDEC, §3) so counts twice.
//  hbm_controller 5.74   [M][D] LLMCompass 552.7 M transistors per stack / 96.3.
//  dram_phy 0.0566       [M][D] LLMCompass DDR5 PHY 1.45 mm² per 32-bit channel at
//                        6.4 Gb/s = 25.6 GB/s (§3).
//  serdes 0.0386         [M][D] LLMCompass NVLink4 0.965 mm² per link of 25 GB/s each
//                        direction (§3); node-independent (analog).
//  d2d 1.586e-3          [M][D] nanocad UCIe-advanced cell: 4,096 Gb/s = 512 GB/s per
//                        TX + RX of 0.406 mm² each (§2.5). Die-to-die bandwidth per die
//                        is taken as the chip's main-memory bandwidth [ASSUMED: B200's
//                        NV-HBI is 10 TB/s against 8 TB/s of HBM].
//  host_io 10.24         [M] LLMCompass PCIe 5.0 0.64 mm² per lane x 16 (§3).
//  misc_io 5.0           [ASSUMED] PLLs, fuses, JTAG, thermal sensors, power management.
#include "silicon/area_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "config/error.hpp"

namespace cw {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kGBs = 1e9;

// Area of one MAC of dtype d relative to a 16-bit-float MAC, and the datapath
// class it belongs to (see the header comment).
struct DtypeArea {
  const char* cls;
  double rel;
};
DtypeArea dtype_area(Dtype d) {
  switch (d) {
    case Dtype::fp32:
      return {"fp32", 3.0};
    case Dtype::tf32:
      return {"tf32", 1.5};
    case Dtype::bf16:
    case Dtype::fp16:
      return {"fp16/bf16", 1.0};
    case Dtype::fp8:
      return {"fp8", 0.5};
    case Dtype::int8:
      return {"int8", 0.5};
    case Dtype::fp4:
      return {"fp4", 0.25};
    case Dtype::int4:
      return {"int4", 0.25};
  }
  return {"?", 1.0};
}

bool on_chip(const MemoryLevel& m) {
  return m.type.empty();
}
bool is_hbm(const MemoryLevel& m) {
  return m.type.rfind("HBM", 0) == 0;
}
// HBM4/HBM4E have a 2048-bit interface (JEDEC JESD270-4, silicon.md §3).
double hbm_width_factor(const MemoryLevel& m) {
  return m.type.rfind("HBM4", 0) == 0 ? 2.0 : 1.0;
}

double d2d_per_die_mm2(const ChipSpec& chip, const AreaParams& p) {
  return chip.main_memory().bandwidth / kGBs * p.d2d_mm2_per_gbs;
}

// The matrix array: MACs per clock per datatype class in 16-bit MAC
// equivalents; the largest need sizes the array and each further class adds
// format_overhead.
struct MatrixSize {
  double mac_eq = 0;
  std::string widest;
  double formats = 1;
};
MatrixSize size_matrix(const ChipSpec& chip, const AreaParams& p) {
  std::map<std::string, double> by_class;
  for (const auto& [d, peak] : chip.matrix.peak_flops) {
    DtypeArea da = dtype_area(d);
    double& eq = by_class[da.cls];
    eq = std::max(eq, peak / (2 * chip.matrix.clock_hz) * da.rel);  // MAC = 2 FLOP
  }
  MatrixSize m;
  for (const auto& [cls, eq] : by_class)
    if (eq > m.mac_eq * (1 + 1e-3)) m.mac_eq = eq, m.widest = cls;  // ties: first (16-bit) class
  m.formats = 1 + p.format_overhead * static_cast<double>(by_class.size() - 1);
  return m;
}

}  // namespace

double AreaBreakdown::area_of(const std::string& block) const {
  for (const auto& b : blocks)
    if (b.name == block) return b.mm2;
  return 0;
}

AreaBreakdown estimate_area(const ChipSpec& chip, const ProcessNode& node, const AreaParams& p) {
  const std::string who = "chip '" + chip.id + "'";
  if (!(chip.matrix.clock_hz > 0))
    throw UserError(who +
                    " has no matrix clock: the area model needs MACs per clock; "
                    "set matrix.clock in the chip YAML");
  if (chip.matrix.peak_flops.empty())
    throw UserError(who + " lists no matrix peaks; add matrix.peak with at least bf16");
  if (chip.memory.empty()) throw UserError(who + " lists no memory levels");
  const double clock = chip.matrix.clock_hz;
  AreaBreakdown a;
  a.node_id = node.id;
  a.dies = std::max(1, chip.die.dies);
  a.cores = std::max(1, chip.matrix.cores);
  a.spare_cores = static_cast<int>(std::ceil(a.cores * p.spare_fraction - 1e-9));
  a.reticle_mm2 = node.reticle_mm2;

  const MatrixSize ms = size_matrix(chip, p);
  const double matrix = node.logic_area_from_n7(ms.mac_eq * p.mac_mm2 * ms.formats);
  const double lanes = chip.vector.flops / (2 * clock);  // FP32 FMA lanes
  const double vector = node.logic_area_from_n7(lanes * p.vector_lane_mm2);
  const double control = node.logic_area_from_n7(a.cores * p.core_fixed_mm2);

  double core_mib = 0, chip_mib = 0;
  for (const auto& m : chip.memory) {
    if (!on_chip(m)) continue;
    if (m.per_core)
      core_mib += m.capacity * a.cores / kMiB;
    else
      chip_mib += m.capacity / kMiB;
  }
  const double core_sram = core_mib * node.sram_mm2_per_mib;
  const double spare = (matrix + vector + control + core_sram) * a.spare_cores / a.cores;
  const double chip_sram = chip_mib * node.sram_mm2_per_mib;
  a.core_mm2 = matrix + vector + control + core_sram + spare;
  a.chip_sram_mm2 = chip_sram;
  a.sram_mib = (core_mib * (a.cores + a.spare_cores)) / a.cores + chip_mib;
  const double noc = p.noc_fraction * (a.core_mm2 + chip_sram);

  double hbm = 0, dram = 0;
  int stacks = 0;
  for (const auto& m : chip.memory) {
    if (on_chip(m)) continue;
    if (is_hbm(m)) {
      int n = std::max(1, m.stacks);
      stacks += n;
      hbm +=
          n * hbm_width_factor(m) * (p.hbm_phy_mm2 + node.logic_area_from_n7(p.hbm_controller_mm2));
    } else {
      dram += m.bandwidth / kGBs * p.dram_phy_mm2_per_gbs;
    }
  }
  const double link_gbs = chip.links.count * chip.links.bandwidth_per_link / kGBs;
  const double serdes = link_gbs * p.serdes_mm2_per_gbs;
  const double d2d = a.dies > 1 ? a.dies * d2d_per_die_mm2(chip, p) : 0;
  const double io = p.host_io_mm2 + p.misc_io_mm2;

  const double scale = kReferenceLogicDensity / node.logic_density;
  auto add = [&](const char* name, double mm2, std::string basis) {
    a.blocks.push_back({name, mm2, std::move(basis)});
    a.total_mm2 += mm2;
  };
  add("matrix units", matrix,
      fmt::format("{:.1f}k {} MAC-eq/clk x {:g} mm2 x {:.2f} formats x {:.3f} node",
                  ms.mac_eq / 1e3, ms.widest, p.mac_mm2, ms.formats, scale));
  add("vector units", vector,
      fmt::format("{:.0f} FP32 lanes x {:g} mm2 x {:.3f} node", lanes, p.vector_lane_mm2, scale));
  add("core control", control,
      fmt::format("{} cores x {:g} mm2 x {:.3f} node", a.cores, p.core_fixed_mm2, scale));
  add("SRAM (per core)", core_sram,
      fmt::format("{:.1f} MiB x {:g} mm2/MiB", core_mib, node.sram_mm2_per_mib));
  add("spare cores", spare, fmt::format("{} spare of {} cores", a.spare_cores, a.cores));
  add("SRAM (chip)", chip_sram,
      fmt::format("{:.1f} MiB x {:g} mm2/MiB", chip_mib, node.sram_mm2_per_mib));
  add("NoC and control", noc, fmt::format("{:.0f}% of cores + SRAM", p.noc_fraction * 100));
  add("HBM PHY + controller", hbm, fmt::format("{} stacks", stacks));
  add("DRAM PHY", dram, "non-HBM off-chip memory by bandwidth");
  add("SerDes links", serdes, fmt::format("{:.0f} GB/s each direction", link_gbs));
  add("die-to-die links", d2d,
      a.dies > 1
          ? fmt::format("{} dies x {:.0f} GB/s UCIe-A", a.dies, chip.main_memory().bandwidth / kGBs)
          : "single die");
  add("host and misc I/O", io, "PCIe 5.0 x16 + PLL/fuse/JTAG/sensors");
  a.per_die_mm2 = a.total_mm2 / a.dies;
  a.fits_reticle = a.per_die_mm2 <= a.reticle_mm2;
  return a;
}

int chiplets_needed(const AreaBreakdown& area, const ChipSpec& chip, const AreaParams& p) {
  // Splitting a monolithic design into n dies adds a die-to-die PHY to each die.
  const double base = area.total_mm2 - area.area_of("die-to-die links");
  const double d2d = d2d_per_die_mm2(chip, p);
  for (int n = 1; n <= 64; ++n) {
    double per_die = (base + (n > 1 ? n * d2d : 0)) / n;
    if (per_die <= area.reticle_mm2) return n;
  }
  return 64;
}

bool fits_reticle(const AreaBreakdown& area, double declared) {
  if (area.per_die_mm2 <= area.reticle_mm2) return true;
  return declared > 0 && declared <= area.reticle_mm2 &&
         area.per_die_mm2 <= declared * (1 + kAreaModelAccuracy);
}

void check_reticle(const AreaBreakdown& area, const ChipSpec& chip, const ProcessNode& node,
                   const AreaParams& p, double declared) {
  if (fits_reticle(area, declared)) return;
  const int n = chiplets_needed(area, chip, p);
  const double base = area.total_mm2 - area.area_of("die-to-die links");
  const double each = (base + n * d2d_per_die_mm2(chip, p)) / n;
  const std::string vs_declared =
      declared > 0
          ? fmt::format(
                " (the spec declares {:.0f} mm²; the model is {:+.0f}% from that, beyond "
                "its ±{:.0f}% accuracy)",
                declared, (area.per_die_mm2 / declared - 1) * 100, kAreaModelAccuracy * 100)
          : "";
  throw UserError(
      fmt::format("chip '{}': a die of {:.0f} mm²{} exceeds the {:.0f} mm² reticle of {} (26 x 33 "
                  "mm field): split "
                  "it into {} chiplets (die.dies: {}, ~{:.0f} mm² each with UCIe die-to-die "
                  "links), or shrink the "
                  "SRAM or core count",
                  chip.id, area.per_die_mm2, vs_declared, area.reticle_mm2, node.name, n, n, each));
}

}  // namespace cw
