#include "validate/calibration_case.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "config/did_you_mean.hpp"

namespace cw {
namespace {

const std::vector<std::string> kCommon = {"id", "kind", "chip", "count", "metric",
                                          "measured", "source", "software"};
const std::vector<std::string> kModelKeys = {"model", "precision", "kv_precision", "tp", "pp",
                                             "ep", "dp", "batch", "input_tokens",
                                             "output_tokens"};

const std::map<std::string, std::vector<std::string>>& kind_table() {
  static const std::map<std::string, std::vector<std::string>> t = {
      {"gemm", {"m", "n", "k", "dtype"}},
      {"attention", {"batch", "heads", "kv_heads", "seq", "head_dim", "causal", "dtype"}},
      {"decode_attention",
       {"batch", "heads", "kv_heads", "head_dim", "context", "dtype", "kv_dtype"}},
      {"memory_stream", {}},
      {"allreduce", {"bytes"}},
      {"latency", kModelKeys},
      {"batch_throughput", kModelKeys},
      {"offline_throughput", kModelKeys},
      {"mlperf", {"benchmark", "scenario", "precision"}},
      {"online_serving",
       {"model", "precision", "kv_precision", "tp", "input_tokens", "output_tokens", "requests",
        "rate", "max_batch", "max_tokens"}},
  };
  return t;
}

}  // namespace

const std::vector<std::string>& calibration_kind_keys(const std::string& kind) {
  static const std::vector<std::string> none;
  auto it = kind_table().find(kind);
  return it == kind_table().end() ? none : it->second;
}

namespace {

CalibrationFile read_calibration_cases(const ConfigNode& doc) {
  CalibrationFile file;
  if (doc.is_null()) return file;
  std::vector<CalibrationCase>& cases = file.cases;
  std::set<std::string> ids;
  std::vector<std::string> kinds;
  for (const auto& [k, _] : kind_table()) kinds.push_back(k);
  for (const ConfigNode& n : doc.items()) {
    CalibrationCase c;
    c.where = n.where();
    c.id = n.required("id").as_string();
    ConfigNode kind = n.required("kind");
    c.kind = kind.as_string();
    if (!kind_table().count(c.kind)) {
      kind.fail("unknown case kind '" + c.kind + "'", suggestion(c.kind, kinds));
    }
    std::vector<std::string> allowed = kCommon;
    for (const auto& k : calibration_kind_keys(c.kind)) allowed.push_back(k);
    std::string split_source;
    for (const auto& key : n.keys()) {
      bool known = std::find(allowed.begin(), allowed.end(), key) != allowed.end();
      if (known || !n.has("source") || !n.required(key).is_null()) continue;
      split_source += ", " + key;
      allowed.push_back(key);
      file.warnings.push_back(n.required(key).where().to_string() + ": warning: key '" + key +
                              "' has no value; read as the end of an unquoted 'source' split at "
                              "a comma (quote the source string)");
    }
    n.expect_keys(allowed);
    if (!ids.insert(c.id).second) n.required("id").fail("duplicate case id '" + c.id + "'");
    c.chip = n.required("chip").as_string();
    if (auto cnt = n.optional("count")) {
      c.count = cnt->as_int();
      if (c.count < 1) cnt->fail("count must be at least 1");
    }
    c.metric = n.required("metric").as_string();
    c.measured = n.required("measured").as_double();
    if (c.measured <= 0) n.required("measured").fail("measured value must be positive");
    if (auto s = n.optional("source")) c.source = s->as_string() + split_source;
    c.node = n;
    cases.push_back(std::move(c));
  }
  return file;
}

}  // namespace

CalibrationFile load_calibration_cases(const std::string& path) {
  return read_calibration_cases(ConfigNode::load_file(path));
}

CalibrationFile parse_calibration_cases(const std::string& yaml_text, const std::string& name) {
  return read_calibration_cases(ConfigNode::load_string(yaml_text, name));
}

int64_t positive_field(const CalibrationCase& c, const char* key) {
  ConfigNode n = c.node.required(key);
  int64_t v = n.as_int();
  if (v < 1) n.fail("must be a positive whole number");
  return v;
}

int64_t positive_field(const CalibrationCase& c, const char* key, int64_t fallback) {
  return c.node.has(key) ? positive_field(c, key) : fallback;
}

}  // namespace cw
