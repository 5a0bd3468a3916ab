#include <gtest/gtest.h>

#include "../support/user_error.hpp"

#include <algorithm>
#include <functional>

#include "config/error.hpp"
#include "workload/precision_loader.hpp"

namespace cw {
namespace {

using cw::test::error_of;
using cw::test::has;

const std::string kRecipe =
    "name: mine\n"
    "activations: bf16\n"
    "attention_projections: {dtype: fp8}\n"
    "attention_math: {dtype: bf16}\n"
    "dense_mlp: {dtype: fp4, block_size: 16, scale_bits: 8}\n"
    "moe_experts: {dtype: nvfp4}\n"
    "lm_head: {dtype: bf16}\n"
    "kv_cache: {dtype: fp8}\n";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(PrecisionRecipe, ShippedRecipesAllLoad) {
  std::vector<std::string> ids = list_precisions();
  for (const char* want : {"bf16", "fp16", "fp8", "fp8-fmha", "fp4", "fp4-deepseek-r1", "mxfp4",
                           "int8", "w4a16", "mxfp4-w4a16"}) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), want), ids.end()) << want;
  }
  for (const auto& id : ids) {
    SCOPED_TRACE(id);
    Precision p = load_precision(id);
    EXPECT_EQ(p.name, id);
  }
}

TEST(PrecisionRecipe, Fp8FollowsMlperfClosedSubmissions) {
  Precision p = load_precision("fp8");
  EXPECT_EQ(p.attention_projections.dtype, Dtype::fp8);
  EXPECT_EQ(p.dense_mlp.dtype, Dtype::fp8);
  EXPECT_EQ(p.moe_experts.dtype, Dtype::fp8);
  EXPECT_EQ(p.kv_cache.dtype, Dtype::fp8);
  EXPECT_EQ(p.attention_math.dtype, Dtype::bf16);
  EXPECT_EQ(p.lm_head.dtype, Dtype::bf16);
  EXPECT_DOUBLE_EQ(p.kv_cache.bytes_per_element(), 1.0);
}

TEST(PrecisionRecipe, Fp4IsNvfp4OnMlpOnly) {
  Precision p = load_precision("fp4");
  EXPECT_EQ(p.dense_mlp.dtype, Dtype::fp4);
  EXPECT_EQ(p.dense_mlp.block_size, 16);
  EXPECT_DOUBLE_EQ(p.dense_mlp.bytes_per_element(), 4.5 / 8);  // 4 bits + 8/16
  EXPECT_DOUBLE_EQ(p.moe_experts.bytes_per_element(), 4.5 / 8);
  EXPECT_EQ(p.attention_projections.dtype, Dtype::fp8);  // the rest stays FP8
  EXPECT_EQ(p.kv_cache.dtype, Dtype::fp8);
  Precision ds = load_precision("fp4-deepseek-r1");
  EXPECT_EQ(ds.attention_projections.dtype, Dtype::bf16);  // MLA matmuls BF16
  EXPECT_DOUBLE_EQ(ds.moe_experts.bytes_per_element(), 4.5 / 8);
}

TEST(PrecisionRecipe, NamedBlockFormats) {
  Precision p = parse_precision(kRecipe, "mine.yaml");
  EXPECT_EQ(p.name, "mine");
  EXPECT_EQ(p.moe_experts.block_size, 16);
  EXPECT_DOUBLE_EQ(p.moe_experts.scale_bits, 8);
  EXPECT_DOUBLE_EQ(load_precision("mxfp4").moe_experts.bytes_per_element(), 4.25 / 8);
}

TEST(PrecisionRecipe, WeightOnlyFormatsStoreNarrowAndComputeWide) {
  const Precision p = load_precision("w4a16");
  EXPECT_EQ(p.dense_mlp.dtype, Dtype::int4);
  EXPECT_EQ(p.dense_mlp.compute_dtype(), Dtype::bf16);
  EXPECT_DOUBLE_EQ(p.dense_mlp.bytes_per_element(), 4.125 / 8);  // 4 bits + 16/128
  EXPECT_EQ(p.kv_cache.compute_dtype(), Dtype::bf16);            // unset: computes as stored
  const Precision g = load_precision("mxfp4-w4a16");
  EXPECT_EQ(g.moe_experts.compute_dtype(), Dtype::bf16);
  EXPECT_DOUBLE_EQ(g.moe_experts.bytes_per_element(), 4.25 / 8);
  EXPECT_EQ(g.attention_projections.dtype, Dtype::bf16);

  const std::string narrow = replaced(kRecipe, "attention_projections: {dtype: fp8}",
                                      "attention_projections: {dtype: fp8, compute: fp4}");
  const std::string msg = error_of([&] { parse_precision(narrow, "r.yaml"); });
  EXPECT_TRUE(has(msg, "r.yaml:3:")) << msg;
  EXPECT_TRUE(has(msg, "key 'attention_projections.compute': compute in fp4 is narrower")) << msg;
}

TEST(PrecisionRecipe, UnknownPresetId) {
  std::string msg = error_of([] { load_precision("ffp8"); });
  EXPECT_TRUE(has(msg, "unknown precision 'ffp8'")) << msg;
  EXPECT_TRUE(has(msg, "did you mean 'fp8'?")) << msg;
}

TEST(PrecisionRecipe, UnknownDtypeListsValidOnes) {
  std::string bad = replaced(kRecipe, "kv_cache: {dtype: fp8}", "kv_cache: {dtype: fp6}");
  std::string msg = error_of([&] { parse_precision(bad, "r.yaml"); });
  EXPECT_TRUE(has(msg, "r.yaml:8:")) << msg;
  EXPECT_TRUE(has(msg, "key 'kv_cache.dtype': unknown dtype 'fp6'")) << msg;
  EXPECT_TRUE(has(msg, "valid: fp32, tf32, bf16, fp16, fp8, int8, fp4, int4, nvfp4, mxfp4")) << msg;
}

TEST(PrecisionRecipe, UnknownKeyDidYouMean) {
  std::string bad = replaced(kRecipe, "kv_cache:", "kv_cach:");
  std::string msg = error_of([&] { parse_precision(bad, "r.yaml"); });
  EXPECT_TRUE(has(msg, "r.yaml:8:1: key 'kv_cach': unknown key")) << msg;
  EXPECT_TRUE(has(msg, "did you mean 'kv_cache'?")) << msg;

  bad = replaced(kRecipe, "block_size: 16", "blocksize: 16");
  msg = error_of([&] { parse_precision(bad, "r.yaml"); });
  EXPECT_TRUE(has(msg, "key 'dense_mlp.blocksize': unknown key")) << msg;
  EXPECT_TRUE(has(msg, "did you mean 'block_size'?")) << msg;
}

TEST(PrecisionRecipe, MissingKeyAndBadScale) {
  std::string bad = replaced(kRecipe, "lm_head: {dtype: bf16}\n", "");
  std::string msg = error_of([&] { parse_precision(bad, "r.yaml"); });
  EXPECT_TRUE(has(msg, "key 'lm_head': required key is missing")) << msg;

  bad = replaced(kRecipe, ", scale_bits: 8", "");
  msg = error_of([&] { parse_precision(bad, "r.yaml"); });
  EXPECT_TRUE(has(msg, "r.yaml:5:")) << msg;
  EXPECT_TRUE(has(msg, "block_size needs scale_bits")) << msg;

  bad = replaced(kRecipe, "block_size: 16", "block_size: 0");
  msg = error_of([&] { parse_precision(bad, "r.yaml"); });
  EXPECT_TRUE(has(msg, "key 'dense_mlp.block_size': must be a positive")) << msg;
}

}  // namespace
}  // namespace cw
