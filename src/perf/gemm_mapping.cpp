#include "perf/gemm_mapping.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "config/error.hpp"

namespace cw {
namespace {

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}
int64_t round_up(int64_t a, int64_t b) {
  return ceil_div(a, b) * b;
}

// Largest tile side whose accumulators the mapper keeps outside the per-core
// level (GPU register files / tensor memory). GPU BLAS libraries ship output
// tiles up to 256 per side (CUTLASS, cuBLASLt, hipBLASLt tile tables);
// systolic arrays tile in multiples of the array, up to 4 arrays per side.
int64_t register_tile_side(int granule) {
  return std::max<int64_t>(256, 4 * int64_t{granule});
}

// On chips that accumulate in the per-core level (MatrixEngine::
// accumulate_in_core_memory: a TPU kernel's output block lives in VMEM,
// Pallas TPU docs; Trainium accumulates in on-core PSUM), larger output
// tiles keep their fp32 accumulators there beside the double-buffered
// operand stages, and are candidates while both fit: the set still grows
// with capacity.
bool tile_fits(const MatrixEngine& mx, const GemmShape& shape, int64_t mt, int64_t nt, int64_t kt,
               double cap) {
  const double stages = 2.0 * (mt * shape.a_bytes + nt * shape.w_bytes) * kt;
  if (mt <= register_tile_side(mx.granule_m) && nt <= register_tile_side(mx.granule_n))
    return stages <= cap;
  return mx.accumulate_in_core_memory &&
         stages + 4.0 * static_cast<double>(mt) * static_cast<double>(nt) <= cap;
}

// A k-step loads at most one 128-byte line per operand row: the DRAM/cache
// transaction size, and the deepest stage GPU kernels use (CUTLASS: K=64 for
// 16-bit, K=128 for 8-bit operands). Deeper steps only add pipeline fill.
constexpr double kStepRowBytes = 128;

// Split-K partial sums are kept in fp32 (the accumulator type).
constexpr double kPartialBytes = 4;

// Split-K is tried up to this many parts (cuBLASLt heuristics stop near here).
constexpr int64_t kMaxSplitK = 64;
// Beyond this many waves of whole tiles the partial last wave costs at most
// 1/(waves) of the run, and stream-K's search cost (4 candidates per tile
// shape and k-step) is not worth it [heuristic, bounded: <= 25% on such shapes].
constexpr int64_t kMaxStreamKWaves = 4;

// The memory levels GEMM traffic crosses. `core` holds the operand tiles;
// `path` lists the shared levels from the cores outward, ending at main
// memory. The first entry of `path` is the one the per-core ports feed from.
// Fixed-size arrays: the mapper evaluates thousands of candidates per shape.
struct Path {
  int core = 0;
  size_t size = 0;
  std::array<int, kMaxChipMemoryLevels> path{};
  int front() const { return path[0]; }
};

Path memory_path(const ChipSpec& chip) {
  Path p;
  const int main = static_cast<int>(chip.memory.size()) - 1;
  if (main >= kMaxChipMemoryLevels)
    throw InternalError("a chip with more memory levels than the loader allows");
  for (int i = 0; i <= main; ++i) {
    if (chip.memory[i].per_core) {
      p.core = i;
      break;
    }
  }
  for (int i = p.core; i <= main; ++i) {
    if (i == main || !chip.memory[i].per_core) p.path[p.size++] = i;
  }
  return p;
}

// Bandwidth of a level; main memory at its achievable fraction (never above peak).
double level_bandwidth(const ChipSpec& chip, int i) {
  const auto& lv = chip.memory[i];
  if (i + 1 == static_cast<int>(chip.memory.size())) {
    return std::min(lv.bandwidth, chip.achievable_memory_bandwidth());
  }
  return lv.bandwidth;
}

// Capacity one core may use at a level (shared capacity split evenly).
double per_core_capacity(const ChipSpec& chip, int i) {
  const auto& lv = chip.memory[i];
  return lv.per_core ? lv.capacity : lv.capacity / chip.matrix.cores;
}

// Bytes of A and W (one batch item) that a cache of capacity `cap` passes
// inward. Both fit: each read once. Otherwise a swizzled raster keeps a group
// of G tile-rows of A resident (half the cache) while W streams past, so W is
// re-read once per group (or the transpose: W columns resident, A re-read);
// G = 1 is the plain "re-read per tile row/column" case. Never more than the
// per-tile stream itself.
double reuse_traffic(double a1, double w1, double a_stripe, double w_stripe, int64_t tiles_m,
                     int64_t tiles_n, double cap) {
  double stream = a1 * tiles_n + w1 * tiles_m;
  if (a1 + w1 <= cap) return std::min(stream, a1 + w1);
  auto group = [cap](double stripe, int64_t tiles) {
    double g = std::floor(cap / 2 / stripe);
    return std::clamp<int64_t>(static_cast<int64_t>(std::min(g, 1e15)), 1, tiles);
  };
  double keep_a = a1 + w1 * ceil_div(tiles_m, group(a_stripe, tiles_m));
  double keep_w = w1 + a1 * ceil_div(tiles_n, group(w_stripe, tiles_n));
  return std::min({stream, keep_a, keep_w});
}

GemmMappingResult evaluate_on_path(const ChipSpec& chip, const Path& p, const GemmShape& shape,
                                   const GemmMapping& mp) {
  GemmMappingResult r;
  r.mapping = mp;
  const double a = shape.a_bytes, w = shape.w_bytes, c = shape.c_bytes;

  // Double-buffered operand tiles must fit the per-core level: one k-step
  // being computed while the next loads (and a large tile's accumulators).
  if (!tile_fits(chip.matrix, shape, mp.mt, mp.nt, mp.kt, per_core_capacity(chip, p.core)))
    return r;
  r.valid = true;

  const int64_t m = shape.m, n = shape.n, k = shape.k, b = shape.batch, s = mp.split_k;
  const int64_t cores = chip.matrix.cores;
  const int64_t tiles_m = ceil_div(m, mp.mt), tiles_n = ceil_div(n, mp.nt);
  const int64_t ks = ceil_div(k, s);  // reduction depth of one split
  r.tiles = tiles_m * tiles_n * s * b;
  r.waves = mp.stream_k > 0 ? 1 : ceil_div(r.tiles, cores);

  // Per-tile compute: the tile padded to the matrix granule (a tile never
  // computes more rows than m rounded up to the granule), at the sustained
  // clock; each core owns 1/cores of the chip's FLOP/s. Clamped at the quoted
  // peak so a preset can never make a GEMM beat its roofline.
  const auto& mx = chip.matrix;
  const double mt_pad = static_cast<double>(std::min(mp.mt, round_up(m, mx.granule_m)));
  const double nt_pad = static_cast<double>(std::min(mp.nt, round_up(n, mx.granule_n)));
  const double ks_pad = static_cast<double>(round_up(ks, mx.granule_k));
  const double core_flops =
      std::min(chip.sustained_flops(shape.compute), chip.peak_flops(shape.compute)) / cores;
  double t_tile = 2 * mt_pad * nt_pad * ks_pad / core_flops;
  // Stream-K (Osama et al., PPoPP 2023; CUTLASS sm90 StreamK tile scheduler):
  // the k-iterations of all tiles are dealt out evenly, so every core runs
  // ceil(tiles · iterations / cores) of them in one pass and none idles in a
  // partial last wave. A tile split between cores is completed by a fixup:
  // one fp32 partial tile per core written and read back. A kernel may deal
  // them to fewer cores than the chip has (fewer fixups).
  int64_t sk_cores = 0;
  if (mp.stream_k > 0) {
    sk_cores = std::min({mp.stream_k, cores, r.tiles * ceil_div(ks, mp.kt)});
    const double t_iter = 2 * mt_pad * nt_pad * round_up(mp.kt, mx.granule_k) / core_flops;
    t_tile = static_cast<double>(ceil_div(r.tiles * ceil_div(ks, mp.kt), sk_cores)) * t_iter;
  }

  // Bytes per level for one batch item. Into the cores (first shared level):
  // every tile reads its A rows and W columns over its k range, i.e. A once
  // per tile column and W once per tile row, and writes its output (C, or
  // fp32 partials under split-K). Outer levels see what the inner cache misses.
  //
  // Operand sharing (MatrixEngine::cluster = c): c cores take c neighbouring
  // tiles of one tile column (consecutive along m) and the shared level sends
  // their common W tile once to all of them, so W leaves it once per group of
  // c tile rows: ceil(tiles_m / c) times instead of tiles_m. W is the shared
  // operand because that is how the kernels pair cores: CUTLASS sm90 GEMMs
  // default to a 2x1x1 cluster (two CTAs adjacent in M) whose B tile — our
  // W — is TMA-multicast; Blackwell's cta_group::2 MMA splits M = 256 over
  // two SMs, each loading its own A rows and half of the common B tile. A
  // small-m GEMM (one tile row) gains nothing, as on the hardware. Each core
  // still receives its full operand stream (the per-core fill below), and
  // main memory sees only the cache's misses, which sharing does not change.
  const int64_t w_loads = ceil_div(tiles_m, std::max(1, chip.matrix.cluster));
  const double a1 = m * static_cast<double>(k) * a, w1 = n * static_cast<double>(k) * w;
  const double c1 = m * static_cast<double>(n) * c;
  const double partials = s > 1 ? s * m * static_cast<double>(n) * kPartialBytes : 0;
  const double out1 = s > 1 ? partials : c1;
  const size_t nl = p.size;
  using Levels = std::array<double, kMaxChipMemoryLevels>;
  Levels loop_bytes{}, reduce_bytes{}, bw{};
  for (size_t j = 0; j < nl; ++j) {
    bw[j] = level_bandwidth(chip, p.path[j]);
    if (j == 0) {
      loop_bytes[j] = b * (a1 * tiles_n + w1 * w_loads + out1);
      reduce_bytes[j] = s > 1 ? b * (partials + c1) : 0;
      continue;
    }
    const double cap = chip.memory[p.path[j - 1]].capacity;
    const bool partials_cached = b * partials <= cap;
    double ops = reuse_traffic(a1, w1, mp.mt * static_cast<double>(k) * a,
                               mp.nt * static_cast<double>(k) * w, tiles_m, tiles_n, cap);
    loop_bytes[j] = b * (ops + (partials_cached ? (s > 1 ? 0 : c1) : out1));
    reduce_bytes[j] = s > 1 ? b * (partials_cached ? c1 : partials + c1) : 0;
  }
  // The per-core level is filled with the operand stream (when it is not
  // itself the first shared level, as on chips whose only SRAM is shared).
  const bool core_separate = p.front() != p.core;
  const double core_bytes = b * (a1 * tiles_n + w1 * tiles_m);
  const double core_bw = chip.memory[p.core].bandwidth;
  // One core's port: its share of the per-core level's fill bandwidth.
  const double port = (core_separate ? core_bw : bw[0]) / cores;

  // Wave timing. A wave of `active` tiles takes the longest of: one tile's
  // compute, and each level's share of the traffic (spread evenly over
  // tiles) at the bandwidth the wave can draw from it: min(level bandwidth,
  // active cores x per-core port). A core ingests no faster than its own
  // memory level can be filled (per-core level bandwidth / cores), so a wave
  // using few cores cannot pull the whole chip's bandwidth. The last partial
  // wave still costs a full tile's compute time.
  // `share` is the part of all tiles' traffic one wave carries.
  Levels level_time{}, tl{};
  double core_time = 0, loop_time = 0;
  auto run_waves = [&](int64_t count, int64_t active, double share) {
    if (count == 0 || active == 0) return;
    double t = t_tile;
    const double ports = port * active;
    for (size_t j = 0; j < nl; ++j) {
      tl[j] = loop_bytes[j] * share / std::min(bw[j], ports);
      t = std::max(t, tl[j]);
    }
    double tc = core_separate ? core_bytes * share / (core_bw * active / cores) : 0;
    t = std::max(t, tc);
    for (size_t j = 0; j < nl; ++j) level_time[j] += count * tl[j];
    core_time += count * tc;
    loop_time += count * t;
  };
  if (sk_cores > 0) {
    run_waves(1, sk_cores, 1.0);  // one pass over the stream-K cores carries all the traffic
  } else {
    const double tiles = static_cast<double>(r.tiles);
    run_waves(r.tiles / cores, cores, cores / tiles);
    run_waves(r.tiles % cores ? 1 : 0, r.tiles % cores, (r.tiles % cores) / tiles);
  }

  // Pipeline fill and drain, not overlapped: the first k-step's operands
  // (prologue) and the last tile's output write (epilogue), each through one
  // core's port.
  const double rows = static_cast<double>(std::min(mp.mt, m));
  const double cols = static_cast<double>(std::min(mp.nt, n));
  const double fill =
      (rows * a + cols * w) * mp.kt / port + rows * cols * (s > 1 ? kPartialBytes : c) / port;

  // Split-K reduction (in-kernel, as CUTLASS/cuBLASLt serial split-K): the
  // partials are read back and C written, all cores streaming.
  if (sk_cores > 0) {
    const double fixup = 2.0 * std::min(sk_cores, r.tiles) * mp.mt * mp.nt * kPartialBytes;
    reduce_bytes[0] += fixup;
  }
  double reduce_time = 0;
  for (size_t j = 0; j < nl; ++j) reduce_time = std::max(reduce_time, reduce_bytes[j] / bw[j]);
  // The fixup waits for the partial of the core before it: one partial tile
  // through one core's port, not overlapped.
  if (sk_cores > 0) reduce_time += mp.mt * static_cast<double>(mp.nt) * kPartialBytes / port;

  Cost& cost = r.cost;
  cost.flops = 2.0 * m * static_cast<double>(n) * k * b;
  cost.compute_time = r.waves * t_tile;
  double mem = core_time;
  for (size_t j = 0; j < nl; ++j) mem = std::max(mem, level_time[j]);
  cost.memory_time = mem + reduce_time;
  cost.overhead_time = fill;
  cost.time = loop_time + fill + reduce_time;
  auto record = [&cost](int level, double bytes) {
    if (level < kMaxMemoryLevels) cost.bytes[level] += bytes;
  };
  if (core_separate) record(p.core, core_bytes);
  for (size_t j = 0; j < nl; ++j) record(p.path[j], loop_bytes[j] + reduce_bytes[j]);
  cost.bound = cost.compute_time >= cost.memory_time ? Bound::compute : Bound::memory;
  return r;
}

}  // namespace

GemmMappingResult evaluate_gemm_mapping(const ChipSpec& chip, const GemmShape& shape,
                                        const GemmMapping& mp) {
  return evaluate_on_path(chip, memory_path(chip), shape, mp);
}

std::vector<GemmMapping> gemm_mapping_candidates(const ChipSpec& chip, const GemmShape& shape) {
  const auto& mx = chip.matrix;
  const double cap = per_core_capacity(chip, memory_path(chip).core);
  const double elem = std::max(shape.a_bytes, shape.w_bytes);
  // Tile sides: granule · 2^i up to the register-tile side, or beyond it
  // while an accumulator of that side by the other granule fits the per-core
  // level, stopping at the first side that covers the (granule-padded)
  // dimension.
  auto sides = [cap, &mx](int64_t dim, int granule, int other_granule) {
    std::vector<int64_t> out;
    const int64_t need = round_up(dim, granule);
    for (int64_t t = granule;; t *= 2) {
      if (t > register_tile_side(granule) &&
          (!mx.accumulate_in_core_memory || 4.0 * t * other_granule > cap))
        break;
      out.push_back(t);
      if (t >= need) break;
    }
    return out;
  };
  std::vector<GemmMapping> out;
  for (int64_t mt : sides(shape.m, mx.granule_m, mx.granule_n)) {
    for (int64_t nt : sides(shape.n, mx.granule_n, mx.granule_m)) {
      if (!tile_fits(mx, shape, mt, nt, mx.granule_k, cap)) continue;
      const int64_t tiles = ceil_div(shape.m, mt) * ceil_div(shape.n, nt) * shape.batch;
      // Every k-step granule_k · 2^i up to the deepest whose double buffer
      // fits (at most one line per row). Trying the shallower ones too keeps
      // the candidate set growing with capacity, so more on-chip memory can
      // never make the search's answer slower (the deepest step pays the
      // largest pipeline fill).
      for (int64_t kt = mx.granule_k;; kt *= 2) {
        // Split-K only while the tiles alone leave cores idle, each part
        // keeping at least one k-step.
        for (int64_t s = 1; s <= kMaxSplitK; s *= 2) {
          if (s > 1 && (tiles * (s / 2) >= mx.cores || ceil_div(shape.k, s) < kt)) break;
          out.push_back({mt, nt, kt, s, 0});
        }
        // Stream-K, whenever a tile has more than one k-iteration to share
        // and whole tiles would leave a partial last wave among at most
        // kMaxStreamKWaves, over all cores and over 1/2, 1/4, 1/8 of them
        // (fewer fixups). Both conditions only loosen with more cores.
        if (ceil_div(shape.k, kt) > 1 && tiles % mx.cores != 0 &&
            tiles < kMaxStreamKWaves * mx.cores)
          for (int64_t g = mx.cores, i = 0; g >= 1 && i < 4; g /= 2, ++i)
            out.push_back({mt, nt, kt, 1, g});
        if (2 * kt * elem > kStepRowBytes || !tile_fits(mx, shape, mt, nt, 2 * kt, cap)) break;
      }
    }
  }
  return out;
}

GemmMappingResult search_gemm_mapping(const ChipSpec& chip, const GemmShape& shape) {
  GemmMappingResult best;
  double best_time = std::numeric_limits<double>::infinity();
  const Path path = memory_path(chip);
  for (const auto& mp : gemm_mapping_candidates(chip, shape)) {
    GemmMappingResult r = evaluate_on_path(chip, path, shape, mp);
    if (r.valid && r.cost.time < best_time) {
      best_time = r.cost.time;
      best = r;
    }
  }
  if (!best.valid) {
    const auto& lv = chip.memory[memory_path(chip).core];
    throw UserError("chip " + chip.id + ": memory level '" + lv.name +
                    "' is too small to double-buffer one matrix granule of each GEMM operand; "
                    "raise its capacity or shrink matrix.granule");
  }
  return best;
}

}  // namespace cw
