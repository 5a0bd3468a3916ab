// Prefill attention, flash-style (FlashAttention-2 Algorithm 1; FA3 on Hopper):
// per (sequence, head) Q is cut into blocks of Br rows; each block is a work
// unit that streams K/V in blocks of Bc rows through per-core SRAM, computing
// S = QK^T and O += PV on the matrix engine and the online softmax on the
// vector/special-function units. Units run in waves over the cores.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "perf/attention_common.hpp"
#include "perf/ops.hpp"

namespace cw {
namespace {

// Fraction of the softmax time hidden under the matmuls. FA3 (Shah et al.
// 2024, arXiv 2407.08608, §3.1-3.2 and the ablation in §4.3) overlaps the
// softmax of one warpgroup with the GEMMs of the other (ping-pong) and
// pipelines within a warpgroup; on H100 hdim 128, seq 8k, non-causal this
// lifts 570 TFLOP/s (no overlap) to 661. With time = M + (1 - f)·S and the
// exp-to-matmul time ratio S/M = (1/3.9 TOP/s) / (512 FLOP/989 TFLOP/s) =
// 0.495 per score: (1 + 0.495) / (1 + 0.495·(1 - f)) = 661/570 → f = 0.42.
// FA2-era kernels (no asynchronous MMA) have f = 0; the model predicts the
// best published kernel.
constexpr double kSoftmaxOverlap = 0.42;

struct Tiles {
  int64_t br = 0, bc = 0;
};

// Br: two MMA row-granules (FA3: two consumer warpgroups of 64 rows; FA2: 4
// warps × 16 rows ×2), at least 64 rows; Bc = Br. Both are halved until Q plus
// two pipeline stages of K and V fit the per-core SRAM (the O accumulator and
// S live in registers on GPUs, in the vector register file on TPUs).
Tiles choose_tiles(const ChipSpec& chip, const PrefillAttentionShape& s, double q_bytes) {
  const MatrixEngine& me = chip.matrix;
  const int64_t gm = std::max(1, me.granule_m);
  const int64_t gn = std::max(1, std::max(me.granule_n, me.granule_k));
  Tiles t;
  t.br = attn::round_up(std::max<int64_t>(64, 2 * gm), gm);
  t.br = std::min(t.br, attn::round_up(s.q_len, gm));
  t.bc = attn::round_up(t.br, gn);
  const double sram = attn::per_core_sram(chip);
  auto fits = [&](const Tiles& x) {
    return x.br * s.head_dim_qk * q_bytes +
               2.0 * x.bc * (s.head_dim_qk + s.head_dim_v) * s.kv_bytes <=
           sram;
  };
  while (!fits(t) && (t.br > gm || t.bc > gn)) {
    if (t.bc > gn && t.bc >= t.br)
      t.bc = std::max(gn, attn::round_up(t.bc / 2, gn));
    else
      t.br = std::max(gm, attn::round_up(t.br / 2, gm));
  }
  t.bc = std::min(t.bc, attn::round_up(s.kv_len, gn));
  return t;
}

}  // namespace

Cost prefill_attention_cost(const ChipSpec& chip, const PrefillAttentionShape& s) {
  const char* op = "prefill attention";
  attn::require_dtype(chip, s.compute, op);
  attn::require_positive(s.batch, "batch", op);
  attn::require_positive(s.q_len, "q_len", op);
  attn::require_positive(s.kv_len, "kv_len", op);
  attn::require_heads(s.heads, s.kv_heads, s.head_dim_qk, s.head_dim_v, op);
  if (s.q_len > s.kv_len)
    throw UserError(std::string(op) + ": q_len (" + std::to_string(s.q_len) +
                    ") cannot exceed kv_len (" + std::to_string(s.kv_len) +
                    "); kv_len counts the new tokens too");
  if (!(s.kv_bytes > 0)) throw UserError(std::string(op) + ": kv_bytes must be positive");

  const attn::Rates r = attn::rates_under_tensor_load(chip, s.compute);
  const MatrixEngine& me = chip.matrix;
  const double e = dtype_bits(s.compute) / 8;
  const Tiles t = choose_tiles(chip, s, e);
  const int64_t nq = attn::ceil_div(s.q_len, t.br);
  const int64_t offset = s.kv_len - s.q_len;  // cached tokens before the new ones
  const double bh = static_cast<double>(s.batch * s.heads);

  // KV blocks per Q block. Causal: Q block i (rows offset + i·Br ..) sees keys
  // up to its last row; the diagonal block is computed whole, then masked.
  // A sliding window also hides the keys more than `window` - 1 before its
  // first row (a chunk: those before its chunk); blocks wholly below that are
  // skipped.
  double blocks = 0, area = 0;  // summed over Q blocks of one head
  int64_t n_max = 0;
  for (int64_t i = 0; i < nq; ++i) {
    const int64_t rows = std::min(t.br, s.q_len - i * t.br);
    const int64_t hi = s.causal ? std::min(s.kv_len, offset + i * t.br + rows) : s.kv_len;
    const int64_t row = offset + i * t.br;  // the block's first query
    const int64_t lo = s.window <= 0 ? 0
                       : s.chunked   ? row / s.window * s.window
                                     : std::max<int64_t>(0, row - s.window + 1);
    const int64_t first = lo / t.bc;
    const int64_t n = attn::ceil_div(hi, t.bc) - first;
    blocks += static_cast<double>(n);
    area += static_cast<double>(rows) *
            static_cast<double>(std::min(n * t.bc, s.kv_len - first * t.bc));
    n_max = std::max(n_max, n);
  }

  // One (Q block, KV block) step on one core. QK^T is [Br x d_qk]·[d_qk x Bc],
  // PV is [Br x Bc]·[Bc x d_v], each padded to the MMA granule.
  const double mm_flops =
      2.0 * attn::round_up(t.br, me.granule_m) *
      (attn::round_up(t.bc, me.granule_n) * attn::round_up(s.head_dim_qk, me.granule_k) +
       attn::round_up(s.head_dim_v, me.granule_n) * attn::round_up(t.bc, me.granule_k));
  const double scores = static_cast<double>(t.br * t.bc);
  const double t_mm = mm_flops / (r.matrix / r.cores);
  const double t_sm = std::max(scores / (r.special / r.cores),
                               scores * attn::kSoftmaxVectorOpsPerScore / (r.vector / r.cores));
  const double t_block = std::max(t_mm, t_sm) + (1 - kSoftmaxOverlap) * std::min(t_mm, t_sm);

  // Busiest core, in block steps. Equal units: whole waves. Causal units
  // differ in length; the scheduler issues the longest first (FA2/FA3 reverse
  // the Q-block order), giving about max(total / cores, longest unit).
  const double units = bh * static_cast<double>(nq);
  const double makespan = s.causal ? std::max(static_cast<double>(n_max), bh * blocks / r.cores)
                                   : std::ceil(units / r.cores) * static_cast<double>(n_max);

  // Bytes. Every unit loads its K/V blocks into SRAM (through the shared
  // cache); main memory sees Q, O and the K/V of each (sequence, kv head)
  // once if the K/V of the pairs a wave works on fits the shared cache. Else
  // the units of one pair that run in the same wave still share it: they
  // start together and walk its K/V blocks in step, so the cache serves all
  // but the first read of each block; main memory streams each pair's K/V
  // once per wave that runs units of it (never more than once per Q block).
  // K/V tokens any query reads: all, or under a window the chunk and the
  // window - 1 tokens before it (an upper bound for chunks).
  const int64_t kv_read = s.window > 0 ? std::min(s.kv_len, s.q_len + s.window - 1) : s.kv_len;
  const double kv_head = static_cast<double>(kv_read) * (s.head_dim_qk + s.head_dim_v) * s.kv_bytes;
  const double kv_pairs = static_cast<double>(s.batch * s.kv_heads);
  const double q_bytes = bh * s.q_len * s.head_dim_qk * e;
  const double o_bytes = bh * s.q_len * s.head_dim_v * e;
  const double tile_kv = bh * blocks * t.bc * (s.head_dim_qk + s.head_dim_v) * s.kv_bytes;
  const int shared = attn::shared_cache_level(chip);
  const double cache = shared >= 0 ? chip.memory[shared].capacity : attn::per_core_sram(chip);
  const double group = static_cast<double>(s.heads / s.kv_heads);
  const double units_per_pair = static_cast<double>(nq) * group;
  const double live_pairs = std::min(
      kv_pairs, std::ceil(std::min(units, static_cast<double>(r.cores)) / units_per_pair) + 1);
  double main_kv = kv_pairs * kv_head;
  if (live_pairs * kv_head > cache) {
    // Units are issued pair by pair, `cores` per wave: (wave, pair) incidences
    // = waves + pairs - 1 - (wave boundaries that fall on a pair boundary).
    const int64_t per_pair = nq * (s.heads / s.kv_heads);
    const int64_t total = static_cast<int64_t>(kv_pairs) * per_pair;
    const int64_t waves = attn::ceil_div(total, r.cores);
    const int64_t lcm = std::lcm<int64_t>(per_pair, r.cores);
    const int64_t aligned = (waves - 1) * static_cast<int64_t>(r.cores) / lcm;
    const double streams =
        static_cast<double>(waves + static_cast<int64_t>(kv_pairs) - 1 - aligned);
    main_kv = std::min(tile_kv, std::max(main_kv, streams * kv_head));
  }

  Cost c;
  const int lvl_main = attn::main_level(chip);
  for (int i = 0; i < lvl_main; ++i) c.bytes[i] = tile_kv + q_bytes + o_bytes;
  c.bytes[lvl_main] = main_kv + q_bytes + o_bytes;
  // Executed FLOPs (diagonal blocks whole, no padding): 2·Σ rows·cols·(d_qk + d_v);
  // = 4·b·h·q·kv·d for non-causal attention with d_qk = d_v = d.
  c.flops = 2.0 * bh * area * (s.head_dim_qk + s.head_dim_v);
  c.compute_time = makespan * t_block;
  c.memory_time = attn::memory_time(chip, c);
  c.overhead_time = chip.efficiency.kernel_launch;
  c.time = std::max(c.compute_time, c.memory_time) + c.overhead_time;
  if (c.memory_time > c.compute_time)
    c.bound = Bound::memory;
  else
    c.bound = t_mm >= t_sm ? Bound::compute : Bound::vector;
  return c;
}

}  // namespace cw
