// NSGA-II search (dse/nsga2_search.hpp) on a 6,000-design grid whose front is
// known: it finds the whole front from a tenth of the designs, evaluates each
// design once, and gives the same designs in the same order for any thread
// count.
#include "dse/nsga2_search.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

namespace cw {
namespace {

// Six knobs, 5 x 4 x 5 x 4 x 5 x 3 = 6,000 designs, under TPOT, power and die limits.
DesignSpace sweep(const std::string& search) {
  const std::string path = testing::TempDir() + "nsga2_space.yaml";
  std::ofstream(path)
      << "base: sf2-inference\n"
         "workload: {model: llama3.1-70b, precision: fp8, batch: 64, input: 2048, output: 512}\n"
         "knobs:\n"
         "  cores: [64, 96, 128, 160, 192]\n"
         "  clock: [\"1.2 GHz\", \"1.5 GHz\", \"1.8 GHz\", \"2.1 GHz\"]\n"
         "  hbm_stacks: [4, 6, 8, 10, 12]\n"
         "  memory.global_buffer.capacity: [\"64 MiB\", \"128 MiB\", \"256 MiB\", \"512 MiB\"]\n"
         "  batch: [16, 32, 64, 128, 256]\n"
         "  node: [samsung-sf2, tsmc-n3e, tsmc-n4]\n"
         "constraints: {max_tpot: \"25 ms\", max_power: \"1200 W\", max_dies: 2}\n"
         "objectives: [dollars_per_mtok, joules_per_token]\n"
      << search;
  return load_design_space(path);
}

std::set<std::vector<int>> front_values(const ExploreResult& r) {
  std::set<std::vector<int>> out;
  for (int64_t i : r.pareto) out.insert(r.designs[static_cast<size_t>(i)].values);
  return out;
}

TEST(Nsga2Search, FindsTheGridsFrontFromATenthOfIt) {
  const ExploreResult grid = explore(sweep(""), ExploreOptions{2});
  ASSERT_EQ(grid.designs.size(), 6000u);
  ASSERT_EQ(grid.pareto.size(), 4u);
  const ExploreResult ga =
      explore(sweep("search: {sampler: nsga2, population: 64, generations: 30, seed: 1}\n"),
              ExploreOptions{2});
  EXPECT_LE(ga.designs.size(), 700u);  // 625 when written
  EXPECT_EQ(front_values(ga), front_values(grid));
  // Every design once, numbered in the order drawn.
  std::set<std::vector<int>> seen;
  for (size_t i = 0; i < ga.designs.size(); ++i) {
    EXPECT_EQ(ga.designs[i].index, static_cast<int64_t>(i));
    EXPECT_TRUE(seen.insert(ga.designs[i].values).second) << "design " << i << " drawn twice";
  }
}

TEST(Nsga2Search, SameDesignsForAnyThreadCount) {
  const DesignSpace s =
      sweep("search: {sampler: nsga2, population: 16, generations: 6, seed: 3}\n");
  const std::vector<DesignResult> one = nsga2_search(s, 1);
  const std::vector<DesignResult> three = nsga2_search(s, 3);
  ASSERT_EQ(one.size(), three.size());
  for (size_t i = 0; i < one.size(); ++i) {
    EXPECT_EQ(one[i].values, three[i].values) << i;
    EXPECT_EQ(one[i].dollars_per_mtok, three[i].dollars_per_mtok) << i;
    EXPECT_EQ(one[i].reason, three[i].reason) << i;
  }
  // A different seed draws a different first generation.
  const DesignSpace other =
      sweep("search: {sampler: nsga2, population: 16, generations: 6, seed: 4}\n");
  EXPECT_NE(nsga2_search(other, 1).front().values, one.front().values);
}

TEST(Nsga2Search, RefinementWalksFromItsFront) {
  const ExploreResult r = explore(
      sweep("search: {sampler: nsga2, population: 16, generations: 4, seed: 2, refine: 5}\n"),
      ExploreOptions{2});
  EXPECT_GT(r.refine_rounds, 0);
  EXPECT_GT(r.refined, 0);
  EXPECT_FALSE(r.pareto.empty());
}

// A knob with one value is no gene (pagmo refuses equal bounds); with no knob
// of two values the space is one design, evaluated once.
TEST(Nsga2Search, KnobsWithOneValueAreNotSearched) {
  auto run = [](const std::string& knobs) {
    const std::string path = testing::TempDir() + "nsga2_small.yaml";
    std::ofstream(path) << "base: sf2-inference\nworkload: {model: llama3.1-8b}\nknobs: " << knobs
                        << "\nsearch: {sampler: nsga2, population: 8, generations: 3}\n";
    return nsga2_search(load_design_space(path), 2);
  };
  const std::vector<DesignResult> two = run("{cores: [64, 96], clock: [\"1.8 GHz\"]}");
  ASSERT_EQ(two.size(), 2u);
  for (const DesignResult& d : two) {
    EXPECT_EQ(d.values[1], 0);
    EXPECT_TRUE(d.feasible) << d.why;
  }
  const std::vector<DesignResult> one = run("{cores: [64], clock: [\"1.8 GHz\"]}");
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].values, (std::vector<int>{0, 0}));
  EXPECT_TRUE(one[0].feasible) << one[0].why;
}

// NSGA-II needs two objectives; one is searched as itself twice, and the
// search ends on the grid's best design.
TEST(Nsga2Search, OneObjectiveIsSearchedToo) {
  const std::string path = testing::TempDir() + "nsga2_one.yaml";
  const std::string head =
      "base: sf2-inference\nworkload: {model: llama3.1-8b}\n"
      "knobs: {cores: [64, 96, 128, 160], batch: [8, 16, 32, 64], hbm_stacks: [4, 6, 8]}\n"
      "objectives: [dollars_per_mtok]\n";
  std::ofstream(path) << head;
  const ExploreResult grid = explore(load_design_space(path), ExploreOptions{2});
  std::ofstream(path, std::ios::trunc)
      << head << "search: {sampler: nsga2, population: 16, generations: 10}\n";
  const ExploreResult ga = explore(load_design_space(path), ExploreOptions{2});
  ASSERT_EQ(ga.pareto.size(), 1u);
  EXPECT_EQ(front_values(ga), front_values(grid));
}

// The shipped sf2-nsga2 space is sf2-random's 18,000-design grid, whose front
// has 13 designs (the grid and random-with-refinement runs agree on them).
TEST(Nsga2Search, ShippedSpaceFindsTheThirteenDesignFront) {
  const ExploreResult r = explore(load_design_space("sf2-nsga2"), ExploreOptions{2});
  EXPECT_EQ(r.designs.size(), 845u);
  EXPECT_EQ(r.pareto.size(), 13u);
  const ExploreResult sampled = explore(load_design_space("sf2-random"), ExploreOptions{2});
  EXPECT_EQ(front_values(r), front_values(sampled));
}

}  // namespace
}  // namespace cw
