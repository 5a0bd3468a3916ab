// Distributed exploration: shards written to results stores and merged give
// exactly the unsharded run; every way a merge can be wrong is refused.
#include "dse/shard_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <sstream>

#include "../support/user_error.hpp"
#include "api/explore_report.hpp"
#include "dse/results_store.hpp"

namespace cw {
namespace {

using test::error_of;
using test::has;

std::string temp(const std::string& name) {
  return testing::TempDir() + "shard-" + name;
}

std::string bytes_of(const std::string& path) {
  std::stringstream s;
  s << std::ifstream(path, std::ios::binary).rdbuf();
  return s.str();
}

// Runs shard k of n of `space` into a store and returns its path.
std::string write_shard(const DesignSpace& space, int k, int n, const std::string& tag) {
  const std::string path = temp(tag + std::to_string(k) + "of" + std::to_string(n) + ".db");
  ExploreResult r;
  r.designs = explore_shard(space, Shard{k, n}, ExploreOptions{2});
  write_results_store(path, space, r, Shard{k, n});
  return path;
}

std::vector<std::filesystem::path> write_shards(const DesignSpace& space, int n,
                                                const std::string& tag) {
  std::vector<std::filesystem::path> files;
  for (int k = n; k >= 1; --k) files.emplace_back(write_shard(space, k, n, tag));  // any order
  return files;
}

// The merged run equals the whole one: every design, the front, the one-knob
// steps and the references (the JSON of every design), and the stores byte
// for byte.
void expect_merge_equals_whole(const DesignSpace& space, int n, const std::string& tag) {
  const ExploreResult whole = explore(space, ExploreOptions{2});
  const ExploreResult merged = finish_exploration(
      space, merge_shard_stores(space, write_shards(space, n, tag)), ExploreOptions{1});
  ASSERT_EQ(merged.designs.size(), whole.designs.size());
  EXPECT_EQ(merged.pareto, whole.pareto);
  EXPECT_EQ(merged.refined, whole.refined);
  EXPECT_EQ(explore_json(space, merged, true).dump(), explore_json(space, whole, true).dump());
  write_results_store(temp(tag + "merged.db"), space, merged);
  write_results_store(temp(tag + "whole.db"), space, whole);
  EXPECT_EQ(bytes_of(temp(tag + "merged.db")), bytes_of(temp(tag + "whole.db")));
}

TEST(ShardStore, MergedGridEqualsTheWholeRun) {
  const DesignSpace space = load_design_space("sf2-sweep");
  expect_merge_equals_whole(space, 3, "grid");
  // More shards than some have designs for still covers the grid once.
  expect_merge_equals_whole(space, 7, "grid7");
}

TEST(ShardStore, MergedRandomSampleIsRefinedAsTheWholeRunIs) {
  const std::string path = temp("random.yaml");
  std::ofstream(path) << "base: sf2-inference\n"
                         "workloads:\n"
                         "  - {model: llama3.1-8b, batch: 32, input: 512, output: 128, weight: 2}\n"
                         "  - {name: big, model: llama3.1-70b, batch: 16, input: 512, output: 64}\n"
                         "knobs:\n"
                         "  cores: [64, 96, 128, 160]\n"
                         "  clock: [\"1.2 GHz\", \"1.5 GHz\", \"1.8 GHz\"]\n"
                         "  hbm_stacks: [4, 6, 8]\n"
                         "  node: [samsung-sf2, tsmc-n3e]\n"
                         "search: {sampler: random, samples: 25, seed: 3, refine: 4}\n";
  const DesignSpace space = load_design_space(path);
  const ExploreResult whole = explore(space, ExploreOptions{2});
  ASSERT_GT(whole.refined, 0);  // the merge must redo the refinement to match
  ASSERT_EQ(whole.designs.front().workloads.size(), 2u);
  expect_merge_equals_whole(space, 4, "random");
}

TEST(ShardStore, ParsesKOfN) {
  const Shard s = parse_shard("3/8", "--shard");
  EXPECT_EQ(s.number, 3);
  EXPECT_EQ(s.count, 8);
  for (const char* bad : {"0/3", "4/3", "3", "a/b", "1/0", "1/3x", "-1/3", ""}) {
    const std::string e = error_of([&] { parse_shard(bad, "--shard"); });
    EXPECT_TRUE(has(e, "--shard: '" + std::string(bad) + "' is not a shard: write K/N")) << e;
  }
}

TEST(ShardStore, RefusesAnIncompleteOrForeignSetOfShards) {
  const DesignSpace space = load_design_space("sf2-sweep");
  const auto files = write_shards(space, 3, "bad");  // shards 3, 2, 1
  auto merge_error = [&](const std::vector<std::filesystem::path>& f) {
    return error_of([&] { merge_shard_stores(space, f); });
  };
  std::string e = merge_error({files[0], files[2]});
  EXPECT_TRUE(has(e, "--merge: shard 2/3 of data/spaces/sf2-sweep.yaml missing")) << e;
  e = merge_error({files[0], files[1], files[2], files[1]});
  EXPECT_TRUE(has(e, files[1].string() + ": shard 2/3 is also in " + files[1].string())) << e;
  e = merge_error({files[0], write_shard(space, 1, 2, "bad")});
  EXPECT_TRUE(has(e, "shard 1/2 does not belong with")) << e;
  e = merge_error({"no-such-shard.db"});
  EXPECT_TRUE(has(e, "no-such-shard.db: no such file")) << e;
  std::ofstream(temp("junk.db")) << "not a database, only text\n";
  e = merge_error({temp("junk.db")});
  EXPECT_TRUE(has(e, "junk.db: not a chipwright results store")) << e;
  // A whole run's store is not a shard.
  write_results_store(temp("whole-run.db"), space, explore(space, ExploreOptions{2}));
  e = merge_error({temp("whole-run.db")});
  EXPECT_TRUE(has(e, "whole-run.db: not a shard store")) << e;
  // Shards of another space.
  const DesignSpace other = load_design_space("sf2-mix");
  e = error_of([&] { merge_shard_stores(other, files); });
  EXPECT_TRUE(has(e, files[0].string() + ": written for another design space")) << e;
  // NSGA-II has neither shards nor merges.
  const DesignSpace nsga2 = load_design_space("sf2-nsga2");
  e = error_of([&] { explore_shard(nsga2, Shard{1, 2}); });
  EXPECT_TRUE(has(e, "an NSGA-II search cannot be split into shards")) << e;
  e = error_of([&] { merge_shard_stores(nsga2, files); });
  EXPECT_TRUE(has(e, "an NSGA-II search has no shards to merge")) << e;
  EXPECT_TRUE(has(merge_error({}), "name the shard stores")) << merge_error({});
}

// Edits a store in place with one SQL statement.
void edit(const std::string& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  sqlite3_close(db);
}

TEST(ShardStore, RefusesATamperedStore) {
  const DesignSpace space = load_design_space("sf2-sweep");
  auto error_after = [&](const std::string& tag, const std::string& sql) {
    const std::string f = write_shard(space, 1, 1, tag);
    edit(f, sql);
    return error_of([&] { merge_shard_stores(space, {f}); });
  };
  std::string e = error_after("lost", "DELETE FROM designs WHERE design = 7");
  EXPECT_TRUE(has(e, "holds 287 designs, shard 1/1 of data/spaces/sf2-sweep.yaml has 288")) << e;
  e = error_after("version", "UPDATE space SET value = '0.0.1' WHERE key = 'version'");
  EXPECT_TRUE(has(e, "written by chipwright 0.0.1")) << e;
  e = error_after("value", "UPDATE designs SET cores = 100 WHERE design = 5");
  EXPECT_TRUE(has(e, "design 5: its cores '100' is not one of the space's values")) << e;
  e = error_after("foreign", "UPDATE space SET value = '2/2' WHERE key = 'shard'");
  EXPECT_TRUE(has(e, "holds design 0, which is not in shard 2/2")) << e;
}

}  // namespace
}  // namespace cw
