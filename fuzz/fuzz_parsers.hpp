// The input parsers chipwright fuzzes, by target name, shared by the libFuzzer
// targets (fuzz/*_fuzz.cpp) and the regression test that replays the inputs
// they found (tests/reliability/fuzz_regression_test.cpp).
// Contract: each function parses `text` as a user's file would be parsed and
// may throw cw::UserError; any other exception, crash or sanitizer report is
// a bug in chipwright.
#pragma once

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "config/config_node.hpp"
#include "config/error.hpp"
#include "dse/design_space.hpp"
#include "hardware/chip_loader.hpp"
#include "hardware/system_loader.hpp"
#include "serving/engine_config.hpp"
#include "serving/mlperf_scenario.hpp"
#include "serving/simulator.hpp"
#include "serving/trace.hpp"
#include "silicon/economics.hpp"
#include "silicon/process_node.hpp"
#include "silicon/yield.hpp"
#include "units/parse.hpp"
#include "validate/calibration_case.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace cw::fuzz {

inline void parse_chip_yaml(const std::string& text) {
  parse_chip(ConfigNode::load_string(text, "fuzz-chip.yaml"));
}

inline void parse_system_yaml(const std::string& text) {
  parse_system(ConfigNode::load_string(text, "fuzz-system.yaml"));
}

inline void parse_hf_config_json(const std::string& text) {
  parse_hf_config(text, "fuzz-config.json");
}

inline void parse_precision_yaml(const std::string& text) {
  parse_precision(text, "fuzz-precision.yaml");
}

inline void parse_calibration_yaml(const std::string& text) {
  parse_calibration_cases(text, "fuzz-cases.yaml");
}

inline void parse_node_yaml(const std::string& text) {
  parse_node(ConfigNode::load_string(text, "fuzz-node.yaml"));
}

// A design space; a parsed one must also enumerate its first designs.
inline void parse_design_space_yaml(const std::string& text) {
  const DesignSpace s = parse_design_space(ConfigNode::load_string(text, "fuzz-space.yaml"));
  for (int64_t i = 0; i < std::min<int64_t>(s.design_count(), 4); ++i) (void)s.assignment(i);
}

inline void parse_economics_yaml(const std::string& text) {
  parse_economics(ConfigNode::load_string(text, "fuzz-economics.yaml"));
}

// The short strings users type as flag values: an economics override
// ("tco.pue=1.1") and the names of policies, scenarios, routers, yield models
// and dtypes. Each is tried on the whole input.
inline void parse_flag_values(const std::string& text) {
  auto attempt = [](auto&& f) {
    try {
      f();
    } catch (const UserError&) {
    }
  };
  attempt([&] {
    Economics e;
    apply_override(e, text);
  });
  attempt([&] { (void)parse_policy(text); });
  attempt([&] { (void)parse_scenario(text); });
  attempt([&] { (void)parse_router(text); });
  attempt([&] { (void)parse_yield_model(text); });
  (void)parse_dtype(text);
}

inline void parse_trace(const std::string& text) {
  std::istringstream in(text);
  parse_trace_csv(in, "fuzz-trace.csv");
}

// parse_quantity never throws: it returns a value or a message. Every kind is
// tried on the same text; a value must be a number (never NaN).
inline void parse_quantities(const std::string& text) {
  for (UnitKind kind :
       {UnitKind::Bytes, UnitKind::Seconds, UnitKind::FlopsPerSecond, UnitKind::BytesPerSecond,
        UnitKind::Hertz, UnitKind::Watts, UnitKind::Joules, UnitKind::Dollars,
        UnitKind::SquareMillimetres, UnitKind::Flops}) {
    auto r = parse_quantity(text, kind);
    if (const double* v = std::get_if<double>(&r); v && std::isnan(*v)) {
      throw InternalError("parse_quantity returned NaN for \"" + text + "\"");
    }
  }
}

// Every accessor of every node of any YAML document: the generic layer all
// YAML parsers share. Accessors may refuse a node (UserError) but not crash.
// `budget` bounds the nodes visited: aliases share nodes, so a small document
// can be an exponentially large tree ("billion laughs") that the parsers,
// which only read the keys they know, never walk.
inline void walk_config(const ConfigNode& n, int depth, int& budget) {
  if (depth > 64 || --budget < 0) return;
  auto attempt = [](auto&& f) {
    try {
      f();
    } catch (const UserError&) {
    }
  };
  (void)n.where();
  if (n.is_map()) {
    for (const std::string& k : n.keys()) {
      (void)n.has(k);
      attempt([&] { walk_config(n.required(k), depth + 1, budget); });
    }
    attempt([&] { n.expect_keys({"id", "name"}); });
    attempt([&] { (void)n.optional("name"); });
  } else if (n.is_sequence()) {
    for (const ConfigNode& item : n.items()) walk_config(item, depth + 1, budget);
  }
  attempt([&] { (void)n.as_string(); });
  attempt([&] { (void)n.as_double(); });
  attempt([&] { (void)n.as_int(); });
  attempt([&] { (void)n.as_bool(); });
  attempt([&] { (void)n.as_quantity(UnitKind::BytesPerSecond); });
  attempt([&] { (void)n.as_double_in(0, 1); });
  attempt([&] { (void)n.required("missing"); });
  attempt([&] { (void)n.items(); });
}

inline void parse_config_yaml(const std::string& text) {
  int budget = 5000;
  walk_config(ConfigNode::load_string(text, "fuzz.yaml"), 0, budget);
}

struct Target {
  const char*
      name;  // fuzz/<name>_fuzz.cpp, fuzz/corpus/<name>/, tests/data/fuzz-regressions/<name>/
  void (*parse)(const std::string&);
};

inline const std::vector<Target>& targets() {
  static const std::vector<Target> t = {
      {"chip_yaml", parse_chip_yaml},          {"system_yaml", parse_system_yaml},
      {"hf_config", parse_hf_config_json},     {"precision", parse_precision_yaml},
      {"calibration", parse_calibration_yaml}, {"trace_csv", parse_trace},
      {"process_node", parse_node_yaml},       {"economics", parse_economics_yaml},
      {"flag_values", parse_flag_values},      {"quantity", parse_quantities},
      {"config_node", parse_config_yaml},      {"design_space", parse_design_space_yaml},
  };
  return t;
}

// Runs one parser; a UserError is a normal outcome.
inline void run_accepting_user_errors(void (*parse)(const std::string&), const std::string& text) {
  try {
    parse(text);
  } catch (const UserError&) {
  }
}

}  // namespace cw::fuzz

// The body of a libFuzzer target for `parse`.
#define CW_FUZZ_TARGET(parse)                                                                    \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {                      \
    cw::fuzz::run_accepting_user_errors(parse,                                                   \
                                        std::string(reinterpret_cast<const char*>(data), size)); \
    return 0;                                                                                    \
  }
