// Reads a precision recipe (data/precisions/<id>.yaml, format in
// docs/precision-format.md) into a Precision.
// Contract: unknown keys, unknown dtypes and bad block scales throw UserError
// naming file:line:col, the key and a fix.
#pragma once

#include <string>
#include <vector>

#include "workload/precision.hpp"

namespace cw {

// A preset id ("fp8") or a path to a .yaml recipe.
Precision load_precision(const std::string& id_or_path);

// Parses recipe YAML text; `file_name` names it in messages.
Precision parse_precision(const std::string& yaml_text, const std::string& file_name);

// Preset precision ids, sorted.
std::vector<std::string> list_precisions();

}  // namespace cw
