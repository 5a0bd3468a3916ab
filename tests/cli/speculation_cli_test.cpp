// `--speculative` as a user meets it: eval reports the drafter and the
// tokens per iteration, serve and eval agree on its direction, and an
// incomplete or impossible request exits 2 naming the flag.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "../support/cli_runner.hpp"

namespace {

using cw::test::CliRun;
using cw::test::expect_refused;
using cw::test::run;
using cw::test::run_stdout;

const std::string kEval =
    "eval --chip h100-sxm --model llama3.1-70b --tp 2 --batch 1 --input 1024 --output 256 "
    "--format json";

TEST(CliSpeculation, EvalReportsTheDrafterAndAFasterTpot) {
  CliRun plain = run_stdout(kEval);
  CliRun spec = run_stdout(kEval + " --speculative 4 --acceptance 0.7 --draft llama3.2-1b");
  ASSERT_EQ(plain.code, 0) << plain.out;
  ASSERT_EQ(spec.code, 0) << spec.out;
  const auto a = nlohmann::json::parse(plain.out), b = nlohmann::json::parse(spec.out);
  EXPECT_FALSE(a.contains("speculation"));
  EXPECT_EQ(b["speculation"]["drafter"], "llama3.2-1b");
  EXPECT_EQ(b["speculation"]["draft_tokens"], 4);
  // (1 - 0.7^5) / 0.3 tokens per iteration.
  EXPECT_NEAR(b["speculation"]["expected_tokens_per_iteration"].get<double>(), 2.77, 0.01);
  EXPECT_LT(b["tpot_s"].get<double>(), 0.6 * a["tpot_s"].get<double>());
  EXPECT_DOUBLE_EQ(b["ttft_s"].get<double>(), a["ttft_s"].get<double>());  // prefill unchanged
  // The drafter's weights: Llama-3.2-1B in the fp8 recipe over 2 chips.
  EXPECT_GT(b["memory"]["weights_bytes"].get<double>(),
            a["memory"]["weights_bytes"].get<double>() + 0.5e9);

  CliRun table =
      run("eval --chip h100-sxm --model llama3.1-70b --tp 2 --batch 1 --speculative 1 "
          "--acceptance 0.85");
  ASSERT_EQ(table.code, 0) << table.out;
  EXPECT_NE(table.out.find("speculative decoding: k=1 acceptance 0.85 draft head (1 layer), "
                           "1.85 tokens/iteration"),
            std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("draft_pass"), std::string::npos) << table.out;
}

TEST(CliSpeculation, IncompleteOrImpossibleRequestsAreExit2) {
  struct Case {
    std::string args, says;
  };
  const Case cases[] = {
      {"eval --chip h100-sxm --model llama3.1-8b --speculative 3", "--acceptance"},
      {"eval --chip h100-sxm --model llama3.1-8b --acceptance 0.8", "--speculative K"},
      {"eval --chip h100-sxm --model llama3.1-8b --speculative 3 --acceptance 0.8 --draft "
       "llama2-7b",
       "vocabulary"},
      {"eval --chip h100-sxm --model llama3.1-8b --speculative 3 --acceptance 1.5", "--acceptance"},
      {"serve --chip h100-sxm --model llama3.1-8b --dataset mlperf-llama2-70b --requests 10 "
       "--offline --speculative 2",
       "--acceptance"},
      {"compare --chips h100-sxm --scenario offline --speculative 2 --acceptance 0.8",
       "--speculative does not apply"},
  };
  for (const Case& c : cases) expect_refused(c.args, c.says);
}

TEST(CliSpeculation, ServeAtLowLoadCutsTpot) {
  const std::string base =
      "serve --chip h100-sxm --count 2 --tp 2 --model llama3.1-70b --dataset mlperf-llama2-70b "
      "--requests 100 --rate 1 --format json";
  CliRun plain = run_stdout(base);
  CliRun spec = run_stdout(base + " --speculative 3 --acceptance 0.8");
  ASSERT_EQ(plain.code, 0) << plain.out;
  ASSERT_EQ(spec.code, 0) << spec.out;
  const auto a = nlohmann::json::parse(plain.out), b = nlohmann::json::parse(spec.out);
  EXPECT_EQ(a["output_tokens"], b["output_tokens"]);
  EXPECT_LT(b["tpot_s"]["mean"].get<double>(), 0.5 * a["tpot_s"]["mean"].get<double>());
  EXPECT_EQ(b["config"]["speculation"]["draft_tokens"], 3);
}

}  // namespace
