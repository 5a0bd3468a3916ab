// Energy and power: joules per FLOP by datatype, per byte at each memory level
// and per link byte, scaled to the process node; static (leakage) power; the
// energy of a perf Cost; average power of a workload; a TDP check.
// Constants and sources: energy_model.cpp (../shared/reference/silicon.md §2).
// Contract: pure; bad inputs throw cw::UserError.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "hardware/chip_spec.hpp"
#include "perf/cost.hpp"
#include "silicon/process_node.hpp"

namespace cw {

// Energy of one chip on one node. Every value is in joules (per FLOP, per byte).
struct EnergyTable {
  std::string node_id;
  std::map<Dtype, double> flop_j;  // per matrix FLOP, each dtype the chip supports
  double vector_flop_j = 0;        // per FP32 vector FLOP
  std::vector<double>
      level_byte_j;  // per byte moved at each ChipSpec::memory level (nearest first)
  std::vector<std::string> level_kind;  // "SRAM (core)", "SRAM (chip)", "HBM3", ...
  double link_byte_j = 0;               // per byte sent over a chip-to-chip link
  double d2d_byte_j = 0;                // per byte crossing a die-to-die link (multi-die chips)
  double static_w = 0;                  // leakage of the logic die(s), watts
};

// Builds the table for `chip` on `node`; `die_area_mm2` (all dies) sets static power.
EnergyTable energy_table(const ChipSpec& chip, const ProcessNode& node, double die_area_mm2);

// Switching energy of a Cost whose FLOPs ran in `dtype`: FLOPs × E_flop(dtype) +
// Σ bytes_level × E_level + link_bytes × E_link (no static power).
// Throws when the chip has no energy for `dtype` (it does not support it).
double dynamic_energy_of(const Cost& cost, Dtype dtype, const EnergyTable& table);

// Energy of a Cost run alone on the chip: dynamic_energy_of + static power × time.
double energy_of(const Cost& cost, Dtype dtype, const EnergyTable& table);

// Average power of a workload: energy / time (0 for a zero-time cost).
double average_power(const Cost& cost, Dtype dtype, const EnergyTable& table);

// Power at the chip's two sustained operating points, compared with its TDP:
// compute-bound (the matrix engine at its sustained, power-limited FLOP/s in
// its most power-hungry dtype) and memory-bound (main memory at its achievable
// bandwidth), whichever is higher, plus all links busy and static power. A
// chip over its TDP here would have to throttle below its sustained clocks.
struct TdpCheck {
  double tdp_w = 0;
  double compute_w = 0;  // max over dtypes of sustained FLOP/s × E_flop
  double memory_w = 0;   // achievable main-memory bandwidth × E_main (DRAM + on-die path)
  double link_w = 0;     // every link busy in both directions
  double static_w = 0;
  double estimated_max_w = 0;  // static + max(compute, memory) + links
  bool within_tdp = true;      // estimated_max_w <= tdp_w (true when TDP is unknown)
  // Held to its TDP, the share of the sustained rate each regime keeps (1 when
  // it fits): (TDP − static − links) / regime power. Power scales ~linearly
  // with clock at a fixed voltage, so this is the clock a power-limited chip
  // would settle at, relative to the one its sustained rates assume.
  double compute_fraction = 1, memory_fraction = 1;
  std::string message;  // one line for the sheet
};
TdpCheck check_tdp(const ChipSpec& chip, const EnergyTable& table);

}  // namespace cw
