// Accuracy on kernels chipwright measured itself on a lent H100 SXM
// (tests/data/calibration/device-h100-2026-11-25.yaml, method in
// docs/measurements/h100-2026-11-25.md). None of these cases set a constant:
// they are an out-of-sample check of the GEMM, attention, decode-attention and
// stream models. Bounds are the errors reached when the file was added, so a
// change that makes the model worse on independent data fails here.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

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

class DeviceH100Accuracy : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    report_ = new ValidationReport(validate_cases(
        load_calibration_cases(std::string(CHIPWRIGHT_TEST_DIR) +
                               "/data/calibration/device-h100-2026-11-25.yaml")
            .cases));
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

}  // namespace
}  // namespace cw
