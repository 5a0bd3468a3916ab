// `--attention-dp` (wide expert parallelism) as a user meets it: plan lists
// it for MoE models only, eval reports it, bad combinations exit with 2.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "../support/cli_runner.hpp"

namespace {

using cw::test::CliRun;
using cw::test::run;
using cw::test::run_stdout;

TEST(CliWideEp, PlanListsAttentionDpForMoeModelsOnly) {
  CliRun ds = run("plan --chip h200-sxm --count 8 --model deepseek-v3 --batch 256 --input 1024 "
                  "--output 256");
  ASSERT_EQ(ds.code, 0) << ds.out;
  EXPECT_NE(ds.out.find("tp8 pp1 ep8 dp1 attn-dp"), std::string::npos) << ds.out;
  CliRun dense = run("plan --chip h100-sxm --count 8 --model llama3.1-8b --batch 16");
  ASSERT_EQ(dense.code, 0) << dense.out;
  EXPECT_EQ(dense.out.find("attn-dp"), std::string::npos) << dense.out;
}

TEST(CliWideEp, EvalReportsThePlanAndPerRankMemory) {
  const std::string base = "eval --chip h200-sxm --model deepseek-v3 --batch 256 --input 1024 "
                           "--output 64 --tp 8 --ep 8 --format json";
  CliRun wide = run_stdout(base + " --attention-dp");
  CliRun tp = run_stdout(base);
  ASSERT_EQ(wide.code, 0) << wide.out;
  ASSERT_EQ(tp.code, 0) << tp.out;
  auto w = nlohmann::json::parse(wide.out);
  auto t = nlohmann::json::parse(tp.out);
  EXPECT_TRUE(w["plan"]["attention_dp"].get<bool>());
  EXPECT_FALSE(t["plan"]["attention_dp"].get<bool>());
  // 32 sequences per rank against the whole batch's MLA latent per TP rank.
  EXPECT_DOUBLE_EQ(w["memory"]["kv_cache_bytes"].get<double>() * 8,
                   t["memory"]["kv_cache_bytes"].get<double>());
  EXPECT_GT(w["memory"]["weights_bytes"].get<double>(), t["memory"]["weights_bytes"].get<double>());
}

TEST(CliWideEp, AttentionTpInsideTheRanks) {
  const std::string base =
      "eval --chip h100-sxm --model qwen3-235b-a22b --batch 256 --input 1024 "
      "--output 64 --tp 8 --ep 8 --attention-dp --format json";
  CliRun one = run_stdout(base), two = run_stdout(base + " --attention-tp 2");
  ASSERT_EQ(one.code, 0) << one.out;
  ASSERT_EQ(two.code, 0) << two.out;
  auto a = nlohmann::json::parse(one.out), b = nlohmann::json::parse(two.out);
  EXPECT_EQ(a["plan"]["attention_tp"].get<int>(), 1);
  EXPECT_EQ(b["plan"]["attention_tp"].get<int>(), 2);
  // Qwen3-235B's 4 KV heads split over the rank's 2 chips, which serve twice
  // the sequences: the same KV per chip; its non-expert weights halve.
  EXPECT_DOUBLE_EQ(b["memory"]["kv_cache_bytes"].get<double>(),
                   a["memory"]["kv_cache_bytes"].get<double>());
  EXPECT_LT(b["memory"]["weights_bytes"].get<double>(), a["memory"]["weights_bytes"].get<double>());
  CliRun plan =
      run("plan --chip h100-sxm --count 8 --model qwen3-235b-a22b --batch 256 --input "
          "1024 --output 64");
  EXPECT_NE(plan.out.find("tp8 pp1 ep8 dp1 attn-dp attn-tp2"), std::string::npos) << plan.out;
  CliRun alone = run("eval --chip h100-sxm --model qwen3-235b-a22b --tp 8 --ep 8 --attention-tp 2");
  EXPECT_EQ(alone.code, 2);
  EXPECT_NE(alone.out.find("it needs --attention-dp"), std::string::npos) << alone.out;
}

TEST(CliWideEp, BadCombinationsAreExit2) {
  CliRun dense = run("eval --chip h100-sxm --model llama3.1-8b --tp 2 --ep 2 --attention-dp");
  EXPECT_EQ(dense.code, 2);
  EXPECT_NE(dense.out.find("--attention-dp needs a mixture-of-experts model"), std::string::npos)
      << dense.out;
  CliRun mismatch = run("eval --chip h100-sxm --model mixtral-8x7b --tp 8 --ep 4 --attention-dp");
  EXPECT_EQ(mismatch.code, 2);
  EXPECT_NE(mismatch.out.find("--tp 8 --ep 8 --attention-dp"), std::string::npos) << mismatch.out;
  CliRun automatic = run("eval --chip h100-sxm --model mixtral-8x7b --tp auto --attention-dp");
  EXPECT_EQ(automatic.code, 2);
  EXPECT_NE(automatic.out.find("instead of --tp auto"), std::string::npos) << automatic.out;
  CliRun experts = run("eval --chip h100-sxm --model mixtral-8x7b --tp 16 --ep 16 --attention-dp");
  EXPECT_EQ(experts.code, 2);
  EXPECT_NE(experts.out.find("does not divide the 8 experts"), std::string::npos) << experts.out;
}

TEST(CliWideEp, RoutingSkewAndEplbFlags) {
  const std::string base =
      "eval --chip h200-sxm --model deepseek-v3 --batch 256 --input 1024 "
      "--output 64 --tp 8 --ep 8 --attention-dp --format json";
  CliRun flat = run_stdout(base), skewed = run_stdout(base + " --routing-skew 1");
  CliRun eplb = run_stdout(base + " --routing-skew 1 --redundant-experts 32");
  ASSERT_EQ(flat.code, 0) << flat.out;
  ASSERT_EQ(skewed.code, 0) << skewed.out;
  ASSERT_EQ(eplb.code, 0) << eplb.out;
  auto f = nlohmann::json::parse(flat.out), s = nlohmann::json::parse(skewed.out),
       e = nlohmann::json::parse(eplb.out);
  EXPECT_DOUBLE_EQ(s["routing_skew"].get<double>(), 1.0);
  EXPECT_FALSE(s["plan"]["eplb"].get<bool>());
  EXPECT_TRUE(e["plan"]["eplb"].get<bool>());
  EXPECT_EQ(e["plan"]["redundant_experts"].get<int>(), 32);
  // The busiest rank's experts make prefill slower; EPLB's copies win most
  // of it back at 36 instead of 32 experts' weights per chip.
  EXPECT_GT(s["ttft_s"].get<double>(), 1.2 * f["ttft_s"].get<double>());
  EXPECT_LT(e["ttft_s"].get<double>(), s["ttft_s"].get<double>());
  EXPECT_GT(e["memory"]["weights_bytes"].get<double>(), f["memory"]["weights_bytes"].get<double>());
  CliRun table = run_stdout(
      "eval --chip h200-sxm --model deepseek-v3 --batch 64 --tp 8 --ep 8 "
      "--attention-dp --routing-skew 0.5 --eplb");
  EXPECT_NE(table.out.find("(tp8 pp1 ep8 dp1 attn-dp eplb, routing skew 0.5)"), std::string::npos)
      << table.out;
  CliRun plan =
      run("plan --chip h200-sxm --count 8 --model deepseek-v3 --batch 64 "
          "--redundant-experts 32");
  EXPECT_NE(plan.out.find("tp8 pp1 ep8 dp1 attn-dp eplb+32"), std::string::npos) << plan.out;
  // Bad values name the flag and exit 2.
  CliRun skew =
      run("eval --chip h200-sxm --model deepseek-v3 --tp 8 --ep 8 --attention-dp "
          "--routing-skew 4");
  EXPECT_EQ(skew.code, 2);
  EXPECT_NE(skew.out.find("--routing-skew 4: expected a Zipf exponent"), std::string::npos)
      << skew.out;
  CliRun plan_skew = run("plan --chip h200-sxm --count 8 --model deepseek-v3 --routing-skew -1");
  EXPECT_EQ(plan_skew.code, 2);
  EXPECT_NE(plan_skew.out.find("--routing-skew -1"), std::string::npos) << plan_skew.out;
  CliRun copies =
      run("eval --chip h200-sxm --model deepseek-v3 --tp 8 --ep 8 --attention-dp "
          "--redundant-experts 3");
  EXPECT_EQ(copies.code, 2);
  EXPECT_NE(copies.out.find("use 0 or 8"), std::string::npos) << copies.out;
  CliRun dense = run("eval --chip h100-sxm --model llama3.1-8b --routing-skew 1");
  EXPECT_EQ(dense.code, 2);
  EXPECT_NE(dense.out.find("llama3.1-8b is dense"), std::string::npos) << dense.out;
  CliRun dense_plan = run("plan --chip h100-sxm --count 2 --model llama3.1-8b --eplb");
  EXPECT_EQ(dense_plan.code, 2);
  EXPECT_NE(dense_plan.out.find("llama3.1-8b is dense"), std::string::npos) << dense_plan.out;
  CliRun scenario = run("compare --chips h100-sxm --scenario server --eplb");
  EXPECT_EQ(scenario.code, 2);
  EXPECT_NE(scenario.out.find("--eplb does not apply to --scenario server"), std::string::npos)
      << scenario.out;
}

TEST(CliWideEp, PlanThatDoesNotFitNamesAttentionDpPlansThatDo) {
  // 4 ranks each hold the 15 GB of replicated weights plus a quarter of the
  // 654 GB of routed experts: 183 GB against 141 GB.
  CliRun r = run("eval --chip h200-sxm --model deepseek-v3 --tp 4 --ep 4 --attention-dp "
                 "--batch 64");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("does not fit on 4 x h200-sxm"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Plans that fit: --tp 2 --ep 2 --pp 4 --attention-dp"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("--tp 8 --ep 8 --pp 1 --attention-dp"), std::string::npos) << r.out;
}

}  // namespace

namespace {

TEST(CliWideEp, ServePoolsTheRanksKvCache) {
  // Under attention DP each of the 8 ranks holds its own sequences' MLA
  // latent whole, so the replica's pool is 8 ranks' blocks; under tp8 every
  // rank holds every sequence's latent and the pool is one rank's.
  const std::string base =
      "serve --chip h200-sxm --count 8 --tp 8 --model deepseek-v3 "
      "--dataset mlperf-deepseek-r1 --offline --requests 40 --format json";
  CliRun wide = run_stdout(base + " --ep 8 --attention-dp");
  CliRun tp = run_stdout(base);
  ASSERT_EQ(wide.code, 0) << wide.out;
  ASSERT_EQ(tp.code, 0) << tp.out;
  auto w = nlohmann::json::parse(wide.out)["config"];
  auto t = nlohmann::json::parse(tp.out)["config"];
  EXPECT_TRUE(w["attention_dp"].get<bool>());
  EXPECT_EQ(w["ep"].get<int>(), 8);
  const int64_t blocks = w["kv_blocks_per_replica"].get<int64_t>();
  EXPECT_EQ(blocks % 8, 0);
  // Per rank: an eighth of the blocks, 16 tokens each, at the fp8 latent's
  // 61 layers x (512 + 64) x 1 byte = 35,136 B per token.
  EXPECT_DOUBLE_EQ(w["memory_per_chip_bytes"]["kv_cache"].get<double>(),
                   static_cast<double>(blocks / 8 * 16) * 35136.0);
  EXPECT_GT(blocks, 4 * t["kv_blocks_per_replica"].get<int64_t>());
}

TEST(CliWideEp, ServeRejectsImpossibleWideEp) {
  CliRun mismatch =
      run("serve --chip h200-sxm --count 8 --tp 8 --ep 4 --attention-dp "
          "--model deepseek-v3 --dataset mlperf-deepseek-r1 --offline --requests 4");
  EXPECT_EQ(mismatch.code, 2);
  EXPECT_NE(mismatch.out.find("--ep must equal --tp"), std::string::npos) << mismatch.out;
  CliRun split =
      run("serve --chip h200-sxm --count 8 --disaggregate --ep 4 --model deepseek-v3 "
          "--dataset mlperf-deepseek-r1 --offline --requests 4");
  EXPECT_EQ(split.code, 2);
  EXPECT_NE(split.out.find("--ep excludes --disaggregate"), std::string::npos) << split.out;
  CliRun eplb =
      run("serve --chip h200-sxm --count 16 --disaggregate --eplb --model deepseek-v3 "
          "--dataset mlperf-deepseek-r1 --offline --requests 4");
  EXPECT_EQ(eplb.code, 2);
  EXPECT_NE(eplb.out.find("--eplb excludes --disaggregate"), std::string::npos) << eplb.out;
}

TEST(CliWideEp, ServeTakesTheExpertPlacement) {
  // 36 instead of 32 routed experts per rank leave less room for KV blocks.
  const std::string base =
      "serve --chip h200-sxm --count 8 --tp 8 --ep 8 --attention-dp --model deepseek-v3 "
      "--dataset mlperf-deepseek-r1 --offline --requests 40 --format json";
  CliRun flat = run_stdout(base),
         eplb = run_stdout(base + " --routing-skew 1 --redundant-experts 32");
  ASSERT_EQ(flat.code, 0) << flat.out;
  ASSERT_EQ(eplb.code, 0) << eplb.out;
  auto f = nlohmann::json::parse(flat.out)["config"], e = nlohmann::json::parse(eplb.out)["config"];
  EXPECT_TRUE(e["eplb"].get<bool>());
  EXPECT_EQ(e["redundant_experts"].get<int>(), 32);
  EXPECT_DOUBLE_EQ(e["routing_skew"].get<double>(), 1.0);
  EXPECT_GT(e["memory_per_chip_bytes"]["weights"].get<double>(),
            f["memory_per_chip_bytes"]["weights"].get<double>());
  EXPECT_LT(e["kv_blocks_per_replica"].get<int64_t>(), f["kv_blocks_per_replica"].get<int64_t>());
}

TEST(CliWideEp, MlperfTakesTheRoutingOptions) {
  // Pinned knobs keep the search to one point per replica shape.
  CliRun r = run_stdout(
      "mlperf --chip h200-sxm --count 8 --benchmark deepseek-r1 --scenario offline --tp 8 "
      "--max-batch 256 --max-tokens 2048 --scheduler decode-first --routing-skew 1 "
      "--redundant-experts 8 --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_DOUBLE_EQ(j["config"]["routing_skew"].get<double>(), 1.0);
  // The wide-EP shape wins (its pool holds 8x the MLA latents) and carries EPLB.
  EXPECT_TRUE(j["config"]["attention_dp"].get<bool>());
  EXPECT_TRUE(j["config"]["eplb"].get<bool>());
  EXPECT_EQ(j["config"]["redundant_experts"].get<int>(), 8);
  CliRun dense =
      run("mlperf --chip h100-sxm --count 8 --benchmark llama2-70b --scenario "
          "offline --routing-skew 0.5");
  EXPECT_EQ(dense.code, 2);
  EXPECT_NE(dense.out.find("llama2-70b is dense"), std::string::npos) << dense.out;
}

}  // namespace
