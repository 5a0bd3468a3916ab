// One published measurement from a calibration file (schema:
// tests/data/calibration/README.md): what ran, on what, and what was measured.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config_node.hpp"

namespace cw {

struct CalibrationCase {
  std::string id;
  std::string kind;  // gemm, attention, decode_attention, memory_stream, allreduce,
                     // latency, batch_throughput, offline_throughput, mlperf,
                     // online_serving
  std::string chip;
  int64_t count = 1;
  std::string metric;
  double measured = 0;
  std::string source;
  SourceLocation where;
  ConfigNode node;     // the case's own fields, read by the evaluator of its kind
};

struct CalibrationFile {
  std::vector<CalibrationCase> cases;
  // Problems tolerated with a stated interpretation (file:line: message).
  std::vector<std::string> warnings;
};

// Reads every case; rejects unknown keys (per kind), missing common fields,
// duplicate ids and unknown kinds with file:line messages. One YAML slip is
// tolerated with a warning: an unquoted comma inside a flow-mapping `source`
// splits it into a value-less key, which is folded back into the source.
CalibrationFile load_calibration_cases(const std::string& path);

// As load_calibration_cases, for YAML text; `name` stands in for the file name.
CalibrationFile parse_calibration_cases(const std::string& yaml_text, const std::string& name);

// A case field that must be a whole number >= 1 (a file:line error names it
// otherwise). The second form returns `fallback` when the case leaves it out.
int64_t positive_field(const CalibrationCase& c, const char* key);
int64_t positive_field(const CalibrationCase& c, const char* key, int64_t fallback);

// The keys a case of `kind` may carry besides the common ones; empty if the
// kind is unknown.
const std::vector<std::string>& calibration_kind_keys(const std::string& kind);

}  // namespace cw
