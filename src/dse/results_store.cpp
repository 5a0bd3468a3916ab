#include "dse/results_store.hpp"

#include <fmt/core.h>
#include <sqlite3.h>

#include <memory>
#include <string>

#include "config/data_dir.hpp"
#include "config/error.hpp"
#include "report/atomic_file.hpp"

namespace cw {
namespace {

// A column or table name as an SQL identifier: double-quoted, quotes doubled.
std::string quoted(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

const char* kind_name(KnobKind k) {
  switch (k) {
    case KnobKind::cores:
      return "cores";
    case KnobKind::clock:
      return "clock_hz";
    case KnobKind::array:
      return "array_side";
    case KnobKind::hbm_stacks:
      return "hbm_stacks";
    case KnobKind::hbm_stack_bandwidth:
      return "bytes_per_s";
    case KnobKind::hbm_stack_capacity:
      return "bytes";
    case KnobKind::level_capacity:
      return "bytes";
    case KnobKind::level_bandwidth:
      return "bytes_per_s";
    case KnobKind::links:
      return "links";
    case KnobKind::link_bandwidth:
      return "bytes_per_s";
    case KnobKind::node:
      return "node";
    case KnobKind::hbm_type:
      return "memory_type";
    case KnobKind::tdp:
      return "watts";
    case KnobKind::batch:
      return "batch";
    case KnobKind::tp:
      return "tp";
    case KnobKind::draft_tokens:
      return "draft_tokens";
  }
  return "?";
}

// The design metrics every row-holding table shares, in column order.
constexpr const char* kMetricColumns =
    "feasible INTEGER, reason TEXT, why TEXT, tp INTEGER, pp INTEGER, chips INTEGER, ttft_s REAL, "
    "tpot_s REAL, tokens_per_s_per_chip REAL, joules_per_token REAL, dollars_per_mtok REAL, "
    "dies INTEGER, area_mm2 REAL, unit_cost REAL, power_w REAL";
constexpr int kMetricCount = 15;

class Db {
 public:
  explicit Db(const std::filesystem::path& path) : path_(path) {
    if (sqlite3_open(":memory:", &db_) != SQLITE_OK) fail("cannot open an in-memory database");
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      fail(msg);
    }
  }

  // A prepared statement, finalized when it goes out of scope.
  struct Stmt {
    sqlite3_stmt* s = nullptr;
    ~Stmt() { sqlite3_finalize(s); }
  };
  std::unique_ptr<Stmt> prepare(const std::string& sql) {
    auto st = std::make_unique<Stmt>();
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st->s, nullptr) != SQLITE_OK)
      fail(sqlite3_errmsg(db_));
    return st;
  }
  void step(Stmt& st) {
    if (sqlite3_step(st.s) != SQLITE_DONE) fail(sqlite3_errmsg(db_));
    sqlite3_reset(st.s);
    sqlite3_clear_bindings(st.s);
  }

  // The whole database as the bytes of a database file.
  std::string serialize() {
    sqlite3_int64 size = 0;
    unsigned char* bytes = sqlite3_serialize(db_, "main", &size, 0);
    if (!bytes) fail("cannot serialize the database");
    std::string out(reinterpret_cast<const char*>(bytes), static_cast<size_t>(size));
    sqlite3_free(bytes);
    return out;
  }

  [[noreturn]] void fail(const std::string& what) {
    throw UserError(fmt::format("{}: cannot build the results store: {}", path_.string(), what));
  }

 private:
  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
};

void bind_text(sqlite3_stmt* s, int i, const std::string& text) {
  sqlite3_bind_text(s, i, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

// Binds a design's metrics from column `first` on; metrics of a design that
// did not run are NULL.
void bind_metrics(sqlite3_stmt* s, int first, const DesignResult& d) {
  int i = first;
  sqlite3_bind_int(s, i++, d.feasible ? 1 : 0);
  if (d.feasible) {
    i += 2;  // reason, why: NULL
  } else {
    bind_text(s, i++, d.reason);
    bind_text(s, i++, d.why);
  }
  if (d.tp > 0) {
    sqlite3_bind_int(s, i++, d.tp);
    sqlite3_bind_int(s, i++, d.pp);
    sqlite3_bind_int(s, i++, d.chips);
    for (double v :
         {d.ttft, d.tpot, d.tokens_per_s_per_chip, d.joules_per_token, d.dollars_per_mtok})
      sqlite3_bind_double(s, i++, v);
  } else {
    i += 8;
  }
  if (d.dies > 0) {
    sqlite3_bind_int(s, i++, d.dies);
    for (double v : {d.area_mm2, d.unit_cost, d.power_w}) sqlite3_bind_double(s, i++, v);
  }
}

std::string placeholders(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += i ? ", ?" : "?";
  return s;
}

bool is_count(KnobKind k) {
  return k == KnobKind::cores || k == KnobKind::array || k == KnobKind::hbm_stacks ||
         k == KnobKind::links || k == KnobKind::batch || k == KnobKind::tp ||
         k == KnobKind::draft_tokens;
}

// Knobs whose values are names (KnobValue::text), not numbers.
bool is_text(KnobKind k) {
  return k == KnobKind::node || k == KnobKind::hbm_type;
}

// A knob's column: names as text, counts as integers, quantities in SI.
const char* knob_type(KnobKind k) {
  return is_text(k) ? "TEXT" : is_count(k) ? "INTEGER" : "REAL";
}

void bind_knob(sqlite3_stmt* s, int i, const Knob& k, int value) {
  const KnobValue& v = k.values[static_cast<size_t>(value)];
  if (is_text(k.kind))
    bind_text(s, i, v.text);
  else if (is_count(k.kind))
    sqlite3_bind_int64(s, i, static_cast<sqlite3_int64>(v.number));
  else
    sqlite3_bind_double(s, i, v.number);
}

}  // namespace

void write_results_store(const std::filesystem::path& path, const DesignSpace& space,
                         const ExploreResult& r, std::optional<Shard> shard) {
  Db db(path);
  db.exec("BEGIN");
  db.exec("CREATE TABLE space (key TEXT PRIMARY KEY, value TEXT)");
  {
    auto st = db.prepare("INSERT INTO space VALUES (?, ?)");
    std::string objectives;
    for (Metric m : space.objectives)
      objectives += (objectives.empty() ? "" : ",") + std::string(metric_name(m));
    std::vector<std::pair<const char*, std::string>> rows = {
        {"file", shown_preset_path(space.file)},
        {"source", space.source},
        {"version", CHIPWRIGHT_VERSION},
        {"base", space.base_chip.id},
        {"workloads", std::to_string(space.workloads.size())},
        {"objectives", objectives},
        {"sampler", sampler_name(space.sampler)},
        {"seed", std::to_string(space.seed)},
        {"designs", std::to_string(r.designs.size())},
        {"refined", std::to_string(r.refined)},
        {"feasible", std::to_string(r.feasible)}};
    if (shard) rows.emplace_back("shard", fmt::format("{}/{}", shard->number, shard->count));
    for (const auto& [key, value] : rows) {
      bind_text(st->s, 1, key);
      bind_text(st->s, 2, value);
      db.step(*st);
    }
  }
  db.exec(
      "CREATE TABLE workloads (position INTEGER PRIMARY KEY, name TEXT, model TEXT, "
      "precision TEXT, batch INTEGER, input INTEGER, output INTEGER, tp TEXT, weight REAL, "
      "serving TEXT)");
  {
    auto st = db.prepare("INSERT INTO workloads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (size_t i = 0; i < space.workloads.size(); ++i) {
      const WorkloadSpec& w = space.workloads[i];
      sqlite3_bind_int(st->s, 1, static_cast<int>(i));
      bind_text(st->s, 2, w.name);
      bind_text(st->s, 3, w.model_id);
      bind_text(st->s, 4, w.precision_id);
      sqlite3_bind_int64(st->s, 5, w.run.batch);
      sqlite3_bind_int64(st->s, 6, w.run.input);
      sqlite3_bind_int64(st->s, 7, w.run.output);
      bind_text(st->s, 8, w.tp > 0 ? std::to_string(w.tp) : "auto");
      sqlite3_bind_double(st->s, 9, w.weight);
      if (w.serving)
        bind_text(st->s, 10,
                  fmt::format("{} ({} requests, {})", w.serving->source,
                              w.serving->requests.requests.size(), w.serving->requests.arrivals));
      db.step(*st);
    }
  }
  db.exec("CREATE TABLE knobs (position INTEGER PRIMARY KEY, name TEXT, kind TEXT)");
  std::string knob_columns;
  {
    auto st = db.prepare("INSERT INTO knobs VALUES (?, ?, ?)");
    for (size_t j = 0; j < space.knobs.size(); ++j) {
      const Knob& k = space.knobs[j];
      sqlite3_bind_int(st->s, 1, static_cast<int>(j));
      bind_text(st->s, 2, k.name);
      bind_text(st->s, 3, kind_name(k.kind));
      db.step(*st);
      knob_columns += fmt::format("{} {}, ", quoted(k.name), knob_type(k.kind));
    }
  }
  const int nk = static_cast<int>(space.knobs.size());
  db.exec(fmt::format("CREATE TABLE designs (design INTEGER PRIMARY KEY, {}{}, pareto INTEGER)",
                      knob_columns, kMetricColumns));
  {
    const std::vector<bool> front = on_front(r);
    auto st = db.prepare(
        fmt::format("INSERT INTO designs VALUES ({})", placeholders(1 + nk + kMetricCount + 1)));
    for (size_t i = 0; i < r.designs.size(); ++i) {
      const DesignResult& d = r.designs[i];
      sqlite3_bind_int64(st->s, 1, d.index);
      for (int j = 0; j < nk; ++j)
        bind_knob(st->s, 2 + j, space.knobs[static_cast<size_t>(j)],
                  d.values[static_cast<size_t>(j)]);
      bind_metrics(st->s, 2 + nk, d);
      sqlite3_bind_int(st->s, 2 + nk + kMetricCount, front[i] ? 1 : 0);
      db.step(*st);
    }
  }
  // Each design's run of each workload (designs that ran all of them).
  db.exec(
      "CREATE TABLE design_workloads (design INTEGER, workload TEXT, tp INTEGER, pp INTEGER, "
      "ttft_s REAL, tpot_s REAL, tokens_per_s_per_chip REAL, joules_per_token REAL, "
      "dollars_per_mtok REAL)");
  {
    auto st = db.prepare("INSERT INTO design_workloads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const DesignResult& d : r.designs) {
      for (size_t i = 0; i < d.workloads.size(); ++i) {
        const WorkloadResult& w = d.workloads[i];
        sqlite3_bind_int64(st->s, 1, d.index);
        bind_text(st->s, 2, space.workloads[i].name);
        sqlite3_bind_int(st->s, 3, w.tp);
        sqlite3_bind_int(st->s, 4, w.pp);
        int c = 5;
        for (double v :
             {w.ttft, w.tpot, w.tokens_per_s_per_chip, w.joules_per_token, w.dollars_per_mtok})
          sqlite3_bind_double(st->s, c++, v);
        db.step(*st);
      }
    }
  }
  db.exec(fmt::format("CREATE TABLE reference (chip TEXT, {})", kMetricColumns));
  {
    auto st = db.prepare(
        fmt::format("INSERT INTO reference VALUES ({})", placeholders(1 + kMetricCount)));
    for (size_t i = 0; i < r.references.size(); ++i) {
      bind_text(st->s, 1, space.reference_chips[i].id);
      bind_metrics(st->s, 2, r.references[i]);
      db.step(*st);
    }
  }
  db.exec(fmt::format("CREATE TABLE sensitivity (knob TEXT, from_value TEXT, to_value TEXT, {})",
                      kMetricColumns));
  {
    auto st = db.prepare(
        fmt::format("INSERT INTO sensitivity VALUES ({})", placeholders(3 + kMetricCount)));
    for (const KnobStep& s : r.sensitivity) {
      const Knob& k = space.knobs[s.knob];
      bind_text(st->s, 1, k.name);
      bind_text(st->s, 2, k.label(s.from));
      bind_text(st->s, 3, k.label(s.to));
      bind_metrics(st->s, 4, s.design);
      db.step(*st);
    }
  }
  db.exec("COMMIT");
  write_file_atomically(path, db.serialize());
}

}  // namespace cw
