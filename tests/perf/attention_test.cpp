// Attention cost models: analytic goldens on a toy chip (decode bytes and
// time in the memory-bound regime, prefill FLOPs, causal ≈ half, GQA and MLA
// bytes) and properties over seeded random shapes on every chip preset.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "config/error.hpp"
#include "hardware/chip_loader.hpp"
#include "perf/ops.hpp"

namespace cw {
namespace {

// 4 cores of 1e13 FLOP/s bf16, 16x16x16 MMA, 256 KiB SMEM per core, 4 MiB L2
// at 2 TB/s, 1 TB/s HBM of which 50% is achievable, 1 us per kernel launch.
ChipSpec toy_chip() {
  ChipSpec c;
  c.id = "toy";
  c.matrix.cores = 4;
  c.matrix.granule_m = c.matrix.granule_n = c.matrix.granule_k = 16;
  c.matrix.peak_flops[Dtype::bf16] = 4e13;
  c.matrix.clock_hz = 1e9;
  c.vector.flops = 4e12;
  c.vector.special_function_ops = 1e12;
  c.memory.push_back({"smem", true, 256.0 * 1024, 1e14, "", 0});
  c.memory.push_back({"l2", false, 4.0 * 1024 * 1024, 2e12, "", 0});
  c.memory.push_back({"hbm", false, 1e9, 1e12, "HBM3", 1});
  c.efficiency.memory_bandwidth = 0.5;
  c.efficiency.kernel_launch = 1e-6;
  return c;
}

DecodeAttentionShape decode_shape() {
  DecodeAttentionShape s;
  s.batch = 8;
  s.context = 1024;
  s.heads = 4;
  s.kv_heads = 2;
  s.head_dim_qk = s.head_dim_v = 64;
  s.kv_bytes = 2;
  return s;
}

TEST(DecodeAttention, MemoryBoundGoldenBytesAndTime) {
  ChipSpec chip = toy_chip();
  Cost c = decode_attention_cost(chip, decode_shape());
  // 16 units (batch 8 x kv_heads 2) >= 4 cores: no split, 4 rounds per core.
  // Per unit: K+V 1024 x 128 x 2 B, 32 block-table entries x 4 B, q and o 2 heads x 64 x 2 B.
  double unit = 1024.0 * 128 * 2 + 32 * 4 + 2 * (2 * 64 * 2);
  double kernel = 4 * unit / (0.5e12 / 4) + 1e-6;
  // RoPE + KV write: read q,k,v (8 x 512 x 2 B), write q and k,v (8 x 512 x 2 B); launch.
  double pre = 2 * 8 * 512 * 2 / 0.5e12 + 1e-6;
  EXPECT_NEAR(c.time, kernel + pre, 1e-12);
  double hbm = 16 * 1024.0 * 128 * 2 + 8 * 32 * 4 + 8 * 4 * 128 * 2 + 2 * 8 * 512 * 2;
  EXPECT_DOUBLE_EQ(c.bytes[2], hbm);
  EXPECT_DOUBLE_EQ(c.flops - 8 * (3 * 6 * 64), 2.0 * 8 * 4 * 1024 * 128);  // minus RoPE flops
  EXPECT_EQ(c.bound, Bound::memory);
}

TEST(DecodeAttention, LongerContextScalesKvTime) {
  ChipSpec chip = toy_chip();
  auto s = decode_shape();
  s.context = 1 << 16;
  double t1 = decode_attention_cost(chip, s).time;
  s.context *= 2;
  double t2 = decode_attention_cost(chip, s).time;
  EXPECT_NEAR((t2 - 2e-6) / (t1 - 2e-6), 2.0, 0.01);
}

TEST(DecodeAttention, GqaReadsKvHeadsNotHeads) {
  ChipSpec chip = toy_chip();
  auto s = decode_shape();
  s.context = 1 << 15;
  s.heads = 16;
  s.kv_heads = 16;
  double mha = decode_attention_cost(chip, s).bytes[2];
  s.kv_heads = 2;
  double gqa = decode_attention_cost(chip, s).bytes[2];
  EXPECT_NEAR(mha / gqa, 8.0, 0.05);
}

TEST(DecodeAttention, MlaSharedKvReadsHalf) {
  ChipSpec chip = toy_chip();
  auto s = decode_shape();
  s.context = 1 << 15;
  s.heads = 16;
  s.kv_heads = 1;
  s.head_dim_qk = s.head_dim_v = 512;
  double separate = decode_attention_cost(chip, s).bytes[2];
  s.shared_kv = true;
  double shared = decode_attention_cost(chip, s).bytes[2];
  EXPECT_NEAR(shared / separate, 0.5, 0.01);
}

TEST(DecodeAttention, SplitsContextWhenUnitsAreFewerThanCores) {
  ChipSpec chip = toy_chip();
  auto s = decode_shape();
  s.batch = 1;
  s.kv_heads = 1;  // one unit on four cores: FlashDecoding splits the context in four
  s.context = 1 << 16;
  Cost c = decode_attention_cost(chip, s);
  double kv = (1 << 16) * 128.0 * 2;
  // All four cores stream a quarter each at the full achievable bandwidth.
  EXPECT_NEAR(c.memory_time, kv / 0.5e12, 0.02 * kv / 0.5e12);
}

TEST(DecodeAttention, UnsupportedDtypeNamesChipAndDtypes) {
  auto s = decode_shape();
  s.compute = Dtype::fp8;
  try {
    decode_attention_cost(toy_chip(), s);
    FAIL() << "no error";
  } catch (const UserError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("toy"), std::string::npos) << m;
    EXPECT_NE(m.find("fp8"), std::string::npos) << m;
    EXPECT_NE(m.find("bf16"), std::string::npos) << m;
  }
  PrefillAttentionShape p;
  p.compute = Dtype::fp4;
  EXPECT_THROW(prefill_attention_cost(toy_chip(), p), UserError);
  auto bad = decode_shape();
  bad.kv_heads = 3;
  EXPECT_THROW(decode_attention_cost(toy_chip(), bad), UserError);
}

PrefillAttentionShape prefill_shape(int64_t seq, bool causal) {
  PrefillAttentionShape s;
  s.batch = 2;
  s.heads = 4;
  s.kv_heads = 4;
  s.q_len = s.kv_len = seq;
  s.head_dim_qk = s.head_dim_v = 64;
  s.causal = causal;
  return s;
}

TEST(PrefillAttention, NonCausalFlopsAreFourBHSSD) {
  Cost c = prefill_attention_cost(toy_chip(), prefill_shape(1000, false));
  EXPECT_DOUBLE_EQ(c.flops, 4.0 * 2 * 4 * 1000 * 1000 * 64);
}

TEST(PrefillAttention, CausalIsAboutHalfForLongSequences) {
  ChipSpec chip = toy_chip();
  Cost full = prefill_attention_cost(chip, prefill_shape(16384, false));
  Cost causal = prefill_attention_cost(chip, prefill_shape(16384, true));
  // Diagonal 64x64 blocks are computed whole: 1/2 + 64/(2·16384) of the FLOPs.
  EXPECT_NEAR(causal.flops / full.flops, 0.5 + 64.0 / (2 * 16384), 1e-9);
  EXPECT_NEAR(causal.time / full.time, 0.5, 0.02);
}

TEST(PrefillAttention, SlidingWindowSkipsBlocksBelowIt) {
  ChipSpec chip = toy_chip();
  auto s = prefill_shape(1024, true);
  s.window = 64;
  Cost c = prefill_attention_cost(chip, s);
  // 64x64 tiles. Q block 0 sees KV block 0; Q block i >= 1 (rows 64i ..
  // 64i + 63) sees keys from 64i - 63, i.e. KV blocks i - 1 and i: 1 + 2 x 15
  // blocks of 64 x 64 scores per head, 2 sequences x 4 heads.
  EXPECT_DOUBLE_EQ(c.flops, 2.0 * (2 * 4) * (64.0 * 64 * 31) * (64 + 64));
  Cost causal = prefill_attention_cost(chip, prefill_shape(1024, true));
  EXPECT_LT(c.time, 0.5 * causal.time);  // 31 of 136 blocks, Q/O traffic and the launch unchanged
  // A window as wide as the sequence changes nothing.
  s.window = 1024;
  Cost wide = prefill_attention_cost(chip, s);
  EXPECT_DOUBLE_EQ(wide.flops, causal.flops);
  EXPECT_DOUBLE_EQ(wide.time, causal.time);
  // Chunked prefill after 4096 cached tokens: only the chunk and the 63
  // tokens before it are read.
  s = prefill_shape(256, true);
  s.kv_len = 4096 + 256;
  s.window = 64;
  const int main_level = static_cast<int>(chip.memory.size()) - 1;
  Cost chunk = prefill_attention_cost(chip, s);
  const double q_o = 2.0 * (2 * 4) * 256 * 64 * 2;  // Q in, O out, bf16
  EXPECT_DOUBLE_EQ(chunk.bytes[main_level], 2.0 * 4 * (256 + 63) * (64 + 64) * 2 + q_o);
}

TEST(PrefillAttention, ChunkedAttentionStaysInTheQueryChunk) {
  // Chunks of 256 tokens, 64x64 tiles: Q block i sees KV blocks from its
  // chunk's start (4·floor(i/4)) to its own: i mod 4 + 1 blocks, 40 in all.
  auto s = prefill_shape(1024, true);
  s.window = 256;
  s.chunked = true;
  Cost c = prefill_attention_cost(toy_chip(), s);
  EXPECT_DOUBLE_EQ(c.flops, 2.0 * (2 * 4) * (64.0 * 64 * 40) * (64 + 64));
}

TEST(PrefillAttention, ComputeBoundGoldenTime) {
  ChipSpec chip = toy_chip();
  auto s = prefill_shape(1024, false);
  s.batch = 1;
  Cost c = prefill_attention_cost(chip, s);
  // Tiles 64x64 (two 16-row granules would be 32; the 64-row floor applies).
  // 4 heads x 16 Q blocks = 64 units on 4 cores: 16 waves x 16 KV blocks.
  double mm = 2.0 * 64 * (64 * 64 + 64 * 64) / 1e13;                // per block, per core
  double sm = std::max(64.0 * 64 / 2.5e11, 64.0 * 64 * 5 / 1e12);   // exp vs vector ops
  double block = std::max(mm, sm) + (1 - 0.42) * std::min(mm, sm);  // FA3 overlap
  EXPECT_NEAR(c.time, 256 * block + 1e-6, 1e-12);
  EXPECT_EQ(c.bound, Bound::compute);
}

TEST(PrefillAttention, GqaReadsKvHeadsWorthOfKv) {
  ChipSpec chip = toy_chip();
  auto s = prefill_shape(4096, false);
  s.heads = 8;
  s.kv_heads = 8;
  double mha = prefill_attention_cost(chip, s).bytes[2];
  s.kv_heads = 1;
  double gqa = prefill_attention_cost(chip, s).bytes[2];
  // Q and O are 2 x 8 x 4096 x 64 x 2 B each; K+V per kv head 4096 x 128 x 2 B.
  double qo = 2 * (2.0 * 8 * 4096 * 64 * 2), kv = 4096 * 128 * 2.0;
  EXPECT_DOUBLE_EQ(gqa, qo + 2 * 1 * kv);
  EXPECT_DOUBLE_EQ(mha, qo + 2 * 8 * kv);
}

TEST(PrefillAttention, UnitsOfAPairInOneWaveShareItsKvInTheCache) {
  // FA3's head-dim-256 sweep point on the H100: 8 heads x 16,384 tokens, bf16.
  // Each head's K/V (16,384 x 512 x 2 B = 16.8 MB) is 1/3 of the 50 MB L2, so
  // three live heads do not fit; the 128 Q blocks of a head that run in one
  // wave still read its K/V blocks together. 1,024 units on 132 SMs = 8
  // waves; (wave, head) incidences = 8 + 8 - 1 = 15 (no wave boundary falls
  // on a head boundary: lcm(128, 132) = 4,224 units). Main memory: 15 K/V
  // streams plus Q and O once.
  ChipSpec chip = load_chip("h100-sxm");
  PrefillAttentionShape s;
  s.batch = 1;
  s.heads = s.kv_heads = 8;
  s.q_len = s.kv_len = 16384;
  s.head_dim_qk = s.head_dim_v = 256;
  s.causal = false;
  s.compute = Dtype::bf16;
  s.kv_bytes = 2;
  Cost c = prefill_attention_cost(chip, s);
  const double kv_head = 16384.0 * 512 * 2, qo = 2 * (8.0 * 16384 * 256 * 2);
  EXPECT_DOUBLE_EQ(c.bytes[2], 15 * kv_head + qo);
  // Not re-streamed per Q block (128 x 8 x 16.8 MB = 17 GB): compute-bound.
  EXPECT_EQ(c.bound, Bound::compute);
}

// ---- properties over seeded random shapes on every preset ----

Dtype pick_dtype(const ChipSpec& c) {
  if (c.supports(Dtype::bf16)) return Dtype::bf16;
  return c.matrix.peak_flops.begin()->first;
}

// max(flops / peak, bytes_l / peak bandwidth_l) over every level.
double roofline(const ChipSpec& chip, const Cost& c, Dtype d) {
  double t = c.flops / chip.peak_flops(d);
  for (size_t i = 0; i < chip.memory.size() && i < size_t(kMaxMemoryLevels); ++i)
    if (chip.memory[i].bandwidth > 0) t = std::max(t, c.bytes[i] / chip.memory[i].bandwidth);
  return t;
}

ChipSpec with_more_bandwidth(ChipSpec c) {
  for (auto& m : c.memory) m.bandwidth *= 2;
  return c;
}

std::vector<ChipSpec> all_chips() {
  std::vector<ChipSpec> out{toy_chip()};
  for (const auto& id : list_chips()) out.push_back(load_chip(id));
  return out;
}

TEST(AttentionProperties, DecodeOnEveryPreset) {
  std::mt19937_64 rng(20250611);
  auto pick = [&](std::vector<int64_t> v) { return v[rng() % v.size()]; };
  for (const auto& chip : all_chips()) {
    ChipSpec fast = with_more_bandwidth(chip);
    for (int i = 0; i < 60; ++i) {
      DecodeAttentionShape s;
      s.compute = pick_dtype(chip);
      s.batch = pick({1, 2, 3, 8, 17, 64, 256});
      s.kv_heads = pick({1, 2, 4, 8});
      s.heads = s.kv_heads * pick({1, 2, 4, 8, 16});
      s.context = pick({1, 7, 100, 511, 2048, 8193, 32768});
      s.head_dim_qk = pick({64, 128, 576});
      s.head_dim_v = s.head_dim_qk == 576 ? 512 : s.head_dim_qk;
      s.shared_kv = s.head_dim_qk == 576;
      s.kv_bytes = pick({1, 2});
      std::string what = chip.id + " b" + std::to_string(s.batch) + " ctx" +
                         std::to_string(s.context) + " h" + std::to_string(s.heads);
      Cost c = decode_attention_cost(chip, s);
      EXPECT_GE(c.time, roofline(chip, c, s.compute)) << what;
      EXPECT_LE(decode_attention_cost(fast, s).time, c.time) << what;
      auto longer = s;
      longer.context += 1 + s.context / 3;
      EXPECT_GE(decode_attention_cost(chip, longer).time, c.time) << what;
      auto bigger = s;
      bigger.batch += 1 + s.batch / 2;
      EXPECT_GE(decode_attention_cost(chip, bigger).time, c.time) << what;
    }
  }
}

TEST(AttentionProperties, PrefillOnEveryPreset) {
  std::mt19937_64 rng(7);
  auto pick = [&](std::vector<int64_t> v) { return v[rng() % v.size()]; };
  for (const auto& chip : all_chips()) {
    ChipSpec fast = with_more_bandwidth(chip);
    for (int i = 0; i < 40; ++i) {
      PrefillAttentionShape s;
      s.compute = pick_dtype(chip);
      s.batch = pick({1, 2, 5, 16});
      s.kv_heads = pick({1, 2, 8});
      s.heads = s.kv_heads * pick({1, 4, 8});
      s.q_len = pick({1, 33, 512, 2000, 8192});
      s.kv_len = s.q_len + pick({0, 0, 100, 4096});
      s.head_dim_qk = s.head_dim_v = pick({64, 128, 256});
      s.causal = rng() % 2 == 0;
      s.kv_bytes = pick({1, 2});
      std::string what = chip.id + " b" + std::to_string(s.batch) + " q" + std::to_string(s.q_len) +
                         " kv" + std::to_string(s.kv_len);
      Cost c = prefill_attention_cost(chip, s);
      EXPECT_GE(c.time, roofline(chip, c, s.compute)) << what;
      EXPECT_LE(prefill_attention_cost(fast, s).time, c.time) << what;
      auto longer = s;
      longer.kv_len += 1 + s.kv_len / 2;
      longer.q_len += 1 + s.q_len / 2;
      EXPECT_GE(prefill_attention_cost(chip, longer).time, c.time) << what;
      auto more_cached = s;
      more_cached.kv_len += 1000;
      EXPECT_GE(prefill_attention_cost(chip, more_cached).time, c.time) << what;
      auto bigger = s;
      bigger.batch += 1 + s.batch / 2;
      EXPECT_GE(prefill_attention_cost(chip, bigger).time, c.time) << what;
      auto full = s;
      full.causal = false;
      EXPECT_GE(prefill_attention_cost(chip, full).time, c.time) << what;
    }
  }
}

}  // namespace
}  // namespace cw
