// Runs the chipwright binary as a user would and checks exit codes and output.
#include <gtest/gtest.h>

#include <cmath>

#include "../support/cli_runner.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace {

using cw::test::CliRun;
using cw::test::run;
using cw::test::run_stdout;
using cw::test::temp_file;

TEST(Cli, OpGemmPrintsTimeAndBound) {
  CliRun r = run("op gemm --chip h100-sxm --m 8192 --n 8192 --k 8192 --dtype fp8");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("gemm 8192x8192x8192 fp8 on h100-sxm"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("compute bound"), std::string::npos) << r.out;
}

TEST(Cli, OpGemmJsonIsParseable) {
  CliRun r = run("op gemm --chip h100-sxm --m 16 --n 4096 --k 4096 --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["time_s"].get<double>(), 0);
  EXPECT_GE(j["time_s"].get<double>(), j["roofline_s"].get<double>());
  EXPECT_EQ(j["bound"], "memory");
}

TEST(Cli, OpAttentionSlidingWindow) {
  CliRun r =
      run("op attention --chip h100-sxm --seq 1024 --heads 8 --head-dim 64 --window 128 "
          "--format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  // Useful FLOPs: query i attends to min(i + 1, 128) keys: 128·129/2 + 896·128.
  const double useful = 4.0 * 8 * (128.0 * 129 / 2 + 896.0 * 128) * 64;
  EXPECT_NEAR(j["tflops"].get<double>() * 1e12 * j["time_s"].get<double>(), useful, useful * 1e-9);
  CliRun full =
      run("op attention --chip h100-sxm --seq 1024 --heads 8 --head-dim 64 --causal "
          "--format json");
  EXPECT_LT(j["time_s"].get<double>(), nlohmann::json::parse(full.out)["time_s"].get<double>());
  EXPECT_EQ(run("op attention --chip h100-sxm --window 0").code, 2);
}

TEST(Cli, EvalReportsLatencyThroughputAndBreakdown) {
  CliRun r = run("eval --chip h100-sxm --model llama3.1-8b --precision fp8 --batch 16 --input 1024 "
              "--output 256");
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* s : {"TTFT", "TPOT", "end-to-end", "throughput", "qkv_proj", "mlp_down",
                        "attention_decode", "lm_head"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  }
  CliRun j = run("eval --chip h100-sxm --model llama3.1-8b --precision fp8 --batch 16 --input 1024 "
              "--output 256 --format json");
  ASSERT_EQ(j.code, 0) << j.out;
  auto doc = nlohmann::json::parse(j.out);
  EXPECT_GT(doc["ttft_s"].get<double>(), 0);
  EXPECT_NEAR(doc["e2e_s"].get<double>(),
              doc["ttft_s"].get<double>() + 255 * doc["tpot_s"].get<double>(), 1e-9);
}

TEST(Cli, ListAndShow) {
  CliRun chips = run("list chips");
  EXPECT_EQ(chips.code, 0);
  for (const char* id : {"a100-sxm", "h100-sxm", "b200", "mi300x", "tpu-v6e", "groq-lpu",
                         "sf2-inference"}) {
    EXPECT_NE(chips.out.find(id), std::string::npos) << id;
  }
  CliRun models = run("list models");
  EXPECT_NE(models.out.find("deepseek-v3"), std::string::npos);
  CliRun show = run("show chip h100-sxm");
  EXPECT_EQ(show.code, 0);
  EXPECT_NE(show.out.find("989"), std::string::npos) << show.out;
}

TEST(Cli, UnknownChipIsExit2WithSuggestion) {
  CliRun r = run("eval --chip h100-sx --model llama3.1-8b");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("did you mean 'h100-sxm'"), std::string::npos) << r.out;
}

TEST(Cli, UnknownModelIsExit2) {
  CliRun r = run("eval --chip h100-sxm --model llama3-8b");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("unknown model"), std::string::npos) << r.out;
}

TEST(Cli, DtypeTheChipLacksIsExit2) {
  CliRun r = run("eval --chip a100-sxm --model llama3.1-8b --precision fp8");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("no fp8 matrix support"), std::string::npos) << r.out;
  CliRun g = run("op gemm --chip h100-sxm --m 64 --n 64 --k 64 --dtype fp4");
  EXPECT_EQ(g.code, 2) << g.out;
}

TEST(Cli, ModelThatDoesNotFitIsExit2) {
  CliRun r = run("eval --chip h100-sxm --model llama3.1-405b --precision fp8");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("does not fit"), std::string::npos) << r.out;
  // --count alone replicates the model: the message says how to split it.
  CliRun replicas = run("eval --chip h200-sxm --count 8 --model deepseek-v3");
  EXPECT_EQ(replicas.code, 2) << replicas.out;
  EXPECT_NE(replicas.out.find("--count 8 with --tp 1 runs 8 replicas of one chip each; give "
                              "--tp 8 (or --tp auto)"),
            std::string::npos)
      << replicas.out;
}

TEST(Cli, MalformedChipYamlNamesFileAndLine) {
  std::string path = temp_file("bad_chip.yaml", "id: x\nmatrix: {cores: 4\n");
  CliRun r = run("show chip " + path);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find(path + ":"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("malformed YAML"), std::string::npos) << r.out;
}

TEST(Cli, UnknownKeyInChipYaml) {
  std::string base = std::string(CHIPWRIGHT_DATA_DIR) + "/chips/h100-sxm.yaml";
  std::ifstream in(base);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string path = temp_file("typo_chip.yaml", text + "efficency: {}\n");
  CliRun r = run("show chip " + path);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("unknown key"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("did you mean 'efficiency'"), std::string::npos) << r.out;
}

TEST(Cli, UnsupportedArchitectureInConfigJson) {
  std::string path = temp_file("bad_config.json",
                               "{\n  \"architectures\": [\"BertModel\"],\n  \"hidden_size\": 8\n}\n");
  CliRun r = run("show model " + path);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("BertModel"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(path + ":2"), std::string::npos) << r.out;
}

TEST(Cli, ShowModelNamesGroupLimitedRouting) {
  CliRun r = run("show model deepseek-v3");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("MoE: 256 experts, top-8 within 4 of 8 groups, 1 shared"),
            std::string::npos)
      << r.out;
  CliRun m = run("show model mixtral-8x7b");
  EXPECT_NE(m.out.find("MoE: 8 experts, top-2, 0 shared"), std::string::npos) << m.out;
  // A preset's file is named within the data folder.
  EXPECT_EQ(m.out.rfind("mixtral-8x7b (MixtralForCausalLM), data/models/mixtral-8x7b.json\n", 0),
            0u)
      << m.out;
  CliRun w = run("show model gpt-oss-20b");
  EXPECT_NE(w.out.find("sliding-window attention: last 128 tokens on 12 of 24 layers"),
            std::string::npos)
      << w.out;
}

TEST(Cli, BadFlagsAreExit2) {
  EXPECT_EQ(run("eval --chip h100-sxm").code, 2);
  EXPECT_EQ(run("op gemm --chip h100-sxm --m -1 --n 1 --k 1").code, 2);
  EXPECT_EQ(run("frobnicate").code, 2);
}

TEST(Cli, ValidateJsonHasEveryCase) {
#ifndef NDEBUG
  // The MLPerf cases run deployment searches that take most of an hour in
  // the unoptimised sanitizer build; the Release run covers this test and
  // ValidateSmallFileEverywhere below runs in every build.
  GTEST_SKIP() << "full calibration file: Release build only";
#endif
  CliRun r = run(std::string("validate ") + CHIPWRIGHT_CALIBRATION + " --format json", true);
  ASSERT_EQ(r.code, 0) << r.out.substr(0, 2000);
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_GE(doc["cases"].size(), 80u);
  for (const auto& c : doc["cases"]) {
    if (c["error"].is_null()) {
      EXPECT_TRUE(c.contains("reason")) << c.dump();
    }
  }
  EXPECT_TRUE(doc["summary"]["by_kind"].contains("gemm"));
}

TEST(Cli, ValidateSmallFileEverywhere) {
  std::string path = temp_file(
      "small_cases.yaml",
      "- {id: g, kind: gemm, chip: h100-sxm, m: 8192, n: 8192, k: 8192, dtype: fp8, metric: tflops,"
      " measured: 1290.1, source: cuBLASLt}\n"
      "- {id: s, kind: memory_stream, chip: a100-sxm, metric: tb_per_s, measured: 1.7}\n"
      "- {id: l, kind: latency, chip: h100-sxm, tp: 1, model: llama2-7b, precision: fp8, batch: 1,"
      " input_tokens: 128, output_tokens: 1, metric: ttft_ms, measured: 7}\n");
  CliRun r = run("validate " + path + " --format json", true);
  ASSERT_EQ(r.code, 0) << r.out;
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["cases"].size(), 3u);
  for (const auto& c : doc["cases"]) EXPECT_FALSE(c["error"].is_null()) << c.dump();
  // The 8192^3 FP8 GEMM is within 10% of the measurement (ACCURACY.md).
  EXPECT_LT(std::abs(doc["cases"][0]["error"].get<double>()), 0.10);
  EXPECT_EQ(doc["summary"]["evaluated"], 3);
}

TEST(Cli, ValidateRejectsUnknownCaseKey) {
  std::string path = temp_file("bad_cases.yaml",
                               "- {id: x, kind: gemm, chip: h100-sxm, m: 1, n: 1, k: 1, dtyp: fp8,"
                               " metric: tflops, measured: 1}\n");
  CliRun r = run("validate " + path);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find(path + ":1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("did you mean 'dtype'"), std::string::npos) << r.out;
}

TEST(Cli, VersionExitsZero) {
  CliRun r = run("--version");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out, std::string("chipwright ") + CHIPWRIGHT_VERSION + "\n");
}

}  // namespace
