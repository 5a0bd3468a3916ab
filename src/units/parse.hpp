// Parsing of quantities written with units, as they appear in chip YAML:
// "989 TFLOP/s", "3.35 TB/s", "80 GB", "50 MiB", "700 W", "1.83 GHz", "814 mm2".
// Decimal prefixes (k, M, G, T, P) are powers of 1000; binary ones (Ki, Mi, Gi,
// Ti) powers of 1024. Returns std::nullopt-like errors as a message string.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "units/units.hpp"

namespace cw {

// What kind of quantity a string must denote.
enum class UnitKind { Bytes, Seconds, FlopsPerSecond, BytesPerSecond, Hertz, Watts, Joules,
                      Dollars, SquareMillimetres, Flops };

// Parses `text` as a quantity of `kind`; returns the SI value or an error message
// naming what was expected (e.g. "expected a bandwidth such as \"3.35 TB/s\"").
std::variant<double, std::string> parse_quantity(std::string_view text, UnitKind kind);

const char* unit_kind_example(UnitKind kind);

}  // namespace cw
