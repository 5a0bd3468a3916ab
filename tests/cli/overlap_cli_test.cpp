// `--overlap` (two-batch overlap) as a user meets it: eval and plan say it is
// on, it shortens a communication-heavy prefill, and commands that cannot
// honour it refuse it with exit code 2.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "../support/cli_runner.hpp"

namespace {

using cw::test::CliRun;
using cw::test::run;
using cw::test::run_stdout;

TEST(CliOverlap, HidesTheAllToAllOfAPrefillAcrossTwoServers) {
  // DeepSeek-V3 wide EP over two 8 x H200 servers: dispatch and combine cross
  // the 400 Gb/s NICs, which two micro-batches hide behind each other's
  // experts (4,096 prefill tokens per rank: two prompts, one per half).
  const std::string base =
      "eval --chip h200-sxm --model deepseek-v3 --tp 16 --ep 16 "
      "--attention-dp --batch 64 --input 2048 --output 2 --max-tokens 65536 --format json";
  CliRun on = run_stdout(base + " --overlap");
  CliRun off = run_stdout(base);
  ASSERT_EQ(on.code, 0) << on.out;
  ASSERT_EQ(off.code, 0) << off.out;
  auto a = nlohmann::json::parse(on.out), b = nlohmann::json::parse(off.out);
  EXPECT_TRUE(a["plan"]["overlap"].get<bool>());
  EXPECT_FALSE(b["plan"]["overlap"].get<bool>());
  EXPECT_LT(a["ttft_s"].get<double>(), 0.9 * b["ttft_s"].get<double>());
}

TEST(CliOverlap, TextOutputNamesItAndShowsTheHiddenTime) {
  CliRun r = run_stdout(
      "eval --chip h100-sxm --model llama3.1-70b --tp 4 --batch 8 --input 2048 "
      "--output 4 --overlap");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("(tp4 pp1 ep1 dp1, two-batch overlap)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("overlap_hidden"), std::string::npos) << r.out;
  CliRun p = run_stdout("plan --chip h100-sxm --count 4 --model llama3.1-70b --batch 8 --overlap");
  ASSERT_EQ(p.code, 0) << p.out;
  EXPECT_NE(p.out.find("precision fp8, two-batch overlap"), std::string::npos) << p.out;
}

TEST(CliOverlap, ServingScenariosRefuseIt) {
  CliRun r = run("compare --scenario server --overlap");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("--overlap does not apply to --scenario server"), std::string::npos)
      << r.out;
}

}  // namespace

namespace {

TEST(CliContextParallel, EvalRunsCpGroupsAndExplainsBadCounts) {
  CliRun r = run_stdout(
      "eval --chip h100-sxm --model llama3.1-70b --tp 4 --cp 2 --batch 1 "
      "--input 32768 --output 8 --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["plan"]["cp"].get<int>(), 2);
  EXPECT_EQ(j["chips"].get<int>(), 8);
  CliRun count = run("eval --chip h100-sxm --model llama3.1-70b --tp 4 --cp 2 --count 12");
  EXPECT_EQ(count.code, 2);
  EXPECT_NE(count.out.find("--count 12 is not a multiple of tp x pp x cp = 8"), std::string::npos)
      << count.out;
  // MLA rings its latent (16 H200 in two cp groups of tp 8).
  EXPECT_EQ(run("eval --chip h200-sxm --model deepseek-v3 --tp 8 --cp 2 --batch 1 --input 32768 "
                "--output 8")
                .code,
            0);
  CliRun dp = run("eval --chip h200-sxm --model deepseek-v3 --tp 8 --ep 8 --attention-dp --cp 2");
  EXPECT_EQ(dp.code, 2);
  EXPECT_NE(dp.out.find("combining it with --attention-dp is not modelled"), std::string::npos)
      << dp.out;
}

}  // namespace
