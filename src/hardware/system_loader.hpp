// Reading system YAML (schema: docs/system-format.md) into a SystemSpec, and
// building a chip's standard platform for `--chip ID --count N`.
// Contract: every key is validated (unknown keys with did-you-mean, missing
// keys, units, topology names, counts the platform cannot hold); any problem
// throws cw::UserError naming file:line:col, the key and a fix.
#pragma once

#include <string>
#include <vector>

#include "config/config_node.hpp"
#include "hardware/system_spec.hpp"

namespace cw {

// Loads a system preset id ("hgx-h100x8", from data/systems/) or a path to a YAML file.
SystemSpec load_system(const std::string& id_or_path);

// Converts an already-parsed system document; source_file is doc.file().
SystemSpec parse_system(const ConfigNode& doc);

// Ids of the shipped system presets, sorted.
std::vector<std::string> list_systems();

// The chip's standard platform (the preset with `chip: <chip_id>` and
// `standard: true`) resized to `count` chips: a partition of one scale-up
// domain when count fits in one (4 GB200 of an NVL72 rack), else whole domains
// over the scale-out network (16 H100 = two HGX boards). Throws UserError when
// the chip has no standard system or the platform cannot hold `count`.
SystemSpec standard_system(const std::string& chip_id, int count);

// As above for a chip that may not be a preset (a user's YAML): the standard
// platform of a preset with the same id, with this chip's links swapped in;
// for an unknown id a single switched domain of `count` chips at the chip's
// own link bandwidth (kGenericLinkEfficiency, no scale-out).
SystemSpec standard_system(const ChipSpec& chip, int count);

// Link efficiency assumed for a chip without a system preset: the NCCL ring
// measurement on 8xA100 NVLink3, 231.6 GB/s busbw / 300 GB/s each way
// (chips.md B.1, Azure AI-benchmarking-guide).
inline constexpr double kGenericLinkEfficiency = 0.772;

}  // namespace cw
