#include "workload/dtype.hpp"

#include <array>

namespace cw {
namespace {
struct DtypeInfo {
  Dtype d;
  std::string_view name;
  double bits;
};
constexpr std::array<DtypeInfo, 8> kDtypes{{
    {Dtype::fp32, "fp32", 32},
    {Dtype::tf32, "tf32", 32},  // stored as fp32, computed with a 10-bit mantissa
    {Dtype::bf16, "bf16", 16},
    {Dtype::fp16, "fp16", 16},
    {Dtype::fp8, "fp8", 8},
    {Dtype::int8, "int8", 8},
    {Dtype::fp4, "fp4", 4},
    {Dtype::int4, "int4", 4},
}};
}  // namespace

double dtype_bits(Dtype d) {
  for (const auto& i : kDtypes)
    if (i.d == d) return i.bits;
  return 32;
}

std::string_view dtype_name(Dtype d) {
  for (const auto& i : kDtypes)
    if (i.d == d) return i.name;
  return "?";
}

std::optional<Dtype> parse_dtype(std::string_view name) {
  for (const auto& i : kDtypes)
    if (i.name == name) return i.d;
  // Common aliases.
  if (name == "float16" || name == "half") return Dtype::fp16;
  if (name == "bfloat16") return Dtype::bf16;
  if (name == "float32") return Dtype::fp32;
  if (name == "e4m3" || name == "fp8_e4m3" || name == "e5m2") return Dtype::fp8;
  if (name == "nvfp4" || name == "mxfp4") return Dtype::fp4;
  return std::nullopt;
}

std::vector<std::string> all_dtype_names() {
  std::vector<std::string> out;
  for (const auto& i : kDtypes) out.emplace_back(i.name);
  return out;
}

std::string dtype_list() {
  std::string s;
  for (const auto& i : kDtypes) s += (s.empty() ? "" : ", ") + std::string(i.name);
  return s;
}

}  // namespace cw
