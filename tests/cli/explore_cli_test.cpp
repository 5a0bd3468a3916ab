// `chipwright explore`: the shipped space, its JSON and CSV, and bad input.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/cli_runner.hpp"

namespace {

using cw::test::CliRun;
using cw::test::run;
using cw::test::run_stdout;
using cw::test::temp_file;

TEST(CliExplore, ShippedSweepPrintsCountsAndTheFront) {
  CliRun r = run("explore sf2-sweep");
  ASSERT_EQ(r.code, 0) << r.out;
  // 4 core counts x 3 clocks x 3 stack counts x 2 buffers x 4 batches.
  EXPECT_NE(r.out.find("288 designs (grid), 78 feasible; infeasible: 128 max_power, 82 max_tpot"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Pareto front over dollars_per_mtok, joules_per_token (3 designs)"),
            std::string::npos)
      << r.out;
}

TEST(CliExplore, JsonFrontIsFeasibleAndNonDominated) {
  CliRun r = run_stdout("explore sf2-sweep --format json --all --threads 2");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["designs"], 288);
  EXPECT_EQ(j["feasible"], 78);
  ASSERT_EQ(j["all"].size(), 288u);
  const auto& front = j["pareto"];
  ASSERT_FALSE(front.empty());
  for (const auto& d : front) {
    EXPECT_TRUE(d["feasible"].get<bool>());
    EXPECT_LE(d["tpot_s"].get<double>(), 0.025);
    EXPECT_LE(d["power_w"].get<double>(), 1200);
    EXPECT_LE(d["dies"].get<int>(), 2);
    // No feasible design is at least as good on both objectives and better on one.
    for (const auto& o : j["all"]) {
      if (!o["feasible"].get<bool>()) continue;
      const double od = o["dollars_per_mtok"], oj = o["joules_per_token"];
      const double dd = d["dollars_per_mtok"], dj = d["joules_per_token"];
      EXPECT_FALSE(od <= dd && oj <= dj && (od < dd || oj < dj))
          << o["design"] << " dominates " << d["design"];
    }
  }
  // The reference GPUs run as sold: their own TDP, one H100 cannot hold 70B.
  ASSERT_EQ(j["reference"].size(), 3u);
  EXPECT_EQ(j["reference"][0]["chip"], "h100-sxm");
  EXPECT_EQ(j["reference"][0]["tp"], 2);
  EXPECT_EQ(j["reference"][0]["power_w"], 700);
  EXPECT_EQ(j["reference"][1]["reason"], "max_tpot");
  // One knob at a time from the cheapest design (202: 128 cores, 1.8 GHz, 6
  // stacks, 128 MiB, batch 128): both neighbours of cores, stacks and batch,
  // one of the clock (1.8 GHz is its top value) and of the buffer (128 MiB is
  // its bottom one).
  const auto& steps = j["sensitivity"];
  ASSERT_EQ(steps.size(), 8u);
  EXPECT_EQ(steps[0]["knob"], "cores");
  EXPECT_EQ(steps[0]["from"], "128");
  EXPECT_EQ(steps[0]["to"], "96");
  EXPECT_GT(steps[0]["result"]["dollars_per_mtok"].get<double>(),
            front[0]["dollars_per_mtok"].get<double>());
  EXPECT_EQ(steps[1]["result"]["reason"], "max_power");
  // Sorted by the first objective.
  for (size_t i = 1; i < front.size(); ++i)
    EXPECT_LE(front[i - 1]["dollars_per_mtok"].get<double>(),
              front[i]["dollars_per_mtok"].get<double>());
}

TEST(CliExplore, CsvHasEveryDesign) {
  const std::string path = testing::TempDir() + "designs.csv";
  CliRun r = run("explore sf2-sweep --csv " + path);
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream in(path);
  std::string header, line;
  std::getline(in, header);
  EXPECT_EQ(
      header.rfind("design,cores,clock,hbm_stacks,memory.global_buffer.capacity,batch,feasible", 0),
      0u)
      << header;
  int rows = 0, on_front = 0;
  while (std::getline(in, line)) {
    ++rows;
    on_front += line.back() == '1';
  }
  EXPECT_EQ(rows, 288);
  EXPECT_EQ(on_front, 3);
}

TEST(CliExplore, BadSpaceExitsTwoNamingFileLineAndKey) {
  const std::string path = temp_file("bad-space.yaml",
                                     "base: sf2-inference\n"
                                     "workload: {model: llama3.1-8b}\n"
                                     "knobs:\n"
                                     "  hbm_stack: [4, 8]\n");
  CliRun r = run("explore " + path);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("bad-space.yaml:4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("unknown knob 'hbm_stack'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("hbm_stacks"), std::string::npos) << r.out;
  // A failed run writes no CSV and no results store.
  const std::string csv = testing::TempDir() + "never.csv", db = testing::TempDir() + "never.db";
  EXPECT_EQ(run("explore " + path + " --csv " + csv + " --db " + db).code, 2);
  EXPECT_FALSE(std::ifstream(csv).good());
  EXPECT_FALSE(std::ifstream(db).good());
  CliRun threads = run("explore sf2-sweep --threads 100000");
  EXPECT_EQ(threads.code, 2) << threads.out;
  EXPECT_NE(threads.out.find("--threads"), std::string::npos) << threads.out;
  CliRun model = run("explore " + temp_file("bad-model.yaml",
                                            "base: sf2-inference\n"
                                            "workload: {model: llama9}\n"
                                            "knobs: {cores: [64]}\n"));
  EXPECT_EQ(model.code, 2) << model.out;
  EXPECT_NE(model.out.find("bad-model.yaml:2"), std::string::npos) << model.out;
  EXPECT_NE(model.out.find("llama9"), std::string::npos) << model.out;
}

TEST(CliExplore, HtmlReportIsWrittenAndComparesToo) {
  const std::string page = testing::TempDir() + "explore.html";
  CliRun r = run("explore sf2-sweep --html " + page);
  ASSERT_EQ(r.code, 0) << r.out;
  std::stringstream text;
  text << std::ifstream(page).rdbuf();
  EXPECT_NE(text.str().find("Pareto front (3)"), std::string::npos);
  const std::string compare = testing::TempDir() + "compare.html";
  ASSERT_EQ(run("compare --model llama3.1-8b --batch 8 --html " + compare).code, 0);
  std::stringstream bars;
  bars << std::ifstream(compare).rdbuf();
  EXPECT_NE(bars.str().find("$ per million output tokens"), std::string::npos);
  // A serving scenario has no HTML page: refused before anything runs.
  CliRun refused = run("compare --scenario offline --html " + compare + ".2");
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.out.find("--html is written for --scenario fixed only"), std::string::npos)
      << refused.out;
  EXPECT_FALSE(std::ifstream(compare + ".2").good());
  const std::string eval = testing::TempDir() + "eval.html";
  CliRun e = run("eval --chip h100-sxm --model llama3.1-8b --html " + eval);
  ASSERT_EQ(e.code, 0) << e.out;
  EXPECT_NE(e.out.find("TTFT"), std::string::npos);  // the table is still printed
  std::stringstream ops;
  ops << std::ifstream(eval).rdbuf();
  EXPECT_NE(ops.str().find("Prefill iteration, 8192 tokens"), std::string::npos);
}

TEST(CliExplore, ShardsMergeIntoTheWholeRun) {
  const std::string dir = testing::TempDir() + "cli-shard-";
  std::string stores;
  for (int k = 1; k <= 3; ++k) {
    const std::string db = dir + std::to_string(k) + ".db";
    CliRun s = run("explore sf2-sweep --threads 1 --shard " + std::to_string(k) + "/3 --db " + db);
    ASSERT_EQ(s.code, 0) << s.out;
    EXPECT_NE(s.out.find("shard " + std::to_string(k) + "/3, 96 of 288 designs evaluated"),
              std::string::npos)
        << s.out;
    stores += " " + db;
  }
  CliRun whole = run("explore sf2-sweep --all");
  CliRun merged = run("explore sf2-sweep --all --merge" + stores);
  ASSERT_EQ(merged.code, 0) << merged.out;
  EXPECT_EQ(merged.out, whole.out);
  CliRun summary = run_stdout("explore sf2-sweep --shard 2/3 --db " + dir + "j.db --format json");
  ASSERT_EQ(summary.code, 0);
  const auto j = nlohmann::json::parse(summary.out);
  EXPECT_EQ(j["shard"], "2/3");
  EXPECT_EQ(j["designs"], 96);
  EXPECT_EQ(j["of"], 288);
  // A shard writes its store only; a merge needs every shard.
  CliRun csv = run("explore sf2-sweep --shard 1/3 --db " + dir + "x.db --csv " + dir + "x.csv");
  EXPECT_EQ(csv.code, 2);
  EXPECT_NE(csv.out.find("a shard writes its designs to a results store (--db FILE) only"),
            std::string::npos)
      << csv.out;
  EXPECT_FALSE(std::ifstream(dir + "x.db").good());
  EXPECT_EQ(run("explore sf2-sweep --shard 1/3").code, 2);
  CliRun bad = run("explore sf2-sweep --shard 4/3 --db " + dir + "x.db");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.out.find("--shard: '4/3' is not a shard"), std::string::npos) << bad.out;
  CliRun missing =
      run("explore sf2-sweep --merge " + dir + "1.db " + dir + "3.db --db " + dir + "m.db");
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.out.find("shard 2/3 of data/spaces/sf2-sweep.yaml missing"), std::string::npos)
      << missing.out;
  EXPECT_FALSE(std::ifstream(dir + "m.db").good());
  EXPECT_EQ(run("explore sf2-sweep --shard 1/3 --merge" + stores).code, 2);
}

TEST(CliExplore, ShippedServingSpaceRunsEachDesignAtItsCapacity) {
  CliRun r = run("explore sf2-serving --threads 2");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("serving mlperf-llama2-70b (1000 requests, poisson at each design's "
                       "capacity), max batch 256"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("36 designs (grid), 20 feasible; infeasible: 16 max_power"),
            std::string::npos)
      << r.out;
  // The front: 128 cores at 1.8 GHz with 6 stacks; its p99s within the bounds.
  EXPECT_NE(r.out.find("    25    128 1.8 GHz          6      1    446 ms   22.6 ms       7534"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("(rate: capacity: at the fastest rate whose p99s meet"), std::string::npos)
      << r.out;
  // At a fixed 40 requests/s instead, designs that cannot keep up break the TTFT bound.
  const std::string fixed = temp_file(
      "sf2-serving-40.yaml",
      "base: sf2-inference\n"
      "workload: {model: llama3.1-70b, serving: {dataset: mlperf-llama2-70b, rate: 40, "
      "requests: 1000}}\n"
      "knobs: {cores: [64, 96, 128, 160], clock: [\"1.2 GHz\", \"1.5 GHz\", \"1.8 GHz\"], "
      "hbm_stacks: [4, 6, 8]}\n"
      "constraints: {max_ttft: \"450 ms\", max_tpot: \"40 ms\", max_power: \"1200 W\", "
      "max_dies: 2}\n");
  CliRun at40 = run("explore " + fixed + " --threads 2");
  ASSERT_EQ(at40.code, 0) << at40.out;
  EXPECT_NE(at40.out.find("36 designs (grid), 4 feasible; infeasible: 16 max_power, 16 max_ttft"),
            std::string::npos)
      << at40.out;
}

}  // namespace
