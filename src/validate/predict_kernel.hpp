// Predictions for the kernel-level calibration kinds (gemm, attention,
// decode_attention, memory_stream, allreduce), in each kind's metric.
#pragma once

#include "perf/ops.hpp"
#include "validate/calibration_case.hpp"

namespace cw {

// The GemmShape a `gemm` case describes (operand widths, activation
// quantisation), the single rule predict_gemm_tflops and the tests use.
GemmShape gemm_case_shape(const CalibrationCase& c);

double predict_gemm_tflops(const CalibrationCase& c);
double predict_attention_tflops(const CalibrationCase& c);
double predict_decode_attention_us(const CalibrationCase& c);
double predict_memory_stream_tbps(const CalibrationCase& c);
double predict_allreduce_busbw(const CalibrationCase& c);

}  // namespace cw
