// Range-checked reads of config values shared by the loaders; each throws a
// UserError at the value's file:line:col with `fix` as the hint. Also the
// same check on a request argument given in code (the command-level API and
// the Python module), which has no file to name.
#pragma once

#include <cstdint>
#include <string>

#include "config/config_node.hpp"

namespace cw {

// A whole number in [lo, hi].
int count_in(const ConfigNode& n, int64_t lo, int64_t hi, const std::string& fix);

// A fraction in (0, 1].
double fraction(const ConfigNode& n, const std::string& fix);

// A whole-number argument that must be at least 1: "m must be at least 1, got -4".
void require_at_least_one(int64_t value, const char* name);

}  // namespace cw
