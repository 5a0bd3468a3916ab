// Presets and silicon as `show --format json`, `silicon --format json` and
// the Python module report them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hardware/chip_spec.hpp"
#include "silicon/silicon_sheet.hpp"
#include "workload/model_spec.hpp"

namespace cw {

// Shape and parameter counts (total and active) of a model.
nlohmann::json model_json(const ModelSpec& m);

// The area, power, yield and cost sheet of a chip, optionally re-targeted to
// another process `node` (empty = its own), with economics overrides such as
// "tco.pue=1.1"; a die over the reticle is reported, not refused.
SiliconSheet silicon_sheet_for(const ChipSpec& chip, const std::string& node,
                               const std::vector<std::string>& overrides);
nlohmann::json silicon_json(const SiliconSheet& s);

}  // namespace cw
