#include "validate/validate.hpp"

#include <cmath>

#include "validate/predict_kernel.hpp"
#include "validate/predict_model.hpp"
#include "validate/predict_serving.hpp"

namespace cw {

CasePrediction predict_case(const CalibrationCase& c) {
  CasePrediction p;
  p.id = c.id;
  p.kind = c.kind;
  p.chip = c.chip;
  p.metric = c.metric;
  p.measured = c.measured;
  auto expect_metric = [&](const char* m) {
    if (c.metric != m) {
      c.node.required("metric").fail("kind " + c.kind + " reports metric '" + m + "'",
                                     std::string("set metric: ") + m);
    }
  };
  if (c.kind == "gemm") {
    expect_metric("tflops");
    p.predicted = predict_gemm_tflops(c);
  } else if (c.kind == "attention") {
    expect_metric("tflops");
    p.predicted = predict_attention_tflops(c);
  } else if (c.kind == "decode_attention") {
    expect_metric("time_us");
    p.predicted = predict_decode_attention_us(c);
  } else if (c.kind == "memory_stream") {
    expect_metric("tb_per_s");
    p.predicted = predict_memory_stream_tbps(c);
  } else if (c.kind == "allreduce") {
    expect_metric("busbw_gb_per_s");
    p.predicted = predict_allreduce_busbw(c);
  } else if (c.kind == "latency" || c.kind == "batch_throughput") {
    ModelPrediction m = predict_fixed_batch(c);
    p.predicted = m.value;
    p.reason = m.reason;
  } else if (c.kind == "offline_throughput" || c.kind == "mlperf" || c.kind == "online_serving") {
    ServingPrediction s = c.kind == "mlperf"           ? predict_mlperf(c)
                          : c.kind == "online_serving" ? predict_online_serving(c)
                                                       : predict_offline_throughput(c);
    p.predicted = s.prediction.value;
    p.reason = s.prediction.reason;
  } else {
    p.reason = "kind '" + c.kind + "' is not evaluated by chipwright";
  }
  return p;
}

ValidationReport validate_cases(const std::vector<CalibrationCase>& cases) {
  ValidationReport r;
  auto account = [](KindSummary& s, const CasePrediction& p) {
    ++s.cases;
    if (!p.predicted) return;
    double e = p.error();
    s.mape += std::abs(e);  // summed here, divided below
    ++s.evaluated;
    if (s.worst_id.empty() || std::abs(e) > std::abs(s.worst_error)) {
      s.worst_id = p.id;
      s.worst_error = e;
    }
  };
  for (const auto& c : cases) {
    CasePrediction p = predict_case(c);
    account(r.by_kind[p.kind], p);
    account(r.overall, p);
    r.cases.push_back(std::move(p));
  }
  auto finish = [](KindSummary& s) {
    if (s.evaluated > 0) s.mape /= s.evaluated;
  };
  for (auto& [_, s] : r.by_kind) finish(s);
  finish(r.overall);
  return r;
}

}  // namespace cw
