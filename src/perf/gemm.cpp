// gemm_cost: the mapper's best mapping (perf/gemm_mapping.hpp) plus one kernel
// launch, plus the dynamic activation-quantisation kernels when the shape asks
// for them (ActivationQuant::dynamic).
#include <algorithm>
#include <string>

#include "config/error.hpp"
#include "perf/gemm_mapping.hpp"
#include "perf/ops.hpp"

namespace cw {
namespace {

// Activations reach a dynamically quantised linear layer as bf16 (the serving
// engines' activation dtype).
constexpr double kUnquantisedActivationBytes = 2;
// The scale the amax kernel writes: one fp32.
constexpr double kScaleBytes = 4;
// amax kernel, per element: |x| and a max (2 vector ops).
constexpr double kAmaxFlopsPerElement = 2;
// quantise kernel, per element: scale multiply, clamp, convert (3 vector ops).
constexpr double kQuantiseFlopsPerElement = 3;

void check_shape(const ChipSpec& chip, const GemmShape& s) {
  if (!chip.supports(s.compute)) {
    std::string list;
    for (const auto& [d, peak] : chip.matrix.peak_flops) {
      list += (list.empty() ? "" : ", ") + std::string(dtype_name(d));
    }
    throw UserError("chip " + chip.id + " has no " + std::string(dtype_name(s.compute)) +
                    " matrix support; supported: " + list);
  }
  if (s.m < 1 || s.n < 1 || s.k < 1 || s.batch < 1) {
    throw UserError("GEMM shape m=" + std::to_string(s.m) + " n=" + std::to_string(s.n) +
                    " k=" + std::to_string(s.k) + " batch=" + std::to_string(s.batch) +
                    ": every dimension must be at least 1");
  }
  if (!(s.a_bytes > 0 && s.w_bytes > 0 && s.c_bytes > 0)) {
    throw UserError("GEMM element sizes must be positive (a_bytes, w_bytes, c_bytes)");
  }
  if (chip.memory.empty() || chip.matrix.cores < 1) {
    throw InternalError("chip " + chip.id + " has no memory levels or no cores");
  }
}

// One streaming vector kernel over the m·k·batch activations: reads
// `read_per_element` bytes and writes `write_bytes` in all, bound by
// main-memory bandwidth or the vector units, plus its own launch.
Cost activation_pass(const ChipSpec& chip, const GemmShape& s, double read_per_element,
                     double write_bytes, double flops_per_element) {
  Cost c;
  const double elements = static_cast<double>(s.m) * s.k * s.batch;
  const double bytes = elements * read_per_element + write_bytes;
  const double mem = bytes / chip.achievable_memory_bandwidth();
  const double vec = chip.vector.flops > 0 ? elements * flops_per_element / chip.vector.flops : 0;
  c.memory_time = mem;
  c.compute_time = vec;
  c.overhead_time = chip.efficiency.kernel_launch;
  c.time = std::max(mem, vec) + chip.efficiency.kernel_launch;
  c.flops = 0;  // vector work, not matrix FLOPs
  const int main = static_cast<int>(chip.memory.size()) - 1;
  if (main < kMaxMemoryLevels) c.bytes[main] = bytes;
  c.bound = mem >= vec ? Bound::memory : Bound::vector;
  return c;
}

// Per-tensor dynamic quantisation: the amax reduction (reads every bf16
// activation, writes one fp32 scale) must finish before the quantise kernel
// (reads them again, writes them at a_bytes, block scales included) can
// start, so the two run back to back, each with its own launch.
Cost dynamic_quantise_cost(const ChipSpec& chip, const GemmShape& s) {
  const double elements = static_cast<double>(s.m) * s.k * s.batch;
  Cost amax = activation_pass(chip, s, kUnquantisedActivationBytes, kScaleBytes * s.batch,
                              kAmaxFlopsPerElement);
  Cost quant = activation_pass(chip, s, kUnquantisedActivationBytes, elements * s.a_bytes,
                               kQuantiseFlopsPerElement);
  Cost c;
  c.time = amax.time + quant.time;
  c.memory_time = amax.memory_time + quant.memory_time;
  c.compute_time = amax.compute_time + quant.compute_time;
  c.overhead_time = amax.overhead_time + quant.overhead_time;
  for (int i = 0; i < kMaxMemoryLevels; ++i) c.bytes[i] = amax.bytes[i] + quant.bytes[i];
  return c;
}

Bound dominant(const Cost& c) {
  if (c.overhead_time > c.compute_time && c.overhead_time > c.memory_time) return Bound::overhead;
  return c.compute_time >= c.memory_time ? Bound::compute : Bound::memory;
}

}  // namespace

Cost gemm_cost(const ChipSpec& chip, const GemmShape& shape) {
  check_shape(chip, shape);
  Cost cost = search_gemm_mapping(chip, shape).cost;
  cost.time += chip.efficiency.kernel_launch;
  cost.overhead_time += chip.efficiency.kernel_launch;
  if (shape.activation_quant == ActivationQuant::dynamic) {
    Cost q = dynamic_quantise_cost(chip, shape);
    cost.time += q.time;
    cost.memory_time += q.memory_time;
    cost.overhead_time += q.overhead_time;
    for (int i = 0; i < kMaxMemoryLevels; ++i) cost.bytes[i] += q.bytes[i];
  }
  cost.bound = dominant(cost);
  return cost;
}

// max(2·m·n·k / peak, unique bytes / peak main-memory bandwidth), at the
// quoted clock and peak bandwidth: no efficiency constants, no padding.
double gemm_roofline(const ChipSpec& chip, const GemmShape& shape) {
  check_shape(chip, shape);
  const double b = static_cast<double>(shape.batch);
  const double flops = 2.0 * shape.m * static_cast<double>(shape.n) * shape.k * b;
  const double bytes = b * (static_cast<double>(shape.m) * shape.k * shape.a_bytes +
                            static_cast<double>(shape.n) * shape.k * shape.w_bytes +
                            static_cast<double>(shape.m) * shape.n * shape.c_bytes);
  return std::max(flops / chip.peak_flops(shape.compute), bytes / chip.main_memory().bandwidth);
}

}  // namespace cw
