#include "silicon/economics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "config/data_dir.hpp"
#include "config/did_you_mean.hpp"
#include "config/file_cache.hpp"
#include "silicon/packaging.hpp"

namespace cw {
namespace {

enum class Kind { number, dollars, yield_model, package };

// One overridable assumption: where it lives in the YAML, its unit and range.
struct Field {
  const char* section;
  const char* key;
  Kind kind;
  double lo, hi;  // accepted range (lo, hi]
  double Economics::*value;
};

constexpr Field kFields[] = {
    {"yield", "model", Kind::yield_model, 0, 0, nullptr},
    {"yield", "clustering_alpha", Kind::number, 0, 1e6, &Economics::clustering_alpha},
    {"yield", "sram_repairable_fraction", Kind::number, -1e-12, 1,
     &Economics::sram_repairable_fraction},
    {"memory", "hbm_price_per_gb", Kind::dollars, -1e-12, 1e4, &Economics::hbm_price_per_gb},
    {"memory", "dram_price_per_gb", Kind::dollars, -1e-12, 1e4, &Economics::dram_price_per_gb},
    {"packaging", "package", Kind::package, 0, 0, nullptr},
    {"packaging", "si_interposer_price_per_mm2", Kind::dollars, -1e-12, 100,
     &Economics::si_interposer_price_per_mm2},
    {"packaging", "bridge_interposer_price_per_mm2", Kind::dollars, -1e-12, 100,
     &Economics::bridge_interposer_price_per_mm2},
    {"packaging", "interposer_area_factor", Kind::number, 0, 10,
     &Economics::interposer_area_factor},
    {"packaging", "hbm_footprint_mm2", Kind::number, 0, 1e4, &Economics::hbm_footprint_mm2},
    {"packaging", "substrate_price_per_mm2", Kind::dollars, -1e-12, 100,
     &Economics::substrate_price_per_mm2},
    {"packaging", "substrate_area_factor", Kind::number, 0, 100, &Economics::substrate_area_factor},
    {"packaging", "bond_yield", Kind::number, 0, 1, &Economics::bond_yield},
    {"packaging", "final_test_yield", Kind::number, 0, 1, &Economics::final_test_yield},
    {"packaging", "assembly_test_cost", Kind::dollars, -1e-12, 1e6, &Economics::assembly_test_cost},
    {"tco", "electricity_price_per_kwh", Kind::dollars, -1e-12, 10,
     &Economics::electricity_price_per_kwh},
    {"tco", "pue", Kind::number, 0.999, 5, &Economics::pue},
    {"tco", "depreciation_years", Kind::number, 0, 50, &Economics::depreciation_years},
    {"tco", "server_cost_per_chip", Kind::dollars, -1e-12, 1e7, &Economics::server_cost_per_chip},
    {"tco", "network_cost_per_chip", Kind::dollars, -1e-12, 1e7, &Economics::network_cost_per_chip},
    {"tco", "host_power_fraction", Kind::number, -1e-12, 10, &Economics::host_power_fraction},
    {"tco", "average_power_fraction", Kind::number, 0, 1, &Economics::average_power_fraction},
    {"tco", "opex_fraction", Kind::number, -1e-12, 10, &Economics::opex_fraction},
    {"tco", "utilisation", Kind::number, 0, 1, &Economics::utilisation},
    {"tco", "markup", Kind::number, -1e-12, 100, &Economics::markup},
    {"tco", "nre", Kind::dollars, -1e-12, 1e12, &Economics::nre},
    {"tco", "volume", Kind::number, 0, 1e12, &Economics::volume},
};
constexpr const char* kSections[] = {"yield", "memory", "packaging", "tco"};

void read_field(const Field& f, const ConfigNode& n, Economics& e) {
  switch (f.kind) {
    case Kind::yield_model:
      try {
        e.yield_model = parse_yield_model(n.as_string());
      } catch (const UserError& err) {
        n.fail(err.what());
      }
      return;
    case Kind::package: {
      std::string s = n.as_string();
      if (s != "auto" && !is_package_class(s)) {
        std::vector<std::string> valid = package_class_names();
        valid.insert(valid.begin(), "auto");
        n.fail("unknown package class '" + s + "'", suggestion(s, valid));
      }
      e.package = s;
      return;
    }
    case Kind::number:
    case Kind::dollars: {
      double v = 0;
      const std::string text = n.as_string();
      if (f.kind == Kind::dollars &&
          (text.find('$') != std::string::npos || text.find("USD") != std::string::npos))
        v = n.as_quantity(UnitKind::Dollars);
      else
        v = n.as_double();
      if (!(v > f.lo && v <= f.hi))
        n.fail(f.lo < 0 ? fmt::format("must be in [0, {:g}], got {}", f.hi, n.as_string())
                        : fmt::format("must be in ({:g}, {:g}], got {}", f.lo, f.hi, n.as_string()),
               "see data/economics.yaml for the default and its source");
      e.*f.value = v;
      return;
    }
  }
}

// Reads the sections present in `doc` into `e`; with `partial`, keys may be missing.
void read_into(const ConfigNode& doc, Economics& e, bool partial) {
  if (!doc.is_map()) doc.fail("expected a mapping of sections", "see data/economics.yaml");
  doc.expect_keys({"yield", "memory", "packaging", "tco"});
  for (const char* section : kSections) {
    auto sec = partial ? doc.optional(section) : std::optional<ConfigNode>(doc.required(section));
    if (!sec) continue;
    std::vector<std::string> keys;
    for (const auto& f : kFields)
      if (std::string(f.section) == section) keys.push_back(f.key);
    sec->expect_keys(keys);
    for (const auto& f : kFields) {
      if (std::string(f.section) != section) continue;
      auto n = partial ? sec->optional(f.key) : std::optional<ConfigNode>(sec->required(f.key));
      if (n) read_field(f, *n, e);
    }
  }
}

}  // namespace

Economics parse_economics(const ConfigNode& doc) {
  Economics e;
  e.source_file = doc.file();
  read_into(doc, e, false);
  return e;
}

Economics load_economics(const std::string& path) {
  std::filesystem::path p =
      path.empty() ? data_dir() / "economics.yaml" : std::filesystem::path(path);
  if (!std::filesystem::exists(p))
    throw UserError(SourceLocation{p.string()}, "", "economics file not found",
                    "give a path to a YAML file shaped like data/economics.yaml");
  return load_cached<Economics>(p, [](const std::string& text, const std::filesystem::path& f) {
    return parse_economics(ConfigNode::load_string(text, f.string()));
  });
}

std::vector<std::string> economics_keys() {
  std::vector<std::string> keys;
  for (const auto& f : kFields) keys.push_back(std::string(f.section) + "." + f.key);
  return keys;
}

void apply_override(Economics& e, const std::string& assignment) {
  const auto eq = assignment.find('=');
  const std::string key = assignment.substr(0, eq);
  const auto keys = economics_keys();
  if (eq == std::string::npos || eq == 0)
    throw UserError("economics override '" + assignment +
                    "' must look like key=value, e.g. tco.pue=1.1");
  if (std::find(keys.begin(), keys.end(), key) == keys.end())
    throw UserError("unknown economics key '" + key + "': " + suggestion(key, keys));
  const auto dot = key.find('.');
  // Re-use the YAML reader so overrides get the same units, ranges and messages.
  const std::string yaml =
      key.substr(0, dot) + ":\n  " + key.substr(dot + 1) + ": " + assignment.substr(eq + 1) + "\n";
  read_into(ConfigNode::load_string(yaml, "override '" + assignment + "'"), e, true);
}

}  // namespace cw
