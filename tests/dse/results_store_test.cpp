// The SQLite results store of an exploration.
#include "dse/results_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>

#include "../support/user_error.hpp"

namespace cw {
namespace {

// The first column of the first row of `sql` as text ("" for NULL).
std::string query(const std::string& file, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
  std::string out = "<no row>";
  if (sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(st, 0);
    out = t ? reinterpret_cast<const char*>(t) : "";
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

TEST(ResultsStore, HoldsEveryDesignTheFrontAndTheReferences) {
  const DesignSpace space = load_design_space("sf2-sweep");
  const ExploreResult r = explore(space, ExploreOptions{2});
  const std::string file = testing::TempDir() + "sweep.db";
  write_results_store(file, space, r);
  EXPECT_EQ(query(file, "SELECT count(*) FROM designs"), "288");
  EXPECT_EQ(query(file, "SELECT sum(feasible) FROM designs"), std::to_string(r.feasible));
  EXPECT_EQ(query(file, "SELECT sum(pareto) FROM designs"), std::to_string(r.pareto.size()));
  EXPECT_EQ(query(file, "SELECT value FROM space WHERE key = 'base'"), "sf2-inference");
  EXPECT_EQ(query(file, "SELECT value FROM space WHERE key = 'file'"),
            "data/spaces/sf2-sweep.yaml");
  EXPECT_EQ(query(file, "SELECT value FROM space WHERE key = 'version'"), CHIPWRIGHT_VERSION);
  EXPECT_EQ(query(file,
                  "SELECT instr(value, 'base: sf2-inference') > 0 FROM space "
                  "WHERE key = 'source'"),
            "1");  // the space file's text, so a merge can tell its shards apart
  EXPECT_EQ(query(file, "SELECT count(*) FROM space WHERE key = 'shard'"), "0");
  EXPECT_EQ(query(file, "SELECT count(*) FROM knobs"), "5");
  EXPECT_EQ(query(file, "SELECT kind FROM knobs WHERE name = 'clock'"), "clock_hz");
  // Knob columns: counts as integers, quantities in SI units.
  const DesignResult& best = r.designs[static_cast<size_t>(r.pareto.front())];
  const std::string row = " FROM designs WHERE design = " + std::to_string(best.index);
  EXPECT_EQ(query(file, "SELECT typeof(cores)" + row), "integer");
  EXPECT_EQ(query(file, "SELECT cores" + row), "128");
  EXPECT_EQ(query(file, "SELECT \"memory.global_buffer.capacity\"" + row), "134217728.0");
  EXPECT_NEAR(std::stod(query(file, "SELECT dollars_per_mtok" + row)), best.dollars_per_mtok,
              best.dollars_per_mtok * 1e-12);  // printed with 15 significant digits
  EXPECT_EQ(
      query(file, "SELECT count(*) FROM designs WHERE reason = 'max_power' AND tpot_s IS NULL"),
      "128");
  EXPECT_EQ(query(file, "SELECT count(*) FROM reference"), "3");
  EXPECT_EQ(query(file, "SELECT tp FROM reference WHERE chip = 'h100-sxm'"), "2");
  EXPECT_EQ(query(file, "SELECT count(*) FROM sensitivity"), std::to_string(r.sensitivity.size()));
}

TEST(ResultsStore, UnwritablePathIsAUserErrorAndLeavesNoFile) {
  const DesignSpace space = load_design_space("sf2-sweep");
  ExploreResult r;  // an empty exploration still has a schema to write
  const std::string file = testing::TempDir() + "no-such-dir/out.db";
  const std::string e = test::error_of([&] { write_results_store(file, space, r); });
  EXPECT_TRUE(test::has(e, file)) << e;
  EXPECT_FALSE(std::filesystem::exists(file));
}

}  // namespace
}  // namespace cw
