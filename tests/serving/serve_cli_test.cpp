// `chipwright serve` and `chipwright mlperf` as a user runs them: JSON fields,
// determinism under a seed, the Chrome-trace timeline, and error exits.
#include <gtest/gtest.h>

#include "../support/cli_runner.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

using cw::test::CliRun;
using cw::test::run;
using cw::test::run_stdout;
using cw::test::temp_file;

const std::string kServe =
    "serve --chip h100-sxm --count 2 --tp 1 --model llama3.1-8b --precision fp8 "
    "--dataset mlperf-llama3.1-8b --requests 3000 ";

// kServe without --tp (--disaggregate sizes the pools instead).
const std::string kServeDisaggregated =
    "serve --chip h100-sxm --count 2 --model llama3.1-8b --precision fp8 "
    "--dataset mlperf-llama3.1-8b --requests 3000 ";

TEST(ServingCli, ServeJsonHasTheMetrics) {
  CliRun r = run(kServe + "--rate 20 --seed 3 --format json", true);
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["requests"], 3000);
  EXPECT_EQ(j["accelerators"], 2);
  EXPECT_EQ(j["output_tokens"], 3000 * 128);
  EXPECT_GT(j["tokens_per_s"].get<double>(), 0);
  EXPECT_GT(j["ttft_p99_s"].get<double>(), 0);
  EXPECT_GT(j["tpot_p99_s"].get<double>(), 0);
  EXPECT_EQ(j["config"]["replicas"], 2);
  EXPECT_GT(j["kv_occupancy_peak"].get<double>(), 0);
}

TEST(ServingCli, SameSeedGivesIdenticalJson) {
  CliRun a = run(kServe + "--rate 20 --seed 7 --router least-loaded --format json", true);
  CliRun b = run(kServe + "--rate 20 --seed 7 --router least-loaded --format json", true);
  CliRun c = run(kServe + "--rate 20 --seed 8 --router least-loaded --format json", true);
  ASSERT_EQ(a.code, 0) << a.out;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
}

TEST(ServingCli, TimelineIsAChromeTrace) {
  std::string trace = temp_file("serve_trace.csv",
                                "input_length,output_length,arrival_s\n100,20,0\n300,5,0.01\n"
                                "50,40,0.02\n");
  std::string out = testing::TempDir() + "serve_timeline.json";
  std::remove(out.c_str());
  CliRun r =
      run("serve --chip h100-sxm --model llama3.1-8b --trace " + trace + " --timeline " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream in(out);
  ASSERT_TRUE(in.good());
  auto j = nlohmann::json::parse(in);
  int iterations = 0, begins = 0, ends = 0;
  for (const auto& e : j["traceEvents"]) {
    if (e["ph"] == "X") ++iterations;
    if (e["ph"] == "b") ++begins;
    if (e["ph"] == "e") ++ends;
  }
  EXPECT_GT(iterations, 0);
  EXPECT_EQ(begins, ends);
  EXPECT_EQ(begins, 3 * 3);  // request, queue+prefill, decode for each request
  std::ifstream tmp(out + ".tmp");
  EXPECT_FALSE(tmp.good());  // the temporary was renamed away
}

TEST(ServingCli, DisaggregatedServeReportsTransfersAndPools) {
  const std::string split =
      "--disaggregate --prefill-replicas 1 --prefill-tp 1 --decode-replicas 1 --decode-tp 1 ";
  CliRun r = run(kServeDisaggregated + split + "--rate 20 --seed 3 --format json", true);
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["requests"], 3000);
  EXPECT_EQ(j["output_tokens"], 3000 * 128);
  EXPECT_EQ(j["kv_transfer"]["transfers"], 3000);  // every request decodes 127 more tokens
  EXPECT_EQ(j["config"]["prefill"]["replicas"], 1);
  EXPECT_EQ(j["config"]["decode"]["tp"], 1);
  // Llama-3.1-8B at fp8: 32 layers x (K + V) x 8 KV heads x 128 x 1 byte.
  EXPECT_EQ(j["config"]["kv_bytes_per_token"], 32 * 2 * 8 * 128);
  EXPECT_GT(j["kv_transfer"]["transfer_s"]["mean"].get<double>(), 0);
  EXPECT_GT(j["kv_transfer"]["decode_utilisation"].get<double>(), 0);
  CliRun again = run(kServeDisaggregated + split + "--rate 20 --seed 3 --format json", true);
  EXPECT_EQ(again.out, r.out);
  // The timeline has the transfer spans on the decode replica (process 1).
  std::string path = temp_file("disagg_timeline.json", "");
  CliRun traced = run(kServeDisaggregated + split + "--rate 20 --seed 3 --timeline " + path, true);
  ASSERT_EQ(traced.code, 0) << traced.out;
  std::ifstream in(path);
  auto t = nlohmann::json::parse(in);
  int transfers = 0;
  for (const auto& e : t["traceEvents"]) {
    if (e["name"] == "kv transfer" && e["ph"] == "X") {
      ++transfers;
      EXPECT_EQ(e["pid"], 1);
    }
  }
  EXPECT_EQ(transfers, 3000);
}

TEST(ServingCli, BadInputsExitWithTwoAndAHint) {
  std::string bad = temp_file("bad_trace.csv", "input_length,output_length\n10,20\n30,x\n");
  CliRun r = run("serve --chip h100-sxm --model llama3.1-8b --offline --trace " + bad);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("bad_trace.csv:3:4"), std::string::npos) << r.out;
  r = run("serve --chip h100-sxm --model llama3.1-8b --offline --dataset mlperf-llama2-7b");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("mlperf-llama2-70b"), std::string::npos) << r.out;
  r =
      run("serve --chip h100-sxm --count 3 --tp 2 --model llama2-70b --offline "
          "--dataset mlperf-llama2-70b");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("divides --count"), std::string::npos) << r.out;
  r = run("serve --chip h100-sxm --model llama3.1-405b --offline --dataset mlperf-llama3.1-405b");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("does not fit"), std::string::npos) << r.out;
  r =
      run("serve --chip h100-sxm --model llama3.1-8b --offline --dataset mlperf-llama3.1-8b "
          "--scheduler decode-frist");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("decode-first"), std::string::npos) << r.out;
  r = run(kServeDisaggregated +
          "--rate 20 --disaggregate --prefill-replicas 2 --prefill-tp 1 --decode-replicas 1 "
          "--decode-tp 1");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("= 3 chips, more than --count 2"), std::string::npos) << r.out;
  r = run(kServe + "--rate 20 --prefill-tp 2");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("--disaggregate"), std::string::npos) << r.out;
  r = run("mlperf --chip h100-sxm --count 8 --benchmark lama2-70b --scenario offline");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("llama2-70b"), std::string::npos) << r.out;
  r = run("mlperf --chip h100-sxm --count 8 --benchmark llama2-70b --scenario ofline");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("offline"), std::string::npos) << r.out;
}

TEST(ServingCli, MlperfJsonNamesTheChosenConfiguration) {
  CliRun r =
      run("mlperf --chip h200-sxm --count 1 --benchmark llama3.1-8b --scenario offline "
          "--format json",
          true);
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["tokens_per_s"].get<double>(), 0);
  EXPECT_EQ(j["accelerators"], 1);
  EXPECT_TRUE(j["config"].contains("max_batch"));
  EXPECT_TRUE(j["config"].contains("tp"));
  EXPECT_TRUE(j.contains("ttft_p99_s"));
  EXPECT_TRUE(j.contains("tpot_p99_s"));
}

}  // namespace
