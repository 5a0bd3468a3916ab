// ChipSpec: everything chipwright knows about one accelerator, as read from a
// chip YAML (data/chips/*.yaml, schema in docs/chip-format.md). Values are in
// SI units (bytes, seconds, FLOP/s, bytes/s, hertz, watts, mm²).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "workload/dtype.hpp"

namespace cw {

// The matrix (tensor) engines: `cores` independent cores, each with an equal
// share of the peak. A core is the unit a tile of work is scheduled on
// (SM, CU, TPU TensorCore, NeuronCore, Groq chip).
struct MatrixEngine {
  int cores = 1;
  // Native operand shape one core computes: work is padded up to multiples
  // of it (GPU MMA instruction shape per core; systolic array rows × cols).
  // m = rows of activations streamed, n = output columns, k = reduction depth.
  int granule_m = 1, granule_n = 1, granule_k = 1;
  // Dense peak FLOP/s for the whole chip at `clock_hz`, per dtype the engine
  // supports. A dtype not listed is not supported.
  std::map<Dtype, double> peak_flops;
  double clock_hz = 0;  // the clock the peaks are quoted at
  // Cores that share operand loads: a tile fetched once from the shared cache
  // is delivered to `cluster` cores working on neighbouring output tiles
  // (Hopper thread-block-cluster TMA multicast; Blackwell paired-SM MMA,
  // tcgen05 cta_group::2). 1 = every core loads its own operands.
  int cluster = 1;
  // Where output-tile accumulators live. GPUs hold them in registers (or
  // Blackwell's tensor memory), which bounds tiles to the ~256-per-side
  // tables BLAS libraries ship. Scratchpad chips accumulate in the per-core
  // memory level (a TPU kernel's output block in VMEM, Trainium's PSUM), so a
  // tile may grow while its accumulators fit there beside the operand stages.
  bool accumulate_in_core_memory = false;
};

// Vector/SIMD and special-function units (norms, activations, softmax).
struct VectorEngine {
  double flops = 0;                  // FP32 FLOP/s, whole chip, non-matrix
  double special_function_ops = 0;   // transcendental ops/s (exp, rsqrt), whole chip
};

// Most memory levels a chip may list (registers/scratchpad, caches, main
// memory: real chips use 2 to 4).
inline constexpr int kMaxChipMemoryLevels = 8;

// One level of the memory hierarchy, from nearest the cores (first) to the
// main memory where weights live (last).
struct MemoryLevel {
  std::string name;        // "smem", "l2", "hbm", "sram", ...
  bool per_core = false;   // capacity is per core (SMEM, LDS, VMEM, SBUF)
  double capacity = 0;     // bytes; per core if per_core, else whole chip
  double bandwidth = 0;    // bytes/s, whole chip aggregate (peak)
  std::string type;        // for off-chip levels: "HBM3", "HBM3E", "LPDDR5"; else empty
  int stacks = 0;          // HBM stacks (0 if not HBM)
};

// Chip-to-chip links (NVLink, xGMI, ICI, RoCE ports).
struct LinkSpec {
  std::string type;
  int count = 0;
  double bandwidth_per_link = 0;  // bytes/s, each direction
  double latency = 0;             // seconds, one hop
};

// Measured efficiency constants a real chip needs (DESIGN.md principle 1).
// Each value in a preset carries its source measurement in a comment.
struct Efficiency {
  // Achievable fraction of main-memory peak bandwidth (streaming).
  double memory_bandwidth = 1.0;
  // Sustained clock under dense tensor load, per dtype (power-limited);
  // a dtype not listed runs at MatrixEngine::clock_hz.
  std::map<Dtype, double> tensor_clock_hz;
  // Fixed cost of launching one kernel / dispatching one op.
  double kernel_launch = 0;
};

struct PowerSpec {
  double tdp = 0;   // watts
  double idle = 0;  // watts; 0 = unknown
};

struct DieSpec {
  std::string process;   // "tsmc-n7", "tsmc-4n", "samsung-sf2", ...
  double area_mm2 = 0;   // total logic-die area (0 = not published)
  double transistors = 0;
  int dies = 1;
};

struct ChipSpec {
  std::string id;
  std::string name;
  std::string vendor;
  std::string source_file;
  MatrixEngine matrix;
  VectorEngine vector;
  std::vector<MemoryLevel> memory;  // nearest first; last = main memory
  LinkSpec links;
  Efficiency efficiency;
  PowerSpec power;
  DieSpec die;
  // Market price a buyer pays per chip ($); 0 = not sold (a custom design is
  // costed from its silicon: manufacturing cost plus design cost per unit).
  double price = 0;

  const MemoryLevel& main_memory() const { return memory.back(); }
  // True when weights live in on-chip SRAM (no off-chip memory), e.g. Groq.
  bool weights_in_sram() const { return main_memory().type.empty(); }
  bool supports(Dtype d) const { return matrix.peak_flops.count(d) != 0; }
  // Peak dense FLOP/s for dtype d at the quoted clock (0 if unsupported).
  double peak_flops(Dtype d) const;
  // Dense FLOP/s sustained under tensor load: peak scaled by the
  // power-limited clock (Efficiency::tensor_clock_hz).
  double sustained_flops(Dtype d) const;
  // Achievable main-memory bandwidth (peak × Efficiency::memory_bandwidth).
  double achievable_memory_bandwidth() const;
};

}  // namespace cw
