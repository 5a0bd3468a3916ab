// Decode attention on a paged KV cache (FlashDecoding / TensorRT-LLM XQA /
// vLLM paged attention), for MHA, GQA and absorbed MLA, plus the serving
// engine's RoPE + KV-cache-write kernel that runs before it.
//
// Work: one CTA-like work unit per (sequence, kv head) holds the `group` =
// heads / kv_heads x queries query rows that share that K/V (GQA, and the
// draft tokens a speculative verification pass checks, pack them as the M
// dimension of the matmuls: FlashInfer / TensorRT-LLM XQA spec-decoding mode), streams the
// sequence's K/V once and keeps an online softmax. When units are few the context is split into
// `splits` chunks (FlashDecoding, Dao et al. 2023) whose partial outputs are combined. Each core
// gets an equal share (1/cores) of the achievable main-memory bandwidth: a wave that leaves cores
// idle leaves their share unused.
#include <algorithm>
#include <cmath>
#include <limits>

#include "perf/attention_common.hpp"
#include "perf/attention_preprocess.hpp"
#include "perf/ops.hpp"

namespace cw {
namespace {

// TensorRT-LLM's default paged-KV block (tokens_per_block = 32); vLLM uses 16.
// Each block costs one int32 block-table entry per sequence.
constexpr int64_t kPageTokens = 32;
constexpr double kPageEntryBytes = 4;
// Split partial results are FP32: d_v values plus running max and sum per row.
constexpr double kPartialBytes = 4;
// FlashAttention-2's split-KV limit (flash_api.cpp num_splits_heuristic, max_splits = 128).
constexpr int64_t kMaxSplits = 128;

struct SplitPlan {
  double time = std::numeric_limits<double>::infinity();
  double mem = 0, mm = 0, sfu = 0;  // per-core seconds of the busiest core
  double combine = 0;
  int64_t splits = 1;
};

}  // namespace

Cost attention_preprocess_cost(const ChipSpec& chip, const AttentionPreprocessShape& s) {
  double tok = static_cast<double>(s.tokens);
  double q = static_cast<double>(s.heads * s.head_dim_qk);
  double kv_in = static_cast<double>(s.kv_heads * (s.head_dim_qk + s.head_dim_v));
  double kv_cached = static_cast<double>(
      s.kv_heads * (s.shared_kv ? s.head_dim_qk : s.head_dim_qk + s.head_dim_v));
  double rotated = static_cast<double>((s.heads + s.kv_heads) * s.head_dim_qk);
  VectorOpShape v;
  v.elements = s.tokens;
  v.flops_per_element = 3 * rotated + (s.kv_bytes < s.act_bytes ? kv_cached : 0);
  v.special_per_element = rotated;
  v.bytes_read = tok * (q + kv_in) * s.act_bytes;
  v.bytes_written = tok * (q * s.act_bytes + kv_cached * s.kv_bytes);
  return vector_op_cost(chip, v);
}

Cost decode_attention_cost(const ChipSpec& chip, const DecodeAttentionShape& s) {
  const char* op = "decode attention";
  attn::require_dtype(chip, s.compute, op);
  attn::require_positive(s.batch, "batch", op);
  attn::require_positive(s.context, "context", op);
  attn::require_positive(s.queries, "queries", op);
  attn::require_heads(s.heads, s.kv_heads, s.head_dim_qk, s.head_dim_v, op);
  if (!(s.kv_bytes > 0)) throw UserError(std::string(op) + ": kv_bytes must be positive");

  const attn::Rates r = attn::rates_under_tensor_load(chip, s.compute);
  const MatrixEngine& me = chip.matrix;
  const double act = dtype_bits(s.compute) / 8;  // q in, o out
  const int64_t group = s.heads / s.kv_heads * s.queries;  // query rows per unit
  const int64_t units = s.batch * s.kv_heads;
  const int64_t kv_elems = s.shared_kv ? s.head_dim_qk : s.head_dim_qk + s.head_dim_v;
  const double token_bytes = static_cast<double>(kv_elems) * s.kv_bytes;  // per unit per token
  // fp8/int8 KV with a wider compute dtype is converted in registers, one
  // vector op per element loaded.
  const bool dequant = s.kv_bytes < act;
  const double cores = r.cores;
  // Every byte crosses each level on its way in; the slowest level sets the
  // streaming rate (main memory at its achievable fraction, caches at peak).
  double stream_bw = r.main_bw;
  for (size_t i = 0; i + 1 < chip.memory.size(); ++i)
    if (chip.memory[i].bandwidth > 0) stream_bw = std::min(stream_bw, chip.memory[i].bandwidth);
  const double core_bw = stream_bw / cores, core_mm = r.matrix / cores;
  const double core_sfu = r.special / cores, core_vec = r.vector / cores;
  const int64_t rows = attn::round_up(group, me.granule_m);  // GQA rows padded to the MMA M

  // FlashDecoding only splits to fill idle cores: splits <= ceil(cores/units),
  // and at most kMaxSplits. Among those the cheapest plan is taken (a tuned
  // kernel's heuristic). Splits beyond the context length would hold one token
  // each and only add combine work, so capping at the context keeps a longer
  // context never cheaper.
  const int64_t max_splits = std::min<int64_t>(
      {kMaxSplits, s.context, std::max<int64_t>(1, attn::ceil_div(r.cores, units))});
  SplitPlan best;
  for (int64_t sp = 1; sp <= max_splits; ++sp) {
    const int64_t chunk = attn::ceil_div(s.context, sp);
    const double rounds = static_cast<double>(attn::ceil_div(units * sp, r.cores));
    // Per work unit: its K/V chunk, its block-table entries, q in, o (or the
    // FP32 partial) out.
    double out = sp > 1 ? group * (s.head_dim_v + 2) * kPartialBytes : group * s.head_dim_v * act;
    double bytes = chunk * token_bytes + attn::ceil_div(chunk, kPageTokens) * kPageEntryBytes +
                   group * s.head_dim_qk * act + out;
    // QK^T: [rows x d_qk]·[d_qk x chunk]; PV: [rows x chunk]·[chunk x d_v]; padded to the MMA
    // shape.
    double mm = 2.0 * rows * attn::round_up(chunk, me.granule_n) *
                    attn::round_up(s.head_dim_qk, me.granule_k) +
                2.0 * rows * attn::round_up(s.head_dim_v, me.granule_n) *
                    attn::round_up(chunk, me.granule_k);
    double scores = static_cast<double>(group * chunk);
    double vec = scores * attn::kSoftmaxVectorOpsPerScore + (dequant ? chunk * kv_elems : 0);
    SplitPlan p;
    p.splits = sp;
    p.mem = rounds * bytes / core_bw;
    p.mm = rounds * mm / core_mm;
    p.sfu = rounds * std::max(scores / core_sfu, vec / core_vec);
    // Combine pass (in-kernel, after the last split finishes): read every
    // partial back and write the final o.
    if (sp > 1)
      p.combine = (s.batch * s.heads * s.queries *
                   (sp * (s.head_dim_v + 2) * kPartialBytes + s.head_dim_v * act)) /
                  r.main_bw;
    // Loads, tensor-core work and softmax of one unit are software-pipelined,
    // so the busiest pipe sets the time.
    p.time = std::max({p.mem, p.mm, p.sfu}) + p.combine;
    if (p.time < best.time) best = p;
  }

  Cost c;
  const int lvl_main = attn::main_level(chip);
  const double kv_total = static_cast<double>(units) * s.context * token_bytes;
  const double pages = static_cast<double>(s.batch * attn::ceil_div(s.context, kPageTokens));
  const double rows_total = static_cast<double>(s.batch * s.heads * s.queries);
  const double qo = rows_total * (s.head_dim_qk + s.head_dim_v) * act;
  const double partials =
      best.splits > 1 ? 2.0 * rows_total * best.splits * (s.head_dim_v + 2) * kPartialBytes : 0;
  const double total_bytes = kv_total + pages * kPageEntryBytes + qo + partials;
  for (int i = 0; i <= lvl_main; ++i) c.bytes[i] = total_bytes;  // streamed through every level
  // Useful FLOPs: 2·batch·heads·queries·context·(d_qk + d_v) (QK^T and PV).
  c.flops = 2.0 * rows_total * s.context * (s.head_dim_qk + s.head_dim_v);
  c.memory_time = best.mem + best.combine;
  c.compute_time = std::max(best.mm, best.sfu);
  c.overhead_time = chip.efficiency.kernel_launch;
  c.time = best.time + c.overhead_time;
  if (best.mem >= std::max(best.mm, best.sfu))
    c.bound = Bound::memory;
  else
    c.bound = best.mm >= best.sfu ? Bound::compute : Bound::vector;

  // The engine's RoPE + KV-cache write for the new tokens: a second kernel.
  AttentionPreprocessShape pre{s.batch * s.queries, s.heads,     s.kv_heads, s.head_dim_qk,
                               s.head_dim_v,        s.shared_kv, act,        s.kv_bytes};
  if (s.shared_kv) pre.head_dim_v = 0;  // MLA caches one latent (d_qk wide) per token
  c += attention_preprocess_cost(chip, pre);
  return c;
}

}  // namespace cw
