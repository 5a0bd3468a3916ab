#include "validate/predict_kernel.hpp"

#include "hardware/chip_loader.hpp"
#include "perf/collective.hpp"
#include "perf/ops.hpp"

namespace cw {
namespace {

Dtype dtype_field(const CalibrationCase& c, const char* key) {
  ConfigNode n = c.node.required(key);
  auto d = parse_dtype(n.as_string());
  if (!d) n.fail("unknown dtype '" + n.as_string() + "'", "valid: " + dtype_list());
  return *d;
}

double bytes_of(Dtype d) { return dtype_bits(d) / 8.0; }

// Bytes per operand element of a gemm case as stored: the dtype's width, and
// for 4-bit formats NVFP4's one 8-bit scale per 16 elements (4.5 bits), the
// format the fp4 precision recipe (data/precisions/fp4.yaml) and Blackwell's
// block-scaled MMA use.
double operand_bytes(Dtype d) {
  const double bits = dtype_bits(d);
  return (bits == 4 ? bits + 8.0 / 16.0 : bits) / 8.0;
}

}  // namespace

// True when the case measured a BLAS library's GEMM routine on its own.
bool bare_blas_benchmark(const CalibrationCase& c) {
  std::string what = c.source;
  if (auto sw = c.node.optional("software")) what += " " + sw->as_string();
  for (const char* lib : {"cuBLASLt", "hipBLASLt", "cublaslt", "hipblaslt"}) {
    if (what.find(lib) != std::string::npos) return true;
  }
  return false;
}

GemmShape gemm_case_shape(const CalibrationCase& c) {
  GemmShape s;
  s.m = positive_field(c, "m");
  s.n = positive_field(c, "n");
  s.k = positive_field(c, "k");
  s.compute = dtype_field(c, "dtype");
  // Schema (tests/data/calibration/README.md): a gemm case times a serving
  // engine's linear layer, and for 8- and 4-bit dtypes that includes
  // quantising the 16-bit activations on the fly (dynamic per-tensor). A case
  // whose measurement is a bare BLAS-library benchmark (its `software` or
  // `source` names cuBLASLt/hipBLASLt) fed operands already in the narrow
  // format, so it runs the GEMM alone. Outputs are 16-bit.
  s.activation_quant = dtype_bits(s.compute) < 16 && !bare_blas_benchmark(c)
                           ? ActivationQuant::dynamic
                           : ActivationQuant::none;
  s.a_bytes = operand_bytes(s.compute);
  s.w_bytes = operand_bytes(s.compute);
  s.c_bytes = 2;
  return s;
}

double predict_gemm_tflops(const CalibrationCase& c) {
  ChipSpec chip = load_chip(c.chip);
  GemmShape s = gemm_case_shape(c);
  Cost cost = gemm_cost(chip, s);
  return 2.0 * s.m * s.n * s.k / cost.time / 1e12;
}

double predict_attention_tflops(const CalibrationCase& c) {
  ChipSpec chip = load_chip(c.chip);
  PrefillAttentionShape a;
  a.batch = positive_field(c, "batch");
  a.heads = positive_field(c, "heads");
  a.kv_heads = positive_field(c, "kv_heads", a.heads);
  a.q_len = a.kv_len = positive_field(c, "seq");
  a.head_dim_qk = a.head_dim_v = positive_field(c, "head_dim");
  a.causal = c.node.required("causal").as_bool();
  a.compute = dtype_field(c, "dtype");
  a.kv_bytes = bytes_of(a.compute);
  Cost cost = prefill_attention_cost(chip, a);
  // Metric: 4·b·h·s²·d / time, halved when causal.
  double flops = 4.0 * a.batch * a.heads * double(a.q_len) * double(a.q_len) * a.head_dim_qk;
  if (a.causal) flops /= 2;
  return flops / cost.time / 1e12;
}

double predict_decode_attention_us(const CalibrationCase& c) {
  ChipSpec chip = load_chip(c.chip);
  DecodeAttentionShape a;
  a.batch = positive_field(c, "batch");
  a.heads = positive_field(c, "heads");
  a.kv_heads = positive_field(c, "kv_heads");
  a.head_dim_qk = a.head_dim_v = positive_field(c, "head_dim");
  a.context = positive_field(c, "context");
  a.compute = dtype_field(c, "dtype");
  a.kv_bytes = bytes_of(dtype_field(c, "kv_dtype"));
  return decode_attention_cost(chip, a).time * 1e6;
}

double predict_memory_stream_tbps(const CalibrationCase& c) {
  ChipSpec chip = load_chip(c.chip);
  // BabelStream's default triad: 2^25 doubles per array, two read and one
  // written (Deakin et al., BabelStream).
  const double bytes = 3.0 * (1 << 25) * 8.0;
  return bytes / memory_stream_cost(chip, bytes).time / 1e12;
}

double predict_allreduce_busbw(const CalibrationCase& c) {
  ChipSpec chip = load_chip(c.chip);
  ConfigNode bn = c.node.required("bytes");
  double bytes = bn.as_double();
  if (bytes <= 0) bn.fail("must be positive");
  double n = static_cast<double>(c.count);
  double t = allreduce_cost(chip, static_cast<int>(c.count), bytes).time;
  // nccl-tests bus bandwidth: 2(n-1)/n · bytes / time.
  return 2.0 * (n - 1.0) / n * bytes / t / 1e9;
}

}  // namespace cw
