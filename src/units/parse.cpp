#include "units/parse.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

namespace cw {
namespace {

struct Prefix {
  std::string_view text;
  double factor;
};

// Longest prefixes first so "Ki" wins over "K".
constexpr std::array<Prefix, 15> kPrefixes{{
    {"Ki", 1024.0},
    {"Mi", 1048576.0},
    {"Gi", 1073741824.0},
    {"Ti", 1099511627776.0},
    {"Pi", 1125899906842624.0},
    {"k", 1e3},
    {"K", 1e3},
    {"M", 1e6},
    {"G", 1e9},
    {"T", 1e12},
    {"P", 1e15},
    {"m", 1e-3},
    {"u", 1e-6},
    {"n", 1e-9},
    {"p", 1e-12},
}};

struct UnitName {
  std::string_view text;
  UnitKind kind;
  double factor;  // multiplies into SI base units
};

// Unit spellings accepted per kind. "B" is bytes, "b" is bits.
constexpr std::array<UnitName, 22> kUnits{{
    {"B", UnitKind::Bytes, 1.0},
    {"bytes", UnitKind::Bytes, 1.0},
    {"b", UnitKind::Bytes, 0.125},
    {"s", UnitKind::Seconds, 1.0},
    {"FLOP/s", UnitKind::FlopsPerSecond, 1.0},
    {"FLOPS", UnitKind::FlopsPerSecond, 1.0},
    {"OP/s", UnitKind::FlopsPerSecond, 1.0},
    {"OPS", UnitKind::FlopsPerSecond, 1.0},
    {"FLOP", UnitKind::Flops, 1.0},
    {"B/s", UnitKind::BytesPerSecond, 1.0},
    {"Bps", UnitKind::BytesPerSecond, 1.0},
    {"b/s", UnitKind::BytesPerSecond, 0.125},
    {"bps", UnitKind::BytesPerSecond, 0.125},
    {"Hz", UnitKind::Hertz, 1.0},
    {"W", UnitKind::Watts, 1.0},
    {"J", UnitKind::Joules, 1.0},
    {"$", UnitKind::Dollars, 1.0},
    {"USD", UnitKind::Dollars, 1.0},
    {"mm2", UnitKind::SquareMillimetres, 1.0},
    {"mm^2", UnitKind::SquareMillimetres, 1.0},
    {"mm²", UnitKind::SquareMillimetres, 1.0},
    {"cm2", UnitKind::SquareMillimetres, 100.0},
}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Matches `unit` (e.g. "TB/s") against the accepted names for `kind`, with an
// optional SI or binary prefix. Returns the factor or NaN.
double unit_factor(std::string_view unit, UnitKind kind) {
  for (const auto& u : kUnits) {
    if (u.kind == kind && unit == u.text) return u.factor;
  }
  for (const auto& p : kPrefixes) {
    if (unit.substr(0, p.text.size()) != p.text) continue;
    std::string_view rest = unit.substr(p.text.size());
    for (const auto& u : kUnits) {
      if (u.kind == kind && rest == u.text) return p.factor * u.factor;
    }
  }
  return std::nan("");
}

}  // namespace

const char* unit_kind_example(UnitKind kind) {
  switch (kind) {
    case UnitKind::Bytes: return "a size such as \"80 GB\" or \"50 MiB\"";
    case UnitKind::Seconds: return "a time such as \"5 us\" or \"1.2 ms\"";
    case UnitKind::FlopsPerSecond: return "a throughput such as \"989 TFLOP/s\"";
    case UnitKind::Flops: return "an operation count such as \"2 GFLOP\"";
    case UnitKind::BytesPerSecond: return "a bandwidth such as \"3.35 TB/s\"";
    case UnitKind::Hertz: return "a frequency such as \"1.83 GHz\"";
    case UnitKind::Watts: return "a power such as \"700 W\"";
    case UnitKind::Joules: return "an energy such as \"1.3 pJ\"";
    case UnitKind::Dollars: return "a price such as \"25000 $\"";
    case UnitKind::SquareMillimetres: return "an area such as \"814 mm2\"";
  }
  return "a quantity with a unit";
}

std::variant<double, std::string> parse_quantity(std::string_view text, UnitKind kind) {
  std::string_view s = trim(text);
  const std::string expected = std::string("expected ") + unit_kind_example(kind);
  // Allow a leading '$' for prices.
  bool dollar_prefix = kind == UnitKind::Dollars && !s.empty() && s.front() == '$';
  if (dollar_prefix) s.remove_prefix(1);
  double number = 0.0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), number);
  if (ec != std::errc() || !std::isfinite(number)) {
    return expected + ", got \"" + std::string(text) + "\"";
  }
  std::string_view unit = trim(std::string_view(ptr, static_cast<size_t>(s.data() + s.size() - ptr)));
  if (dollar_prefix && unit.empty()) return number;
  if (unit.empty()) return expected + ", got \"" + std::string(text) + "\" (the unit is missing)";
  double f = unit_factor(unit, kind);
  if (std::isnan(f)) {
    return expected + ", got \"" + std::string(text) + "\" (unknown unit \"" + std::string(unit) + "\")";
  }
  return number * f;
}

}  // namespace cw
