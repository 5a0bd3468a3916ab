#include "validate/predict_model.hpp"

#include "engine/fixed_batch.hpp"
#include "engine/parallel_plan.hpp"
#include "hardware/chip_loader.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace cw {

ModelPrediction predict_fixed_batch(const CalibrationCase& c) {
  ModelPrediction out;
  const int tp = static_cast<int>(positive_field(c, "tp", 1));
  const int pp = static_cast<int>(positive_field(c, "pp", 1));
  const int ep = static_cast<int>(positive_field(c, "ep", 1));
  if (c.count % (tp * pp) != 0) {
    c.node.required("count").fail("count " + std::to_string(c.count) +
                                  " is not a multiple of tp x pp = " + std::to_string(tp * pp));
  }
  const int dp = static_cast<int>(positive_field(c, "dp", c.count / (tp * pp)));
  if (tp * pp * dp != c.count) {
    c.node.required("count").fail("count must equal tp x pp x dp");
  }
  ChipSpec chip = load_chip(c.chip);
  ModelSpec model = load_model(c.node.required("model").as_string());
  Precision precision = load_precision(c.node.required("precision").as_string());
  if (auto kv = c.node.optional("kv_precision")) {
    precision.kv_cache = load_precision(kv->as_string()).kv_cache;
  }
  check_plan(ParallelPlan{tp, pp, ep, dp}, model);
  StepModel step(chip, model, precision, StepOptions{tp, pp, ep});
  FixedBatchRequest req;
  req.batch = positive_field(c, "batch", 1);
  req.input = positive_field(c, "input_tokens", 1);
  req.output = positive_field(c, "output_tokens", 1);
  req.replicas = dp;
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
