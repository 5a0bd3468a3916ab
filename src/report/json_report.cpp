#include "report/json_report.hpp"

namespace cw {

nlohmann::json to_json(const Cost& c, const ChipSpec& chip) {
  nlohmann::json bytes = nlohmann::json::object();
  for (size_t i = 0; i < chip.memory.size() && i < kMaxMemoryLevels; ++i) {
    bytes[chip.memory[i].name] = c.bytes[i];
  }
  return {{"time_s", c.time},         {"compute_s", c.compute_time},
          {"memory_s", c.memory_time}, {"overhead_s", c.overhead_time},
          {"flops", c.flops},         {"bytes", bytes},
          {"bound", bound_name(c.bound)}};
}

nlohmann::json to_json(const StepResult& s, const ChipSpec& chip) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& lc : s.layers) {
    nlohmann::json ops = nlohmann::json::array();
    for (const auto& op : lc.ops) {
      nlohmann::json o = to_json(op.cost, chip);
      o["name"] = op.name;
      ops.push_back(o);
    }
    layers.push_back({{"name", lc.name}, {"count", lc.count},
                      {"per_layer", to_json(lc.per_layer, chip)}, {"ops", ops}});
  }
  return {{"total", to_json(s.total, chip)}, {"layers", layers}};
}

nlohmann::json to_json(const FixedBatchResult& r, const ChipSpec& chip) {
  return {{"ttft_s", r.ttft},
          {"tpot_s", r.tpot},
          {"e2e_s", r.e2e},
          {"output_tokens_per_s", r.output_tokens_per_s},
          {"prefill_steps", r.prefill_steps},
          {"decode_steps", r.decode_steps},
          {"prefill_step", to_json(r.prefill, chip)},
          {"decode_step", to_json(r.decode, chip)}};
}

nlohmann::json to_json(const MemoryBudget& b) {
  return {{"capacity_bytes", b.capacity}, {"weights_bytes", b.weights},
          {"kv_cache_bytes", b.kv_cache}, {"activations_bytes", b.activations},
          {"fits", b.fits()}};
}

nlohmann::json to_json(const ValidationReport& r) {
  nlohmann::json cases = nlohmann::json::array();
  for (const auto& c : r.cases) {
    nlohmann::json j = {{"id", c.id}, {"kind", c.kind}, {"chip", c.chip},
                        {"metric", c.metric}, {"measured", c.measured}};
    if (c.predicted) {
      j["predicted"] = *c.predicted;
      j["error"] = c.error();
    } else {
      j["predicted"] = nullptr;
      j["error"] = nullptr;
      j["reason"] = c.reason;
    }
    cases.push_back(j);
  }
  auto summary = [](const KindSummary& s) {
    return nlohmann::json{{"cases", s.cases},
                          {"evaluated", s.evaluated},
                          {"not_evaluated", s.cases - s.evaluated},
                          {"mape", s.mape},
                          {"worst", {{"id", s.worst_id}, {"error", s.worst_error}}}};
  };
  nlohmann::json by_kind = nlohmann::json::object();
  for (const auto& [k, s] : r.by_kind) by_kind[k] = summary(s);
  nlohmann::json sum = summary(r.overall);
  sum["by_kind"] = by_kind;
  return {{"cases", cases}, {"summary", sum}};
}

nlohmann::json to_json(const ChipSpec& chip) {
  nlohmann::json peak = nlohmann::json::object();
  for (const auto& [d, f] : chip.matrix.peak_flops) peak[std::string(dtype_name(d))] = f;
  nlohmann::json sustained = nlohmann::json::object();
  for (const auto& [d, f] : chip.matrix.peak_flops) {
    sustained[std::string(dtype_name(d))] = chip.sustained_flops(d);
  }
  nlohmann::json memory = nlohmann::json::array();
  for (const auto& m : chip.memory) {
    memory.push_back({{"name", m.name}, {"per_core", m.per_core}, {"capacity_bytes", m.capacity},
                      {"bandwidth_bytes_per_s", m.bandwidth}, {"type", m.type},
                      {"stacks", m.stacks}});
  }
  return {{"id", chip.id},
          {"name", chip.name},
          {"vendor", chip.vendor},
          {"source_file", chip.source_file},
          {"cores", chip.matrix.cores},
          {"clock_hz", chip.matrix.clock_hz},
          {"peak_flops", peak},
          {"sustained_flops", sustained},
          {"vector_flops", chip.vector.flops},
          {"memory", memory},
          {"achievable_memory_bandwidth", chip.achievable_memory_bandwidth()},
          {"links", {{"type", chip.links.type}, {"count", chip.links.count},
                     {"bandwidth_per_link", chip.links.bandwidth_per_link},
                     {"latency_s", chip.links.latency}}},
          {"kernel_launch_s", chip.efficiency.kernel_launch},
          {"tdp_w", chip.power.tdp},
          {"die", {{"process", chip.die.process}, {"area_mm2", chip.die.area_mm2},
                   {"transistors", chip.die.transistors}, {"dies", chip.die.dies}}}};
}

}  // namespace cw
