// A semiconductor process node as the silicon model needs it: how dense logic
// and SRAM are, how much energy an op costs relative to TSMC N7, how much it
// leaks, what a wafer costs and how many defects it carries. Read from
// data/nodes/*.yaml (sources and uncertainty are comments in those files;
// the numbers come from ../shared/reference/silicon.md).
// Contract: loaders validate every key and throw cw::UserError naming
// file:line:col and a fix; nothing here asserts or exits on input.
#pragma once

#include <string>
#include <vector>

#include "config/config_node.hpp"

namespace cw {

struct ProcessNode {
  std::string id;    // file stem, e.g. "tsmc-n4"
  std::string name;  // "TSMC N4 family (4N, N4, N4P)"
  std::string foundry;
  std::string source_file;
  std::vector<std::string> aliases;  // other process names that mean this node ("tsmc-4n")
  int year = 0;                      // first high-volume production
  double logic_density = 0;          // effective logic MTr/mm² (CSET/LLMCompass basis, §1.3)
  double sram_mm2_per_mib = 0;       // product-level SRAM incl. periphery, mm² per MiB (§1.4)
  double energy_scale = 1;           // energy per op / on-chip byte relative to TSMC N7 = 1 (§1.1)
  double leakage_w_per_mm2 = 0;      // static power per mm² of logic die at operating temperature
  double wafer_price = 0;            // $ per processed wafer (§1.5)
  double defect_density = 0;         // D0, defects per cm² (§1.6)
  double reticle_mm2 = 858;          // largest die one exposure field allows (§1.7)
  double wafer_diameter_mm = 300;

  // Area of a logic block on this node given its area on TSMC N7 (logic
  // scales with density: §2.6's area factors are density ratios).
  double logic_area_from_n7(double n7_mm2) const;
};

// Logic density of the reference node the block constants are written at
// (TSMC N7, 96.3 MTr/mm², CSET "AI Chips" via LLMCompass, silicon.md §1.3 [M]).
inline constexpr double kReferenceLogicDensity = 96.3;

// Loads a node by id ("tsmc-n4"), alias ("tsmc-4n", "sf2") or YAML path.
// Unknown names throw a UserError with a did-you-mean hint.
ProcessNode load_node(const std::string& id_alias_or_path);

// Converts a parsed node document; `id` defaults to the file stem.
ProcessNode parse_node(const ConfigNode& doc);

// Ids of the shipped nodes (data/nodes/), sorted.
std::vector<std::string> list_nodes();

// The node a chip's `die.process` names, with a UserError that says to pass a
// node override when the process is "unknown" or has no node file.
ProcessNode node_for_process(const std::string& process, const std::string& chip_id);

}  // namespace cw
