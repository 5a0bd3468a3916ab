#include "dse/design_space.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "config/config_node.hpp"
#include "config/data_dir.hpp"
#include "config/did_you_mean.hpp"
#include "config/value_checks.hpp"
#include "hardware/chip_loader.hpp"
#include "silicon/area_model.hpp"
#include "silicon/process_node.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace cw {
namespace {

struct KnobInfo {
  const char* name;
  KnobKind kind;
};
// Knobs named as written; memory.<level>.capacity|bandwidth are matched apart.
constexpr KnobInfo kKnobs[] = {
    {"cores", KnobKind::cores},
    {"clock", KnobKind::clock},
    {"array", KnobKind::array},
    {"hbm_stacks", KnobKind::hbm_stacks},
    {"hbm_stack_bandwidth", KnobKind::hbm_stack_bandwidth},
    {"hbm_stack_capacity", KnobKind::hbm_stack_capacity},
    {"hbm_type", KnobKind::hbm_type},
    {"links", KnobKind::links},
    {"link_bandwidth", KnobKind::link_bandwidth},
    {"node", KnobKind::node},
    {"tdp", KnobKind::tdp},
    {"batch", KnobKind::batch},
    {"tp", KnobKind::tp},
    {"draft_tokens", KnobKind::draft_tokens},
};

constexpr Metric kMetrics[] = {Metric::dollars_per_mtok,
                               Metric::joules_per_token,
                               Metric::tokens_per_s_per_chip,
                               Metric::ttft,
                               Metric::tpot,
                               Metric::unit_cost,
                               Metric::area,
                               Metric::power};

std::vector<std::string> knob_names(const ChipSpec& chip) {
  std::vector<std::string> out;
  for (const auto& k : kKnobs) out.push_back(k.name);
  for (const auto& lv : chip.memory) {
    out.push_back("memory." + lv.name + ".capacity");
    out.push_back("memory." + lv.name + ".bandwidth");
  }
  return out;
}

// A count knob: a whole number in [1, hi].
KnobValue count_value(const ConfigNode& v, int64_t hi) {
  const int64_t n = v.as_int();
  if (n < 1 || n > hi) v.fail(fmt::format("expected a whole number from 1 to {}, got {}", hi, n));
  return {static_cast<double>(n), "", std::to_string(n)};
}

KnobValue quantity_value(const ConfigNode& v, UnitKind kind) {
  const double x = v.as_quantity(kind);
  if (!(x > 0)) v.fail("expected a positive quantity");
  return {x, "", v.as_string()};
}

KnobValue read_value(const Knob& k, const ConfigNode& v) {
  switch (k.kind) {
    case KnobKind::cores:
      return count_value(v, 1'000'000);
    case KnobKind::array:
      return count_value(v, 4096);
    case KnobKind::hbm_stacks:
      return count_value(v, 64);
    case KnobKind::links:
      return count_value(v, 1024);
    case KnobKind::batch:
      return count_value(v, 1'000'000);
    case KnobKind::tp:
      return count_value(v, 1024);
    case KnobKind::draft_tokens: {
      const int n = count_in(v, 0, 16, "draft tokens per iteration: 0 (no speculation) to 16");
      return {static_cast<double>(n), "", std::to_string(n)};
    }
    case KnobKind::clock:
      return quantity_value(v, UnitKind::Hertz);
    case KnobKind::hbm_stack_bandwidth:
    case KnobKind::level_bandwidth:
    case KnobKind::link_bandwidth:
      return quantity_value(v, UnitKind::BytesPerSecond);
    case KnobKind::hbm_stack_capacity:
    case KnobKind::level_capacity:
      return quantity_value(v, UnitKind::Bytes);
    case KnobKind::tdp:
      return quantity_value(v, UnitKind::Watts);
    case KnobKind::hbm_type: {
      // The generations the silicon model distinguishes (area_model.cpp PHY
      // width, energy_model.cpp pJ/bit).
      const std::string t = v.as_string();
      const std::vector<std::string> known = {"HBM2E", "HBM3", "HBM3E", "HBM4", "HBM4E"};
      if (std::find(known.begin(), known.end(), t) == known.end())
        v.fail(fmt::format("unknown HBM type '{}'", t), suggestion(t, known));
      return {0, t, t};
    }
    case KnobKind::node: {
      const std::string id = v.as_string();
      try {
        load_node(id);
      } catch (const UserError& e) {
        v.fail(e.what());
      }
      return {0, id, id};
    }
  }
  v.fail("unhandled knob");
}

Knob read_knob(const std::string& name, const ConfigNode& values, const ChipSpec& chip) {
  Knob k;
  k.name = name;
  bool known = false;
  for (const auto& info : kKnobs) {
    if (name == info.name) {
      k.kind = info.kind;
      known = true;
    }
  }
  const std::string cap = ".capacity", bw = ".bandwidth";
  if (!known && name.rfind("memory.", 0) == 0) {
    for (const auto& lv : chip.memory) {
      if (name == "memory." + lv.name + cap) {
        k.kind = KnobKind::level_capacity;
      } else if (name == "memory." + lv.name + bw) {
        k.kind = KnobKind::level_bandwidth;
      } else {
        continue;
      }
      k.level = lv.name;
      known = true;
    }
  }
  if (!known) {
    values.fail(fmt::format("unknown knob '{}'", name), suggestion(name, knob_names(chip)));
  }
  const bool hbm = k.kind == KnobKind::hbm_stacks || k.kind == KnobKind::hbm_stack_bandwidth ||
                   k.kind == KnobKind::hbm_stack_capacity || k.kind == KnobKind::hbm_type;
  if (hbm && chip.main_memory().stacks < 1) {
    values.fail(fmt::format("knob '{}' needs a base chip whose main memory is HBM stacks; {}'s "
                            "'{}' has none",
                            name, chip.id, chip.main_memory().name),
                "vary memory." + chip.main_memory().name + ".bandwidth/.capacity instead");
  }
  if (!values.is_sequence()) values.fail("expected a list of values, e.g. [64, 96, 128]");
  for (const ConfigNode& v : values.items()) k.values.push_back(read_value(k, v));
  if (k.values.empty()) values.fail("the knob has no values; list at least one");
  return k;
}

Metric read_metric(const ConfigNode& n) {
  const std::string s = n.as_string();
  std::vector<std::string> names;
  for (Metric m : kMetrics) {
    if (s == metric_name(m)) return m;
    names.push_back(metric_name(m));
  }
  n.fail(fmt::format("unknown objective '{}'", s), suggestion(s, names));
}

// `serving:` of a workload: a dataset or trace, Poisson arrivals at `rate`
// requests/s to one deployment (none: every request at t = 0), `requests`
// sent, the arrival seed and the engine's `max_batch`. Sets w.serving and
// w.run's batch (max_batch) and mean lengths.
void read_serving(const ConfigNode& n, WorkloadSpec& w, const Constraints& limits) {
  n.expect_keys({"dataset", "trace", "rate", "requests", "seed", "max_batch", "min_duration"});
  ServeOptions o;
  const auto dataset = n.optional("dataset"), trace = n.optional("trace");
  if (dataset.has_value() == trace.has_value())
    n.fail("a serving workload needs exactly one of dataset or trace",
           "e.g. serving: {dataset: mlperf-llama2-70b, rate: 4, requests: 500}");
  if (dataset) o.dataset = dataset->as_string();
  if (trace) o.trace = trace->as_string();
  auto serving = std::make_shared<ServingWorkload>();
  if (auto seed = n.optional("seed"))
    o.seed = serving->seed = static_cast<uint64_t>(count_in(*seed, 0, 2147483647, ""));
  if (auto rate = n.optional("rate")) {
    o.arrivals.kind = ArrivalKind::poisson;
    if (rate->as_string() == "capacity") {
      // Re-timed per design by the capacity search (serving/capacity.hpp).
      if (limits.max_ttft == Constraints::kNone && limits.max_tpot == Constraints::kNone)
        rate->fail(
            "rate: capacity searches the fastest rate that meets max_ttft and max_tpot, "
            "and the space sets neither",
            "add constraints: {max_ttft: \"450 ms\", max_tpot: \"40 ms\"}");
      serving->capacity = true;
    } else {
      o.arrivals.rate = rate->as_double_in(0, 1e9);
    }
  }
  if (auto d = n.optional("min_duration")) {
    if (!serving->capacity)
      d->fail("min_duration applies to rate: capacity (each probe's arrivals span this long)",
              "drop it, or set rate: capacity");
    serving->min_duration = d->as_quantity(UnitKind::Seconds);
  }
  if (auto q = n.optional("requests"))
    o.requests = static_cast<int64_t>(count_value(*q, 1'000'000).number);
  serving->source = dataset ? o.dataset : o.trace;
  try {
    serving->requests = serve_requests(o);
  } catch (const UserError& e) {
    (dataset ? *dataset : *trace).fail(e.what());
  }
  if (serving->capacity) serving->requests.arrivals = "poisson at each design's capacity";
  w.run.batch = 256;  // the serve command's default engine limit
  if (auto b = n.optional("max_batch"))
    w.run.batch = static_cast<int64_t>(count_value(*b, 1'000'000).number);
  double input = 0, output = 0;
  for (const Request& q : serving->requests.requests) {
    input += static_cast<double>(q.input);
    output += static_cast<double>(q.width * q.output);
  }
  const auto count = static_cast<double>(serving->requests.requests.size());
  w.run.input = std::max<int64_t>(1, std::llround(input / count));
  w.run.output = std::max<int64_t>(1, std::llround(output / count));
  w.serving = std::move(serving);
}

// `speculative: {draft_tokens, acceptance[, draft]}` of a workload
// (engine/speculation.hpp): sets w.run.speculation.
void read_speculation(const ConfigNode& n, WorkloadSpec& w) {
  n.expect_keys({"draft_tokens", "acceptance", "draft"});
  const int k = static_cast<int>(count_in(n.required("draft_tokens"), 1, 16, ""));
  const double acceptance = n.required("acceptance").as_double_in(0, 1);
  const auto draft = n.optional("draft");
  try {
    w.run.speculation =
        resolve_speculation(k, acceptance, draft ? draft->as_string() : "head", w.model);
  } catch (const UserError& e) {
    if (draft) draft->fail(e.what());
    n.fail(e.what());
  }
}

WorkloadSpec read_workload(const ConfigNode& n, bool in_mix, const Constraints& limits) {
  if (in_mix) {
    n.expect_keys({"name", "weight", "model", "precision", "batch", "input", "output", "max_tokens",
                   "tp", "max_tp", "max_pp", "serving", "speculative"});
  } else {
    n.expect_keys({"model", "precision", "batch", "input", "output", "max_tokens", "tp", "max_tp",
                   "max_pp", "serving", "speculative"});
  }
  if (auto serving = n.optional("serving")) {
    for (const char* key : {"batch", "input", "output", "max_pp"})
      if (auto k = n.optional(key))
        k->fail(fmt::format("{} is for a fixed batch; a serving workload takes its lengths from "
                            "its dataset or trace and runs without pipeline stages",
                            key),
                std::string(key) == "batch" ? "set serving.max_batch (or a batch knob)"
                                            : fmt::format("drop {}", key));
  }
  WorkloadSpec w;
  const ConfigNode model = n.required("model");
  w.model_id = model.as_string();
  try {
    w.model = load_model(w.model_id);
  } catch (const UserError& e) {
    model.fail(e.what());
  }
  w.name = n.optional("name") ? n.required("name").as_string() : w.model.id;
  w.precision_id = "fp8";
  if (auto p = n.optional("precision")) w.precision_id = p->as_string();
  try {
    w.precision = load_precision(w.precision_id);
  } catch (const UserError& e) {
    if (auto p = n.optional("precision")) p->fail(e.what());
    throw;
  }
  auto count = [&n](const char* key, int64_t fallback, int64_t hi) {
    auto v = n.optional(key);
    return v ? static_cast<int64_t>(count_value(*v, hi).number) : fallback;
  };
  w.run.batch = count("batch", 64, 1'000'000);
  w.run.input = count("input", 2048, 10'000'000);
  w.run.output = count("output", 512, 10'000'000);
  w.run.max_tokens = count("max_tokens", 8192, 10'000'000);
  w.max_tp = static_cast<int>(count("max_tp", 8, 1024));
  w.max_pp = static_cast<int>(count("max_pp", 1, 1024));
  if (auto tp = n.optional("tp")) {
    if (tp->as_string() != "auto") w.tp = static_cast<int>(count_value(*tp, 1024).number);
  }
  if (auto serving = n.optional("serving")) read_serving(*serving, w, limits);
  if (auto spec = n.optional("speculative")) read_speculation(*spec, w);
  if (auto wt = n.optional("weight")) {
    w.weight = wt->as_double();
    if (!(w.weight > 0 && w.weight < 1e12)) {
      wt->fail(fmt::format("a workload's weight must be a positive share, got {}", w.weight),
               "e.g. weight: 0.3 (shares are relative; they are normalised to sum to 1)");
    }
  }
  return w;
}

void read_workloads(const ConfigNode& doc, DesignSpace& s) {
  const auto one = doc.optional("workload"), mix = doc.optional("workloads");
  if (one && mix) {
    mix->fail("give either workload (one) or workloads (a mix), not both",
              "move the single workload into the workloads list");
  }
  if (!one && !mix) {
    doc.fail("no workload", "add workload: {model: llama3.1-70b} or a workloads: list");
  }
  if (one) {
    s.workloads.push_back(read_workload(*one, false, s.constraints));
    return;
  }
  if (!mix->is_sequence()) mix->fail("expected a list of workloads, each with its model");
  double total = 0;
  for (const ConfigNode& item : mix->items()) {
    s.workloads.push_back(read_workload(item, true, s.constraints));
    for (size_t i = 0; i + 1 < s.workloads.size(); ++i) {
      if (s.workloads[i].name == s.workloads.back().name) {
        item.fail(fmt::format("two workloads are named '{}'", s.workloads.back().name),
                  "give each workload a distinct name: key");
      }
    }
    total += s.workloads.back().weight;
  }
  if (s.workloads.empty()) mix->fail("the list is empty", "list at least one workload");
  for (WorkloadSpec& w : s.workloads) w.weight /= total;
}

void read_constraints(const ConfigNode& n, Constraints& c) {
  n.expect_keys({"max_ttft", "max_tpot", "max_power", "max_unit_cost", "max_area", "max_dies"});
  auto q = [&n](const char* key, UnitKind kind, double& out) {
    if (auto v = n.optional(key)) out = quantity_value(*v, kind).number;
  };
  q("max_ttft", UnitKind::Seconds, c.max_ttft);
  q("max_tpot", UnitKind::Seconds, c.max_tpot);
  q("max_power", UnitKind::Watts, c.max_power);
  q("max_unit_cost", UnitKind::Dollars, c.max_unit_cost);
  q("max_area", UnitKind::SquareMillimetres, c.max_area);
  if (auto v = n.optional("max_dies")) c.max_dies = static_cast<int>(count_value(*v, 64).number);
}

void read_search(const ConfigNode& n, DesignSpace& s) {
  n.expect_keys({"sampler", "samples", "population", "generations", "seed", "refine"});
  const std::string sampler = n.optional("sampler") ? n.required("sampler").as_string() : "grid";
  if (sampler == "grid") {
    s.sampler = DesignSpace::Sampler::grid;
  } else if (sampler == "random") {
    s.sampler = DesignSpace::Sampler::random;
  } else if (sampler == "nsga2") {
    s.sampler = DesignSpace::Sampler::nsga2;
  } else {
    n.required("sampler").fail(fmt::format("unknown sampler '{}'", sampler),
                               "use grid (every combination), random (with samples: N) or "
                               "nsga2 (with population: P, generations: G)");
  }
  // Each key and the samplers it applies to.
  auto only_for = [&](const char* key, const char* samplers, bool applies) {
    if (n.has(key) && !applies) {
      n.required(key).fail(fmt::format("{} applies to sampler: {} only", key, samplers),
                           fmt::format("drop it, or set sampler: {}", samplers));
    }
  };
  const bool random = s.sampler == DesignSpace::Sampler::random;
  const bool nsga2 = s.sampler == DesignSpace::Sampler::nsga2;
  only_for("samples", "random", random);
  only_for("population", "nsga2", nsga2);
  only_for("generations", "nsga2", nsga2);
  only_for("refine", "random or nsga2", random || nsga2);
  only_for("seed", "random or nsga2", random || nsga2);
  if (random)
    s.samples = static_cast<int64_t>(count_value(n.required("samples"), kMaxGridDesigns).number);
  if (auto p = n.optional("population")) {
    s.population = static_cast<int>(count_value(*p, 10000).number);
    // pagmo's NSGA-II pairs parents in fours.
    if (s.population < 8 || s.population % 4 != 0) {
      p->fail(fmt::format("population {} is not a multiple of 4 of at least 8", s.population),
              fmt::format("use {}", std::max(8, (s.population + 3) / 4 * 4)));
    }
  }
  if (auto g = n.optional("generations"))
    s.generations = static_cast<int>(count_value(*g, 10000).number);
  if (nsga2 && static_cast<int64_t>(s.population) * (s.generations + 1) > kMaxGridDesigns) {
    n.fail(fmt::format("NSGA-II would draw {} x {} designs, more than the {} explore runs",
                       s.population, s.generations + 1, kMaxGridDesigns),
           "lower population or generations");
  }
  if (auto r = n.optional("refine"))
    s.refine_rounds = static_cast<int>(count_value(*r, 1000).number);
  if (auto v = n.optional("seed")) s.seed = static_cast<uint64_t>(v->as_int());
}

// SplitMix64 (Steele et al. 2014): a fixed, platform-independent mix, so a
// random design depends only on the seed and its index.
uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace

const char* metric_name(Metric m) {
  switch (m) {
    case Metric::dollars_per_mtok:
      return "dollars_per_mtok";
    case Metric::joules_per_token:
      return "joules_per_token";
    case Metric::tokens_per_s_per_chip:
      return "tokens_per_s_per_chip";
    case Metric::ttft:
      return "ttft";
    case Metric::tpot:
      return "tpot";
    case Metric::unit_cost:
      return "unit_cost";
    case Metric::area:
      return "area";
    case Metric::power:
      return "power";
  }
  return "?";
}

bool metric_maximised(Metric m) {
  return m == Metric::tokens_per_s_per_chip;
}

const char* sampler_name(DesignSpace::Sampler s) {
  switch (s) {
    case DesignSpace::Sampler::grid:
      return "grid";
    case DesignSpace::Sampler::random:
      return "random";
    case DesignSpace::Sampler::nsga2:
      return "nsga2";
  }
  return "grid";
}

int64_t DesignSpace::design_count() const {
  if (sampler == Sampler::random) return samples;
  int64_t n = 1;
  for (const Knob& k : knobs) n *= static_cast<int64_t>(k.values.size());
  return n;
}

std::vector<int> DesignSpace::assignment(int64_t i) const {
  std::vector<int> out(knobs.size());
  for (size_t j = knobs.size(); j-- > 0;) {
    const auto size = static_cast<int64_t>(knobs[j].values.size());
    if (sampler == Sampler::random) {
      const uint64_t r = splitmix64(seed ^ splitmix64(static_cast<uint64_t>(i) * 64 + j));
      out[j] = static_cast<int>(r % static_cast<uint64_t>(size));
    } else {
      out[j] = static_cast<int>(i % size);  // the last knob varies fastest
      i /= size;
    }
  }
  return out;
}

DesignSpace load_design_space(const std::string& id_or_path) {
  const auto path = resolve_preset(id_or_path, "spaces", ".yaml", "space");
  std::string text = read_config_file(path);
  DesignSpace s = parse_design_space(ConfigNode::load_string(text, path.string()));
  s.source = std::move(text);
  return s;
}

DesignSpace parse_design_space(const ConfigNode& doc) {
  doc.expect_keys({"base", "workload", "workloads", "knobs", "reference", "constraints",
                   "objectives", "search"});
  DesignSpace s;
  s.file = doc.file();
  const ConfigNode base = doc.required("base");
  s.base = base.as_string();
  try {
    s.base_chip = load_chip(s.base);
  } catch (const UserError& e) {
    base.fail(e.what());
  }
  if (s.base_chip.die.area_mm2 > 0) {
    try {
      const AreaBreakdown a =
          estimate_area(s.base_chip, node_for_process(s.base_chip.die.process, s.base_chip.id));
      s.area_anchor = s.base_chip.die.area_mm2 / a.total_mm2;
    } catch (const UserError&) {
      // No node data for its process (e.g. groq-lpu): no anchor; its designs
      // need a `node` knob, else each reports the missing node.
    }
  }
  // Constraints first: a serving workload searched for its capacity meets them.
  if (auto c = doc.optional("constraints")) read_constraints(*c, s.constraints);
  read_workloads(doc, s);
  const ConfigNode knobs = doc.required("knobs");
  if (!knobs.is_map()) knobs.fail("expected a mapping of knob names to value lists");
  for (const std::string& name : knobs.keys()) {
    s.knobs.push_back(read_knob(name, knobs.required(name), s.base_chip));
    // The knob sets k; each workload's speculative: gives the acceptance and drafter.
    if (s.knobs.back().kind != KnobKind::draft_tokens) continue;
    for (const WorkloadSpec& w : s.workloads) {
      if (!w.run.speculation.enabled())
        knobs.required(name).fail(
            fmt::format("knob 'draft_tokens' varies the speculative decoding of every workload, "
                        "and workload '{}' has none",
                        w.name),
            "give it speculative: {draft_tokens: 1, acceptance: 0.8} (the knob replaces "
            "draft_tokens; acceptance and draft stay)");
    }
  }
  if (s.knobs.empty()) knobs.fail("no knobs to vary", "add e.g. cores: [64, 96, 128]");
  if (auto refs = doc.optional("reference")) {
    if (!refs->is_sequence()) refs->fail("expected a list of chip ids, e.g. [h100-sxm, b200]");
    for (const ConfigNode& id : refs->items()) {
      try {
        s.reference_chips.push_back(load_chip(id.as_string()));
      } catch (const UserError& e) {
        id.fail(e.what());
      }
    }
  }
  if (auto o = doc.optional("objectives")) {
    if (!o->is_sequence()) o->fail("expected a list, e.g. [dollars_per_mtok, joules_per_token]");
    for (const ConfigNode& m : o->items()) s.objectives.push_back(read_metric(m));
    if (s.objectives.empty()) o->fail("no objectives", "list at least one metric");
  } else {
    s.objectives = {Metric::dollars_per_mtok, Metric::joules_per_token};
  }
  if (auto sr = doc.optional("search")) read_search(*sr, s);
  if (s.sampler == DesignSpace::Sampler::grid) {
    double grid = 1;
    for (const Knob& k : s.knobs) grid *= static_cast<double>(k.values.size());
    if (grid > static_cast<double>(kMaxGridDesigns)) {
      knobs.fail(fmt::format("the grid has {:.3g} designs, more than the {} explore runs", grid,
                             kMaxGridDesigns),
                 "set search: {sampler: random, samples: N} or {sampler: nsga2}, or list fewer "
                 "values");
    }
  }
  return s;
}

}  // namespace cw
