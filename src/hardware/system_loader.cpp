#include "hardware/system_loader.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "config/data_dir.hpp"
#include "config/value_checks.hpp"
#include "config/did_you_mean.hpp"
#include "hardware/chip_loader.hpp"

namespace cw {
namespace {

std::string nonempty_string(const ConfigNode& n) {
  std::string s = n.as_string();
  if (s.empty()) n.fail("must not be empty");
  return s;
}

Topology parse_topology(const ConfigNode& n) {
  std::string s = n.as_string();
  if (s == "switch") return Topology::switched;
  if (s == "full_mesh") return Topology::full_mesh;
  if (s == "torus") return Topology::torus;
  n.fail("unknown topology '" + s + "'", suggestion(s, topology_names()));
}

std::vector<int> int_list(const ConfigNode& n, const std::string& fix) {
  if (!n.is_sequence() || n.items().empty()) n.fail("expected a list of axis sizes", fix);
  std::vector<int> v;
  for (const auto& item : n.items()) v.push_back(count_in(item, 1, 1 << 20, fix));
  return v;
}

int product(const std::vector<int>& v) {
  long long p = 1;
  for (int d : v) p *= d;
  return static_cast<int>(std::min<long long>(p, 1 << 30));
}

// The chip a system file names: a preset id, or a path relative to the system file.
ChipSpec load_system_chip(const ConfigNode& n) {
  std::string ref = nonempty_string(n);
  if (ref.find('/') != std::string::npos && !std::filesystem::path(ref).is_absolute()) {
    auto beside = std::filesystem::path(n.file()).parent_path() / ref;
    std::error_code ec;  // a name the OS refuses is simply not beside the file
    if (std::filesystem::exists(beside, ec)) ref = beside.string();
  }
  try {
    return load_chip(ref);
  } catch (const UserError& e) {
    n.fail(e.what(), "name a chip preset (chipwright list chips) or a chip YAML path");
  }
}

ScaleUp parse_scale_up(const ConfigNode& n, const ChipSpec& chip) {
  n.expect_keys({"topology", "domain", "links", "latency", "efficiency", "in_switch_reduction",
                 "pod", "wrap_multiple", "dims"});
  ScaleUp u;
  u.topology = parse_topology(n.required("topology"));
  const bool torus = u.topology == Topology::torus;
  for (const char* key : {"pod", "wrap_multiple", "dims"}) {
    if (!torus && n.has(key)) n.required(key).fail("only applies to topology 'torus'", "remove it");
  }
  if (torus) {
    u.pod = int_list(n.required("pod"), "give the whole domain's axis sizes, e.g. pod: [16, 16]");
    if (u.pod.size() > 3) n.required("pod").fail("at most 3 torus dimensions are supported");
    u.domain = product(u.pod);
    if (auto d = n.optional("domain"); d && d->as_int() != u.domain) {
      d->fail("must equal the product of pod (" + std::to_string(u.domain) + ")", "or omit it");
    }
    if (auto w = n.optional("wrap_multiple")) {
      u.wrap_multiple = count_in(*w, 0, 1 << 20, "e.g. wrap_multiple: 4 (0 = never wraps)");
    }
  } else {
    u.domain = count_in(n.required("domain"), 1, 1 << 20,
                        "give the chips of one scale-up domain, e.g. domain: 8");
  }
  u.links = chip.links.count;
  if (auto l = n.optional("links")) {
    u.links = count_in(*l, 0, chip.links.count,
                       "at most the chip's links.count (" + std::to_string(chip.links.count) + ")");
  }
  if (u.domain > 1 && u.links == 0) {
    n.fail("a " + std::to_string(u.domain) + "-chip domain needs scale-up links, chip '" + chip.id +
               "' has none",
           "give the chip a links: section or use domain: 1");
  }
  if (u.topology == Topology::full_mesh && u.domain > 1 && u.links < u.domain - 1) {
    n.fail("a full mesh of " + std::to_string(u.domain) + " chips needs at least " +
               std::to_string(u.domain - 1) + " links per chip, got " + std::to_string(u.links),
           "lower domain or use topology 'switch'");
  }
  if (torus) {
    int axes =
        static_cast<int>(std::count_if(u.pod.begin(), u.pod.end(), [](int d) { return d > 1; }));
    if (u.links < 2 * axes) {
      n.fail("a " + std::to_string(axes) + "-D torus needs 2 links per axis (" +
                 std::to_string(2 * axes) + "), got " + std::to_string(u.links),
             "check links or pod");
    }
  }
  u.latency = chip.links.latency;
  if (auto l = n.optional("latency")) u.latency = l->as_quantity(UnitKind::Seconds);
  if (auto e = n.optional("efficiency")) {
    u.efficiency = fraction(*e, "achievable / raw link bandwidth, e.g. efficiency: 0.77");
  }
  if (auto r = n.optional("in_switch_reduction")) {
    if (u.topology != Topology::switched) r->fail("needs topology 'switch'", "remove it");
    r->expect_keys({"efficiency"});
    u.in_switch_efficiency =
        fraction(r->required("efficiency"), "achievable / raw link bandwidth for NVLS, e.g. 0.685");
  }
  return u;
}

ScaleOut parse_scale_out(const ConfigNode& n) {
  n.expect_keys({"type", "bandwidth", "latency", "efficiency", "max_nodes"});
  ScaleOut o;
  o.type = nonempty_string(n.required("type"));
  o.bandwidth = n.required("bandwidth").as_quantity(UnitKind::BytesPerSecond);
  if (!(o.bandwidth > 0)) {
    n.required("bandwidth")
        .fail("must be greater than zero", "per chip each direction, e.g. \"400 Gb/s\"");
  }
  o.latency = n.required("latency").as_quantity(UnitKind::Seconds);
  if (auto e = n.optional("efficiency")) o.efficiency = fraction(*e, "e.g. efficiency: 0.9");
  o.max_nodes = count_in(n.required("max_nodes"), 1, 1 << 20,
                         "the most scale-up domains the network joins, e.g. max_nodes: 128");
  return o;
}

}  // namespace

SystemSpec parse_system(const ConfigNode& doc) {
  doc.expect_keys({"id", "name", "chip", "standard", "count", "scale_up", "scale_out"});
  SystemSpec s;
  s.source_file = doc.file();
  s.id = nonempty_string(doc.required("id"));
  s.name = nonempty_string(doc.required("name"));
  s.chip = load_system_chip(doc.required("chip"));
  if (auto st = doc.optional("standard")) s.standard = st->as_bool();
  s.scale_up = parse_scale_up(doc.required("scale_up"), s.chip);
  if (auto o = doc.optional("scale_out")) s.scale_out = parse_scale_out(*o);
  ConfigNode count = doc.required("count");
  int n = count_in(count, 1, 1 << 24, "number of chips in this system, e.g. count: 8");
  if (std::string p = count_problem(s, n); !p.empty()) count.fail(p);
  if (auto d = doc.required("scale_up").optional("dims")) {
    std::vector<int> dims = int_list(*d, "the slice's axis sizes, e.g. dims: [2, 4]");
    if (dims.size() != s.scale_up.pod.size() || product(dims) != std::min(n, s.scale_up.domain)) {
      d->fail("must have one size per pod axis with product " +
                  std::to_string(std::min(n, s.scale_up.domain)) + " (the chips of one domain)",
              "or omit dims to take the most compact slice");
    }
    SystemSpec r = resized(s, n);
    r.scale_up.dims = dims;
    return r;
  }
  return resized(s, n);
}

SystemSpec load_system(const std::string& id_or_path) {
  auto path = resolve_preset(id_or_path, "systems", ".yaml", "system");
  return parse_system(ConfigNode::load_file(path));
}

std::vector<std::string> list_systems() {
  return list_presets("systems", ".yaml");
}

namespace {

// The standard preset for chip_id, or nullopt. Presets are scanned once per
// data directory and cached (the step model asks for every all-reduce).
std::optional<SystemSpec> find_standard(const std::string& chip_id) {
  static std::mutex mu;
  static std::map<std::string, std::map<std::string, SystemSpec>>
      cache;  // data dir -> chip -> system
  std::lock_guard<std::mutex> lock(mu);
  const std::string dir = data_dir().string();
  auto it = cache.find(dir);
  if (it == cache.end()) {
    std::map<std::string, SystemSpec> by_chip;
    for (const auto& id : list_systems()) {
      SystemSpec s = load_system(id);
      if (!s.standard) continue;
      auto [pos, fresh] = by_chip.emplace(s.chip.id, s);
      if (!fresh) {
        throw UserError(s.source_file + ": systems '" + pos->second.id + "' and '" + s.id +
                        "' are both standard for chip '" + s.chip.id +
                        "'; set standard: true in only one");
      }
    }
    it = cache.emplace(dir, std::move(by_chip)).first;
  }
  auto found = it->second.find(chip_id);
  if (found == it->second.end()) return std::nullopt;
  return found->second;
}

}  // namespace

SystemSpec standard_system(const std::string& chip_id, int count) {
  std::optional<SystemSpec> s = find_standard(chip_id);
  if (!s) {
    load_chip(chip_id);  // an unknown chip id reports itself with a did-you-mean
    throw UserError("chip '" + chip_id +
                    "' has no standard system: no file in data/systems has chip: " + chip_id +
                    " and standard: true; write one (docs/system-format.md)");
  }
  return resized(*s, count);
}

SystemSpec standard_system(const ChipSpec& chip, int count) {
  if (std::optional<SystemSpec> s = find_standard(chip.id)) {
    s->chip = chip;
    s->scale_up.links = std::min(s->scale_up.links, chip.links.count);
    if (count > 1 && s->scale_up.links == 0) {
      throw UserError("chip '" + chip.id + "' has no links, so " + std::to_string(count) +
                      " of them cannot form a system; give it a links: section");
    }
    return resized(*s, count);
  }
  if (count > 1 && chip.links.count == 0) {
    throw UserError("chip '" + chip.id + "' has no links, so " + std::to_string(count) +
                    " of them cannot form a system; give it a links: section");
  }
  SystemSpec g;
  g.id = chip.id + "-generic";
  g.name = std::to_string(count) + " x " + chip.name + " (generic switched domain)";
  g.chip = chip;
  g.count = count;
  g.scale_up.topology = Topology::switched;
  g.scale_up.domain = std::max(count, 1);
  g.scale_up.links = chip.links.count;
  g.scale_up.latency = chip.links.latency;
  g.scale_up.efficiency = kGenericLinkEfficiency;
  return resized(g, count);
}

}  // namespace cw
