// Pieces shared by the prefill and decode attention models: dtype checks,
// per-core rates under tensor load, tile choice against per-core SRAM, and
// the per-level memory time. Header-only; internal to src/perf.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "config/error.hpp"
#include "hardware/chip_spec.hpp"
#include "perf/cost.hpp"
#include "workload/dtype.hpp"

namespace cw::attn {

inline int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}
inline int64_t round_up(int64_t a, int64_t b) {
  return ceil_div(a, b) * b;
}

// Throws a UserError when the chip's matrix engine cannot run `d`, naming the
// chip and the dtypes it supports.
inline void require_dtype(const ChipSpec& chip, Dtype d, const char* op) {
  if (chip.supports(d)) return;
  std::string list;
  for (const auto& [dt, peak] : chip.matrix.peak_flops) {
    if (!list.empty()) list += ", ";
    list += std::string(dtype_name(dt));
  }
  throw UserError(std::string(op) + ": chip '" + chip.id + "' has no " +
                  std::string(dtype_name(d)) + " matrix support; supported dtypes: " +
                  (list.empty() ? "none" : list) + ". Choose one of those compute dtypes.");
}

inline void require_positive(int64_t v, const char* what, const char* op) {
  if (v <= 0)
    throw UserError(std::string(op) + ": " + what + " must be positive, got " + std::to_string(v));
}

// Head counts and sizes every attention op needs: positive, and query heads
// grouped evenly over KV heads (GQA).
inline void require_heads(int64_t heads, int64_t kv_heads, int64_t d_qk, int64_t d_v,
                          const char* op) {
  require_positive(heads, "heads", op);
  require_positive(kv_heads, "kv_heads", op);
  require_positive(d_qk, "head_dim_qk", op);
  require_positive(d_v, "head_dim_v", op);
  if (heads % kv_heads != 0)
    throw UserError(std::string(op) + ": heads (" + std::to_string(heads) +
                    ") must be a multiple of kv_heads (" + std::to_string(kv_heads) + ")");
}

// Whole-chip throughputs an attention kernel sees while its matrix units run
// in `d`. The vector and special-function units share the SM/core clock with
// the matrix engine, so under tensor load they slow by the same factor as
// sustained_flops / peak_flops (Efficiency::tensor_clock_hz).
struct Rates {
  double matrix = 0;   // FLOP/s, sustained, padded work
  double vector = 0;   // FP32 FLOP/s
  double special = 0;  // exp/s
  double main_bw = 0;  // achievable main-memory bytes/s
  int cores = 1;
};

inline Rates rates_under_tensor_load(const ChipSpec& chip, Dtype d) {
  Rates r;
  r.cores = std::max(1, chip.matrix.cores);
  r.matrix = chip.sustained_flops(d);
  double peak = chip.peak_flops(d);
  double clock = peak > 0 ? r.matrix / peak : 1.0;
  // A preset that omits the vector unit gets it emulated at 1/16 of the matrix
  // rate (no published chip in data/ omits it; this only keeps the model total).
  double vec = chip.vector.flops > 0 ? chip.vector.flops : peak / 16;
  r.vector = vec * clock;
  // No special-function figure: transcendental ops run on the vector ALUs.
  r.special =
      (chip.vector.special_function_ops > 0 ? chip.vector.special_function_ops : vec) * clock;
  r.main_bw = chip.achievable_memory_bandwidth();
  return r;
}

// Capacity of the SRAM a core stages tiles in: the first per-core level, else
// the nearest level's capacity split over the cores.
inline double per_core_sram(const ChipSpec& chip) {
  for (const auto& m : chip.memory)
    if (m.per_core) return m.capacity;
  int cores = std::max(1, chip.matrix.cores);
  return chip.memory.empty() ? 0.0 : chip.memory.front().capacity / cores;
}

// The on-chip level shared by all cores that K/V tiles are re-read from (L2,
// Infinity Cache), or -1 when the chip has none between its cores and main memory.
inline int shared_cache_level(const ChipSpec& chip) {
  for (int i = 0; i + 1 < static_cast<int>(chip.memory.size()); ++i)
    if (!chip.memory[i].per_core) return i;
  return -1;
}

// Time to move bytes[i] through level i, all levels in parallel: the slowest
// level. Main memory runs at its achievable bandwidth, on-chip levels at peak.
inline double memory_time(const ChipSpec& chip, const Cost& c) {
  double t = 0;
  int n = std::min<int>(static_cast<int>(chip.memory.size()), kMaxMemoryLevels);
  for (int i = 0; i < n; ++i) {
    bool main = i + 1 == static_cast<int>(chip.memory.size());
    double bw = main ? chip.achievable_memory_bandwidth() : chip.memory[i].bandwidth;
    if (bw > 0 && c.bytes[i] > 0) t = std::max(t, c.bytes[i] / bw);
  }
  return t;
}

inline int main_level(const ChipSpec& chip) {
  return std::min<int>(static_cast<int>(chip.memory.size()), kMaxMemoryLevels) - 1;
}

// FP32 vector operations per attention score besides the exp (online softmax,
// FlashAttention-2 Algorithm 1): scale+max-subtract (1 FMA), row max (1),
// row sum (1), convert P to the matmul dtype (1), rescale of the O accumulator
// amortised over the KV tile (about 1).
inline constexpr double kSoftmaxVectorOpsPerScore = 5;

}  // namespace cw::attn
