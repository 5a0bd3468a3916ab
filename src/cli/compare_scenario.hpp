// `compare --scenario offline|server|interactive`: each chip runs an MLPerf
// LoadGen scenario of one benchmark on `count` chips (serving/mlperf_search.hpp
// run_mlperf_fixed) and the results are printed side by side with energy and
// cost. The default scenario, `fixed`, is cmd_compare.cpp's fixed batch.
#pragma once

#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace cw::cli {

struct ScenarioCompareArgs {
  std::string scenario = "fixed";  // fixed, offline, server or interactive
  std::string benchmark = "llama2-70b";
  std::string precision = "fp8";
  std::string tp = "auto";  // a degree, or auto (run_mlperf_fixed's rule)
  int count = 8;            // chips per system: one 8-chip server, as MLPerf submits
};

// True for offline/server/interactive, false for fixed; UserError (exit 2)
// for anything else.
bool is_serving_scenario(const std::string& scenario);

void compare_scenario(const std::vector<std::string>& chips, const ScenarioCompareArgs& a,
                      const OutputOptions& out);

}  // namespace cw::cli
