// libFuzzer target: design_space (see fuzz/fuzz_parsers.hpp). UserError is a normal
// outcome; any other exception, crash or sanitizer report is a finding.
#include <cstddef>
#include <cstdint>

#include "fuzz_parsers.hpp"

CW_FUZZ_TARGET(cw::fuzz::parse_design_space_yaml)
