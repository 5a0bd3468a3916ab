// JSON views of results, for `--format json`. Only .cpp files include this
// header (nlohmann/json is heavy to compile).
#pragma once

#include <nlohmann/json.hpp>

#include "engine/fixed_batch.hpp"
#include "engine/memory_fit.hpp"
#include "hardware/chip_spec.hpp"
#include "perf/cost.hpp"
#include "validate/validate.hpp"

namespace cw {

nlohmann::json to_json(const Cost& cost, const ChipSpec& chip);
nlohmann::json to_json(const StepResult& step, const ChipSpec& chip);
nlohmann::json to_json(const FixedBatchResult& r, const ChipSpec& chip);
nlohmann::json to_json(const MemoryBudget& b);
nlohmann::json to_json(const ValidationReport& r);
nlohmann::json to_json(const ChipSpec& chip);

}  // namespace cw
