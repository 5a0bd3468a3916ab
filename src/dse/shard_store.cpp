#include "dse/shard_store.hpp"

#include <fmt/core.h>
#include <sqlite3.h>

#include <charconv>
#include <map>
#include <unordered_map>

#include "config/data_dir.hpp"
#include "config/error.hpp"

namespace cw {
namespace {

// One shard store opened read-only; every failure names the file.
class ShardReader {
 public:
  explicit ShardReader(std::filesystem::path path) : path_(std::move(path)) {
    if (!std::filesystem::is_regular_file(path_))
      fail("no such file (write each shard with `--shard K/N --db FILE`)");
    if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
      fail(sqlite3_errmsg(db_));
  }
  ~ShardReader() { sqlite3_close(db_); }
  ShardReader(const ShardReader&) = delete;
  ShardReader& operator=(const ShardReader&) = delete;

  // Calls row(statement) for each row of `sql`.
  template <class F>
  void each_row(const std::string& sql, F row) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      fail(fmt::format("not a chipwright results store ({})", sqlite3_errmsg(db_)));
    int rc = SQLITE_ROW;
    try {
      while ((rc = sqlite3_step(st)) == SQLITE_ROW) row(st);
    } catch (...) {
      sqlite3_finalize(st);
      throw;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) fail(sqlite3_errmsg(db_));
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw UserError(fmt::format("{}: {}", path_.string(), what));
  }

 private:
  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
};

std::string text_of(sqlite3_stmt* st, int i) {
  const unsigned char* t = sqlite3_column_text(st, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

// Column i as a double, 0 when NULL (a metric of a design that did not run).
double number_of(sqlite3_stmt* st, int i) {
  return sqlite3_column_double(st, i);
}
int int_of(sqlite3_stmt* st, int i) {
  return sqlite3_column_int(st, i);
}

// The value index of knob `k` a designs-table cell holds (names as text,
// counts as integers, quantities as SI reals), or -1.
int value_index(const Knob& k, sqlite3_stmt* st, int col) {
  for (size_t v = 0; v < k.values.size(); ++v) {
    const KnobValue& kv = k.values[v];
    switch (sqlite3_column_type(st, col)) {
      case SQLITE_TEXT:
        if (text_of(st, col) == kv.text) return static_cast<int>(v);
        break;
      case SQLITE_INTEGER:
        if (sqlite3_column_int64(st, col) == static_cast<int64_t>(kv.number))
          return static_cast<int>(v);
        break;
      case SQLITE_FLOAT:
        if (sqlite3_column_double(st, col) == kv.number) return static_cast<int>(v);
        break;
      default:
        break;
    }
  }
  return -1;
}

// Fills a design's metrics from the designs-table columns from `first` on
// (results_store.cpp's kMetricColumns order).
void read_metrics(sqlite3_stmt* st, int first, DesignResult& d) {
  int i = first;
  d.feasible = int_of(st, i++) != 0;
  d.reason = text_of(st, i++);
  d.why = text_of(st, i++);
  d.tp = int_of(st, i++);
  d.pp = sqlite3_column_type(st, i) == SQLITE_NULL ? 1 : int_of(st, i);
  ++i;
  d.chips = int_of(st, i++);
  for (double* v :
       {&d.ttft, &d.tpot, &d.tokens_per_s_per_chip, &d.joules_per_token, &d.dollars_per_mtok})
    *v = number_of(st, i++);
  d.dies = int_of(st, i++);
  for (double* v : {&d.area_mm2, &d.unit_cost, &d.power_w}) *v = number_of(st, i++);
}

struct ShardContents {
  Shard shard;
  std::vector<DesignResult> designs;
};

ShardContents read_shard(const DesignSpace& space, const std::filesystem::path& file) {
  ShardReader db(file);
  std::map<std::string, std::string> keys;
  db.each_row("SELECT key, value FROM space",
              [&](sqlite3_stmt* st) { keys[text_of(st, 0)] = text_of(st, 1); });
  if (!keys.count("shard"))
    db.fail("not a shard store (it was written without --shard K/N; a whole run needs no merge)");
  ShardContents out;
  out.shard = parse_shard(keys["shard"], file.string() + " (its `shard`)");
  if (keys["version"] != CHIPWRIGHT_VERSION)
    db.fail(fmt::format("written by chipwright {}, this is {}: rerun the shard with this version",
                        keys["version"], CHIPWRIGHT_VERSION));
  if (keys["source"] != space.source)
    db.fail(fmt::format("written for another design space: its space file ({}) differs from {}",
                        keys["file"], shown_preset_path(space.file)));
  const int nk = static_cast<int>(space.knobs.size());
  std::unordered_map<int64_t, size_t> position;
  db.each_row("SELECT * FROM designs ORDER BY design", [&](sqlite3_stmt* st) {
    DesignResult d;
    d.index = sqlite3_column_int64(st, 0);
    if (d.index % out.shard.count != out.shard.number - 1)
      db.fail(fmt::format("holds design {}, which is not in shard {}/{}", d.index, out.shard.number,
                          out.shard.count));
    for (int j = 0; j < nk; ++j) {
      const Knob& k = space.knobs[static_cast<size_t>(j)];
      const int v = value_index(k, st, 1 + j);
      if (v < 0)
        db.fail(fmt::format("design {}: its {} '{}' is not one of the space's values", d.index,
                            k.name, text_of(st, 1 + j)));
      d.values.push_back(v);
    }
    read_metrics(st, 1 + nk, d);
    position[d.index] = out.designs.size();
    out.designs.push_back(std::move(d));
  });
  // The designs the sampler deals to this shard: i = K-1, K-1+N, ...
  const int64_t n = space.design_count(), k = out.shard.number - 1;
  const int64_t expected = n > k ? (n - k + out.shard.count - 1) / out.shard.count : 0;
  if (static_cast<int64_t>(out.designs.size()) != expected)
    db.fail(fmt::format("holds {} designs, shard {}/{} of {} has {} (an interrupted write?)",
                        out.designs.size(), out.shard.number, out.shard.count,
                        shown_preset_path(space.file), expected));
  std::unordered_map<std::string, size_t> workload;
  for (size_t i = 0; i < space.workloads.size(); ++i) workload[space.workloads[i].name] = i;
  db.each_row(
      "SELECT design, workload, tp, pp, ttft_s, tpot_s, tokens_per_s_per_chip, "
      "joules_per_token, dollars_per_mtok FROM design_workloads ORDER BY rowid",
      [&](sqlite3_stmt* st) {
        const auto d = position.find(sqlite3_column_int64(st, 0));
        const auto w = workload.find(text_of(st, 1));
        if (d == position.end() || w == workload.end())
          db.fail(
              fmt::format("design_workloads row for design {}, workload '{}' matches no "
                          "design or workload of the space",
                          sqlite3_column_int64(st, 0), text_of(st, 1)));
        auto& ws = out.designs[d->second].workloads;
        if (ws.size() != w->second)
          db.fail(fmt::format("design {}: its workloads are out of order", d->first));
        WorkloadResult r;
        r.tp = int_of(st, 2);
        r.pp = int_of(st, 3);
        r.ttft = number_of(st, 4);
        r.tpot = number_of(st, 5);
        r.tokens_per_s_per_chip = number_of(st, 6);
        r.joules_per_token = number_of(st, 7);
        r.dollars_per_mtok = number_of(st, 8);
        ws.push_back(r);
      });
  return out;
}

}  // namespace

Shard parse_shard(const std::string& text, const std::string& flag) {
  Shard s;
  const auto slash = text.find('/');
  auto number = [&](std::string_view part, int& out) {
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc() && end == part.data() + part.size();
  };
  const std::string_view all(text);
  if (slash == std::string::npos || !number(all.substr(0, slash), s.number) ||
      !number(all.substr(slash + 1), s.count) || s.count < 1 || s.number < 1 || s.number > s.count)
    throw UserError(fmt::format(
        "{}: '{}' is not a shard: write K/N with 1 <= K <= N, e.g. --shard 1/4 ... --shard 4/4",
        flag, text));
  return s;
}

std::vector<DesignResult> merge_shard_stores(const DesignSpace& space,
                                             const std::vector<std::filesystem::path>& files) {
  if (files.empty()) throw UserError("--merge: name the shard stores to merge");
  if (space.sampler == DesignSpace::Sampler::nsga2)
    throw UserError(
        fmt::format("{}: an NSGA-II search has no shards to merge", shown_preset_path(space.file)));
  std::vector<std::vector<DesignResult>> shards;
  std::vector<std::string> from;
  int count = 0;
  for (const auto& file : files) {
    ShardContents c = read_shard(space, file);
    if (count == 0) {
      count = c.shard.count;
      shards.resize(static_cast<size_t>(count));
      from.resize(static_cast<size_t>(count));
    }
    if (c.shard.count != count)
      throw UserError(fmt::format("{}: shard {}/{} does not belong with {}'s {} shards",
                                  file.string(), c.shard.number, c.shard.count,
                                  files.front().string(), count));
    const auto k = static_cast<size_t>(c.shard.number - 1);
    if (!from[k].empty())
      throw UserError(fmt::format("{}: shard {}/{} is also in {}; merge each shard once",
                                  file.string(), c.shard.number, count, from[k]));
    from[k] = file.string();
    shards[k] = std::move(c.designs);
  }
  std::string missing;
  for (int k = 0; k < count; ++k)
    if (from[static_cast<size_t>(k)].empty())
      missing += fmt::format("{}{}/{}", missing.empty() ? "" : ", ", k + 1, count);
  if (!missing.empty())
    throw UserError(fmt::format(
        "--merge: shard{} {} of {} missing: run `chipwright explore {} --shard K/N --db FILE` "
        "for each and merge them all",
        missing.find(',') == std::string::npos ? "" : "s", missing, shown_preset_path(space.file),
        shown_preset_path(space.file)));
  // Design i is the (i / N)-th design of shard i mod N.
  std::vector<DesignResult> designs;
  const int64_t n = space.design_count();
  designs.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    designs.push_back(
        std::move(shards[static_cast<size_t>(i % count)][static_cast<size_t>(i / count)]));
  return designs;
}

}  // namespace cw
