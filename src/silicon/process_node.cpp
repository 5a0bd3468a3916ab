#include "silicon/process_node.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "config/data_dir.hpp"
#include "config/did_you_mean.hpp"
#include "config/file_cache.hpp"

namespace cw {
namespace {

// A plain number in (lo, hi], with the range in the message.
double number_in(const ConfigNode& n, double lo, double hi, const std::string& fix) {
  double v = n.as_double();
  if (!(v > lo && v <= hi)) {
    n.fail(fmt::format("must be in ({:g}, {:g}], got {}", lo, hi, n.as_string()), fix);
  }
  return v;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool looks_like_path(const std::string& s) {
  return s.find('/') != std::string::npos || s.ends_with(".yaml") || s.ends_with(".yml");
}

ProcessNode read_file(const std::filesystem::path& p) {
  return load_cached<ProcessNode>(p, [](const std::string& text, const std::filesystem::path& f) {
    return parse_node(ConfigNode::load_string(text, f.string()));
  });
}

}  // namespace

double ProcessNode::logic_area_from_n7(double n7_mm2) const {
  return n7_mm2 * kReferenceLogicDensity / logic_density;
}

ProcessNode parse_node(const ConfigNode& doc) {
  if (!doc.is_map()) doc.fail("expected a mapping of keys to values", "see docs/silicon-model.md");
  doc.expect_keys({"id", "name", "foundry", "aliases", "year", "logic_density", "sram_area_per_mib",
                   "energy_scale", "leakage_w_per_mm2", "wafer_price", "defect_density", "reticle",
                   "wafer_diameter_mm"});
  ProcessNode n;
  n.source_file = doc.file();
  auto id = doc.optional("id");
  n.id = id ? id->as_string() : std::filesystem::path(doc.file()).stem().string();
  n.name = doc.required("name").as_string();
  n.foundry = doc.required("foundry").as_string();
  if (auto a = doc.optional("aliases")) {
    if (!a->is_sequence()) a->fail("expected a list of process names", "aliases: [tsmc-4n, n4]");
    for (const auto& item : a->items()) n.aliases.push_back(lower(item.as_string()));
  }
  if (auto y = doc.optional("year"))
    n.year = static_cast<int>(number_in(*y, 1990, 2100, "a year such as 2025"));
  n.logic_density = number_in(doc.required("logic_density"), 0, 10000,
                              "effective logic MTr/mm², e.g. 96.3 for TSMC N7");
  ConfigNode sram = doc.required("sram_area_per_mib");
  n.sram_mm2_per_mib = sram.as_quantity(UnitKind::SquareMillimetres);
  if (!(n.sram_mm2_per_mib > 0 && n.sram_mm2_per_mib < 100))
    sram.fail("must be a positive area per MiB", "e.g. \"0.45 mm2\" for TSMC N7");
  n.energy_scale =
      number_in(doc.required("energy_scale"), 0, 100, "1.0 = TSMC N7, smaller = less energy");
  n.leakage_w_per_mm2 = number_in(doc.required("leakage_w_per_mm2"), 0, 10, "e.g. 0.05 W/mm²");
  ConfigNode wp = doc.required("wafer_price");
  n.wafer_price = wp.as_quantity(UnitKind::Dollars);
  if (!(n.wafer_price > 0)) wp.fail("must be a positive price", "e.g. \"$17000\"");
  n.defect_density = number_in(doc.required("defect_density"), 0, 100, "defects per cm², e.g. 0.1");
  ConfigNode r = doc.required("reticle");
  n.reticle_mm2 = r.as_quantity(UnitKind::SquareMillimetres);
  if (!(n.reticle_mm2 > 0)) r.fail("must be a positive area", "\"858 mm2\" (26 x 33 mm)");
  if (auto w = doc.optional("wafer_diameter_mm"))
    n.wafer_diameter_mm = number_in(*w, 0, 1000, "300");
  return n;
}

std::vector<std::string> list_nodes() {
  return list_presets("nodes", ".yaml");
}

ProcessNode load_node(const std::string& name) {
  if (looks_like_path(name)) {
    if (!std::filesystem::exists(name))
      throw UserError(SourceLocation{name}, "", "node file not found",
                      "check the path, or give a node id from data/nodes/");
    return read_file(name);
  }
  const std::string key = lower(name);
  const std::filesystem::path dir = data_dir() / "nodes";
  if (std::filesystem::exists(dir / (key + ".yaml"))) return read_file(dir / (key + ".yaml"));
  std::vector<std::string> names;
  for (const auto& id : list_nodes()) {
    ProcessNode n = read_file(dir / (id + ".yaml"));
    if (std::find(n.aliases.begin(), n.aliases.end(), key) != n.aliases.end()) return n;
    names.push_back(id);
    names.insert(names.end(), n.aliases.begin(), n.aliases.end());
  }
  // Suggest among ids and aliases, but list only the ids.
  const std::string near = closest_match(key, names);
  std::string ids;
  for (const auto& id : list_nodes()) ids += (ids.empty() ? "" : ", ") + id;
  throw UserError("unknown process node '" + name +
                  "': " + (near.empty() ? "valid: " + ids : "did you mean '" + near + "'?") +
                  " (or give a path to a node YAML file; aliases are listed in data/nodes/)");
}

ProcessNode node_for_process(const std::string& process, const std::string& chip_id) {
  if (process.empty() || lower(process) == "unknown") {
    std::string ids;
    for (const auto& id : list_nodes()) ids += (ids.empty() ? "" : ", ") + id;
    throw UserError("chip '" + chip_id +
                    "' does not say which process it is built on "
                    "(die.process is '" +
                    process + "'): pass a node, e.g. --node tsmc-n4 (valid: " + ids + ")");
  }
  try {
    return load_node(process);
  } catch (const UserError& e) {
    throw UserError("chip '" + chip_id + "': " + e.what() +
                    "; pass a node override, e.g. --node tsmc-n5");
  }
}

}  // namespace cw
