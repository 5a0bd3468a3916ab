#include "validate/predict_model.hpp"

#include "engine/fixed_batch.hpp"
#include "hardware/chip_loader.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace cw {
namespace {

int64_t field(const CalibrationCase& c, const char* key, int64_t fallback) {
  auto n = c.node.optional(key);
  if (!n) return fallback;
  int64_t v = n->as_int();
  if (v < 1) n->fail("must be a positive whole number");
  return v;
}

}  // namespace

ModelPrediction predict_fixed_batch(const CalibrationCase& c) {
  ModelPrediction out;
  const int64_t tp = field(c, "tp", 1), pp = field(c, "pp", 1), ep = field(c, "ep", 1),
                dp = field(c, "dp", 1);
  if (pp > 1 || ep > 1 || dp > 1) {
    out.reason = "pipeline, expert and data parallelism arrive with multi-chip deployments";
    return out;
  }
  if (tp != c.count) {
    out.reason = "count " + std::to_string(c.count) + " differs from tp " + std::to_string(tp);
    return out;
  }
  ChipSpec chip = load_chip(c.chip);
  ModelSpec model = load_model(c.node.required("model").as_string());
  Precision precision = load_precision(c.node.required("precision").as_string());
  if (auto kv = c.node.optional("kv_precision")) {
    precision.kv_cache = load_precision(kv->as_string()).kv_cache;
  }
  StepModel step(chip, model, precision, StepOptions{static_cast<int>(tp)});
  FixedBatchRequest req;
  req.batch = field(c, "batch", 1);
  req.input = field(c, "input_tokens", 1);
  req.output = field(c, "output_tokens", 1);
  FixedBatchResult r = run_fixed_batch(step, req);
  if (c.kind == "batch_throughput") {
    if (c.metric != "tokens_per_s_per_chip") {
      c.node.required("metric").fail("batch_throughput reports tokens_per_s_per_chip");
    }
    out.value = r.output_tokens_per_s / static_cast<double>(c.count);
  } else if (c.metric == "ttft_ms") {
    out.value = r.ttft * 1e3;
  } else if (c.metric == "tpot_ms") {
    out.value = r.tpot * 1e3;
  } else if (c.metric == "e2e_ms") {
    out.value = r.e2e * 1e3;
  } else {
    c.node.required("metric").fail("latency metric must be ttft_ms, tpot_ms or e2e_ms");
  }
  return out;
}

}  // namespace cw
