#include "hardware/chip_loader.hpp"

#include <fmt/core.h>

#include <set>

#include "config/data_dir.hpp"
#include "config/did_you_mean.hpp"
#include "config/file_cache.hpp"
#include "config/value_checks.hpp"

namespace cw {
namespace {

// A quantity that must be strictly positive.
double positive(const ConfigNode& n, UnitKind kind, const std::string& fix) {
  double v = n.as_quantity(kind);
  if (!(v > 0)) n.fail("must be greater than zero, got \"" + n.as_string() + "\"", fix);
  return v;
}

// A dtype key of matrix.peak or efficiency.tensor_clock: canonical names only.
Dtype dtype_key(const ConfigNode& parent, const std::string& key) {
  ConfigNode n = parent.required(key);
  auto d = parse_dtype(key);
  if (!d) n.fail("unknown dtype '" + key + "'", "valid dtypes: " + dtype_list());
  if (dtype_name(*d) != key) {
    n.fail("dtype alias '" + key + "' is not accepted here",
           "write it as '" + std::string(dtype_name(*d)) + "'");
  }
  return *d;
}

std::string nonempty_string(const ConfigNode& n) {
  std::string s = n.as_string();
  if (s.empty()) n.fail("must not be empty");
  return s;
}

DieSpec parse_die(const ConfigNode& n) {
  n.expect_keys({"process", "area", "transistors", "dies"});
  DieSpec d;
  d.process = nonempty_string(n.required("process"));
  if (auto a = n.optional("area")) d.area_mm2 = a->as_quantity(UnitKind::SquareMillimetres);
  if (auto t = n.optional("transistors")) {
    d.transistors = t->as_double();
    if (d.transistors < 0) t->fail("must not be negative", "write a count such as 80e9");
  }
  if (auto k = n.optional("dies")) d.dies = count_in(*k, 1, 1000, "count the logic dies, e.g. dies: 2");
  return d;
}

PowerSpec parse_power(const ConfigNode& n) {
  n.expect_keys({"tdp", "idle"});
  PowerSpec p;
  p.tdp = positive(n.required("tdp"), UnitKind::Watts, "give the board power, e.g. tdp: \"700 W\"");
  if (auto i = n.optional("idle")) p.idle = i->as_quantity(UnitKind::Watts);
  if (p.idle > p.tdp) n.required("idle").fail("must not exceed power.tdp", "lower it or omit it");
  return p;
}

MatrixEngine parse_matrix(const ConfigNode& n) {
  n.expect_keys({"clock", "cores", "granule", "peak", "cluster", "accumulators"});
  MatrixEngine m;
  m.clock_hz = positive(n.required("clock"), UnitKind::Hertz,
                        "give the clock the peaks are quoted at, e.g. clock: \"1.83 GHz\"");
  m.cores = count_in(n.required("cores"), 1, 10'000'000,
                     "give the number of matrix cores (SMs, CUs, MXUs), e.g. cores: 132");
  if (auto cl = n.optional("cluster")) {
    m.cluster = count_in(*cl, 1, m.cores,
                         "give the cores that share one operand load (thread-block cluster "
                         "multicast, paired-SM MMA), at most matrix.cores, e.g. cluster: 2");
  }
  if (auto acc = n.optional("accumulators")) {
    const std::string where = acc->as_string();
    if (where != "registers" && where != "core_memory") {
      acc->fail("unknown accumulator place '" + where + "'",
                suggestion(where, {"registers", "core_memory"}));
    }
    m.accumulate_in_core_memory = where == "core_memory";
  }
  ConfigNode g = n.required("granule");
  g.expect_keys({"m", "n", "k"});
  const std::string gfix = "give the native operand shape, e.g. granule: {m: 64, n: 8, k: 16}";
  m.granule_m = count_in(g.required("m"), 1, 65536, gfix);
  m.granule_n = count_in(g.required("n"), 1, 65536, gfix);
  m.granule_k = count_in(g.required("k"), 1, 65536, gfix);
  ConfigNode peak = n.required("peak");
  if (!peak.is_map() || peak.keys().empty()) {
    peak.fail("must map at least one dtype to its dense peak",
              "e.g. peak: {bf16: \"989.4 TFLOP/s\"}; valid dtypes: " + dtype_list());
  }
  for (const auto& key : peak.keys()) {
    Dtype d = dtype_key(peak, key);
    m.peak_flops[d] = positive(peak.required(key), UnitKind::FlopsPerSecond,
                               "give the dense whole-chip peak, e.g. \"989.4 TFLOP/s\"");
  }
  return m;
}

VectorEngine parse_vector(const ConfigNode& n) {
  n.expect_keys({"flops", "special_function"});
  VectorEngine v;
  v.flops = positive(n.required("flops"), UnitKind::FlopsPerSecond,
                     "give the FP32 non-matrix throughput, e.g. flops: \"67 TFLOP/s\"");
  v.special_function_ops = positive(n.required("special_function"), UnitKind::FlopsPerSecond,
                                    "give transcendental ops/s, e.g. \"4 TOP/s\"");
  return v;
}

MemoryLevel parse_level(const ConfigNode& n) {
  n.expect_keys({"name", "scope", "type", "stacks", "capacity", "bandwidth"});
  MemoryLevel l;
  l.name = nonempty_string(n.required("name"));
  ConfigNode scope = n.required("scope");
  std::string s = scope.as_string();
  if (s != "core" && s != "chip") {
    scope.fail("must be 'core' or 'chip', got '" + s + "'",
               "'core': capacity is per core (SMEM, LDS); 'chip': capacity is the whole chip's");
  }
  l.per_core = s == "core";
  if (auto t = n.optional("type")) l.type = nonempty_string(*t);
  if (auto k = n.optional("stacks")) l.stacks = count_in(*k, 0, 64, "number of HBM stacks, e.g. stacks: 5");
  l.capacity = positive(n.required("capacity"), UnitKind::Bytes, "e.g. capacity: \"80 GB\"");
  l.bandwidth = positive(n.required("bandwidth"), UnitKind::BytesPerSecond,
                         "give the whole-chip aggregate, e.g. bandwidth: \"3.35 TB/s\"");
  return l;
}

std::vector<MemoryLevel> parse_memory(const ConfigNode& n) {
  const std::string fix = "list the levels nearest the cores first, main memory (weights) last";
  if (!n.is_sequence()) n.fail("expected a list of memory levels", fix);
  std::vector<ConfigNode> items = n.items();
  if (items.empty()) n.fail("needs at least one memory level", fix);
  if (items.size() > static_cast<size_t>(kMaxChipMemoryLevels)) {
    n.fail(fmt::format("lists {} memory levels, more than the {} chipwright models", items.size(),
                       kMaxChipMemoryLevels),
           "merge levels that behave alike (e.g. L1 and shared memory)");
  }
  std::vector<MemoryLevel> out;
  std::set<std::string> names;
  for (const auto& item : items) {
    out.push_back(parse_level(item));
    if (!names.insert(out.back().name).second) {
      item.required("name").fail("duplicate memory level name '" + out.back().name + "'",
                                 "give each level a distinct name");
    }
  }
  if (out.back().per_core) {
    items.back().required("scope").fail("the last level is main memory and must have scope 'chip'",
                                        fix);
  }
  return out;
}

LinkSpec parse_links(const ConfigNode& n) {
  n.expect_keys({"type", "count", "bandwidth_per_link", "latency"});
  LinkSpec l;
  l.type = nonempty_string(n.required("type"));
  l.count = count_in(n.required("count"), 0, 1024, "number of links, e.g. count: 18");
  l.bandwidth_per_link = n.required("bandwidth_per_link").as_quantity(UnitKind::BytesPerSecond);
  if (l.count > 0 && !(l.bandwidth_per_link > 0)) {
    n.required("bandwidth_per_link")
        .fail("must be greater than zero when count > 0", "give each direction, e.g. \"25 GB/s\"");
  }
  l.latency = n.required("latency").as_quantity(UnitKind::Seconds);
  return l;
}

Efficiency parse_efficiency(const ConfigNode& n, const MatrixEngine& m) {
  n.expect_keys({"memory_bandwidth", "kernel_launch", "tensor_clock"});
  Efficiency e;
  if (auto b = n.optional("memory_bandwidth")) {
    e.memory_bandwidth =
        fraction(*b, "give achievable / peak streaming bandwidth, e.g. memory_bandwidth: 0.87");
  }
  if (auto k = n.optional("kernel_launch")) e.kernel_launch = k->as_quantity(UnitKind::Seconds);
  if (auto tc = n.optional("tensor_clock")) {
    if (!tc->is_map()) tc->fail("expected a map of dtype to clock", "e.g. tensor_clock: {bf16: \"1.6 GHz\"}");
    for (const auto& key : tc->keys()) {
      Dtype d = dtype_key(*tc, key);
      ConfigNode v = tc->required(key);
      if (!m.peak_flops.count(d)) {
        v.fail("dtype '" + key + "' has no matrix.peak entry", "add its peak or remove this line");
      }
      double hz = positive(v, UnitKind::Hertz, "e.g. bf16: \"1.6 GHz\"");
      // Never beat physics: the sustained clock cannot exceed the clock the peak is quoted at.
      if (hz > m.clock_hz) v.fail("exceeds matrix.clock", "a sustained clock is at most the quoted one");
      e.tensor_clock_hz[d] = hz;
    }
  }
  return e;
}

}  // namespace

ChipSpec parse_chip(const ConfigNode& doc) {
  doc.expect_keys({"id", "name", "vendor", "die", "power", "matrix", "vector", "memory", "links",
                   "efficiency", "price"});
  ChipSpec c;
  c.source_file = doc.file();
  c.id = nonempty_string(doc.required("id"));
  c.name = nonempty_string(doc.required("name"));
  c.vendor = nonempty_string(doc.required("vendor"));
  c.die = parse_die(doc.required("die"));
  c.power = parse_power(doc.required("power"));
  c.matrix = parse_matrix(doc.required("matrix"));
  c.vector = parse_vector(doc.required("vector"));
  c.memory = parse_memory(doc.required("memory"));
  if (auto l = doc.optional("links")) c.links = parse_links(*l);
  if (auto e = doc.optional("efficiency")) c.efficiency = parse_efficiency(*e, c.matrix);
  if (auto p = doc.optional("price")) c.price = p->as_quantity(UnitKind::Dollars);
  return c;
}

ChipSpec load_chip(const std::string& id_or_path) {
  auto path = resolve_preset(id_or_path, "chips", ".yaml", "chip");
  return load_cached<ChipSpec>(path, [](const std::string& text, const std::filesystem::path& p) {
    return parse_chip(ConfigNode::load_string(text, p.string()));
  });
}

std::vector<std::string> list_chips() { return list_presets("chips", ".yaml"); }

}  // namespace cw
