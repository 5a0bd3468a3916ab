// Reads a Hugging Face config.json into a ModelSpec. Presets live in
// data/models/<id>.json (written from reference/mlperf.md §4). Keys the model
// does not need, and keys starting with '_' (provenance notes), are ignored:
// HF configs carry many that do not affect shapes.
// Contract: every bad input throws UserError naming file, line, key and a fix.
#pragma once

#include <string>
#include <vector>

#include "workload/model_spec.hpp"

namespace cw {

// A preset id ("llama3.1-8b") or a path to a config.json.
ModelSpec load_model(const std::string& id_or_path);

// Parses config.json text; `file_name` names the file in messages and gives
// the spec's id (its stem).
ModelSpec parse_hf_config(const std::string& json_text, const std::string& file_name);

// Preset model ids, sorted.
std::vector<std::string> list_models();

// The HF "architectures" values parse_hf_config understands.
std::vector<std::string> supported_architectures();

}  // namespace cw
