// Accuracy on kernels chipwright measured itself on a lent H100 SXM and H200
// (tests/data/calibration/device-h{100,200}-2026-11-25.yaml, method in
// docs/measurements/h100-2026-11-25.md). None of these cases set a constant:
// they are an out-of-sample check of the GEMM, attention, decode-attention and
// stream models. Bounds are the errors reached when the files were added, so a
// change that makes the model worse on independent data fails here.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "config/error.hpp"
#include "validate/calibration_case.hpp"
#include "validate/validate.hpp"

namespace cw {
namespace {

struct Errors {
  double mape = 0, worst = 0;
  int n = 0;
};

// Errors of the evaluated cases whose id contains `tag`; every case must be evaluated.
Errors errors_of(const ValidationReport& r, const std::string& tag) {
  Errors e;
  double sum = 0;
  for (const auto& c : r.cases) {
    if (c.id.find(tag) == std::string::npos) continue;
    EXPECT_TRUE(c.predicted.has_value()) << c.id << ": " << c.reason;
    if (!c.predicted) continue;
    sum += std::abs(c.error());
    e.worst = std::max(e.worst, std::abs(c.error()));
    ++e.n;
  }
  if (e.n > 0) e.mape = sum / e.n;
  return e;
}

ValidationReport validate_device_file(const std::string& name) {
  return validate_cases(
      load_calibration_cases(std::string(CHIPWRIGHT_TEST_DIR) + "/data/calibration/" + name)
          .cases);
}

class DeviceH100Accuracy : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    report_ = new ValidationReport(validate_device_file("device-h100-2026-11-25.yaml"));
  }
  static void TearDownTestSuite() { delete report_; }
  static ValidationReport* report_;
};
ValidationReport* DeviceH100Accuracy::report_ = nullptr;

TEST_F(DeviceH100Accuracy, GemmsOfEveryShapeClass) {
  // 19 bf16 (cuBLAS) and 19 fp8 (cuBLASLt) linear layers, m = 1 to 16384.
  Errors e = errors_of(*report_, "-gemm-");
  EXPECT_EQ(e.n, 38);
  EXPECT_LE(e.mape, 0.08);
  EXPECT_LE(e.worst, 0.35);  // 2048^3 bf16 +34% (+2% against a second process's 619 TFLOP/s)
  Errors small = errors_of(*report_, "-gemm-bf16-m1-");
  EXPECT_LE(small.worst, 0.12);  // the weight-streaming GEMV
}

TEST_F(DeviceH100Accuracy, PrefillAttentionOnTheCudnnKernel) {
  Errors e = errors_of(*report_, "-attn-cudnn-");
  EXPECT_EQ(e.n, 6);
  EXPECT_LE(e.mape, 0.11);
  EXPECT_LE(e.worst, 0.21);
}

TEST_F(DeviceH100Accuracy, FlashAttention2IsSlowerThanTheModelledKernel) {
  // The model predicts a Hopper-native kernel (FA3/cuDNN class); FA2 reaches
  // 52-60% of it on every shape. The bound keeps this stated gap honest: if
  // it closed, the model (or the data) changed and the docs must say why.
  Errors e = errors_of(*report_, "-attn-flash-attention-2-");
  EXPECT_EQ(e.n, 6);
  EXPECT_GE(e.mape, 0.60);
  EXPECT_LE(e.mape, 1.00);
}

TEST_F(DeviceH100Accuracy, DecodeAttention) {
  Errors e = errors_of(*report_, "-decattn-");
  EXPECT_EQ(e.n, 10);
  EXPECT_LE(e.mape, 0.15);
  EXPECT_LE(e.worst, 0.45);  // b2 x 2 KV heads at 16k: FA2 pads 8 query rows to 128
}

TEST_F(DeviceH100Accuracy, StreamTriad) {
  Errors e = errors_of(*report_, "-stream-");
  EXPECT_EQ(e.n, 1);
  EXPECT_LE(e.worst, 0.10);
}

// The same 61 kernels on an H200 (same SMs and clocks, HBM3e at 4.3 TB/s).
TEST(DeviceH200Accuracy, EveryKind) {
  const ValidationReport r = validate_device_file("device-h200-2026-11-25.yaml");
  Errors gemm = errors_of(r, "-gemm-");
  EXPECT_EQ(gemm.n, 38);
  EXPECT_LE(gemm.mape, 0.10);
  EXPECT_LE(gemm.worst, 0.40);  // 2048^3 bf16 +38% (power-throttled bf16 clock)
  Errors attn = errors_of(r, "-attn-cudnn-");
  EXPECT_EQ(attn.n, 6);
  EXPECT_LE(attn.mape, 0.12);
  // FlashAttention-2 decode pads each KV head's query rows to its 128-row tile
  // and is tensor-bound: it takes about as long on the H200 as on the H100
  // (839 vs 855 us at b64, 8k context) although the H200 has 43% more HBM
  // bandwidth. The model predicts a bandwidth-bound decode kernel, so it is
  // 30-37% fast here; the bound records the gap.
  Errors decode = errors_of(r, "-decattn-");
  EXPECT_EQ(decode.n, 10);
  EXPECT_GE(decode.mape, 0.15);
  EXPECT_LE(decode.mape, 0.27);
  Errors stream = errors_of(r, "-stream-");
  EXPECT_EQ(stream.n, 1);
  EXPECT_LE(stream.worst, 0.10);
}

// Published FA3 peak forward throughput (tests/data/calibration/
// published-fa3-2026-12-02.yaml): head dimension 256, where K/V per head is a
// third of the L2. -8.2% (fp16) and -11.9% (fp8) when added; -50% before
// the attention model let one wave's units share a head's K/V in the cache.
TEST(PublishedAccuracy, FlashAttention3PeakForward) {
  ValidationReport r = validate_device_file("published-fa3-2026-12-02.yaml");
  Errors e = errors_of(r, "fa3-paper-");
  EXPECT_EQ(e.n, 2);
  EXPECT_LE(e.worst, 0.15);
}

// Published online serving (tests/data/calibration/published-serving-2026-12-03.yaml):
// TensorRT-LLM v0.14 Poisson and all-at-once runs of Llama-3.1-8B and 70B on H100
// and H200, TTFT, ITL and throughput. MAPE 13.4%, worst -19.2% (70B TP4 TTFT at
// QPS 2) when added.
TEST(PublishedAccuracy, OnlineServingTensorRtLlm014) {
  ValidationReport r = validate_device_file("published-serving-2026-12-03.yaml");
  Errors e = errors_of(r, "trtllm0.14-");
  EXPECT_EQ(e.n, 10);
  EXPECT_LE(e.mape, 0.14);
  EXPECT_LE(e.worst, 0.20);
}

// Published NeMo (TRT-LLM backend) end-to-end latency of Llama-2-7B, 128/20 tokens
// (tests/data/calibration/published-nemo-latency-2026-12-03.yaml). MAPE 12.5% when
// added; worst -30.7% (8 x A100 at batch 1: the tensor-parallel step is under-predicted,
// as in the shared set's TP4 latency cases).
TEST(PublishedAccuracy, NemoEndToEndLatency) {
  ValidationReport r = validate_device_file("published-nemo-latency-2026-12-03.yaml");
  Errors e = errors_of(r, "nemo-");
  EXPECT_EQ(e.n, 6);
  EXPECT_LE(e.mape, 0.13);
  EXPECT_LE(e.worst, 0.31);
  Errors one_chip = errors_of(r, "100-llama2-7b-");  // the four single-GPU rows
  EXPECT_EQ(one_chip.n, 4);
  EXPECT_LE(one_chip.worst, 0.15);
}

TEST(PublishedAccuracy, OnlineServingCaseNamesABadMetric) {
  const std::string yaml =
      "- {id: x, kind: online_serving, chip: h100-sxm, model: llama3.1-8b, precision: bf16, "
      "input_tokens: 100, output_tokens: 10, requests: 4, metric: p99_ms, measured: 1}\n";
  try {
    validate_cases(parse_calibration_cases(yaml, "serving.yaml").cases);
    FAIL() << "a p99_ms metric was accepted";
  } catch (const UserError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("serving.yaml:1:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("online_serving reports ttft_ms, itl_ms or tokens_per_s"), std::string::npos)
        << msg;
  }
}

}  // namespace
}  // namespace cw
