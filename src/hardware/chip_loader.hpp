// Reading chip YAML (schema: docs/chip-format.md) into a ChipSpec.
// Contract: every key is validated (unknown keys, missing keys, units, dtype
// names, sanity ranges); any problem throws cw::UserError naming
// file:line:col, the key and a fix. Nothing here asserts or exits on input.
#pragma once

#include <string>
#include <vector>

#include "config/config_node.hpp"
#include "hardware/chip_spec.hpp"

namespace cw {

// Loads a chip preset id ("h100-sxm", from data/chips/) or a path to a YAML file.
ChipSpec load_chip(const std::string& id_or_path);

// Converts an already-parsed chip document; source_file is doc.file().
ChipSpec parse_chip(const ConfigNode& doc);

// Ids of the shipped chip presets, sorted.
std::vector<std::string> list_chips();

}  // namespace cw
