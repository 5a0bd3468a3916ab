// Numeric formats a matrix engine or memory can hold.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cw {

enum class Dtype { fp32, tf32, bf16, fp16, fp8, int8, fp4, int4 };

// Storage bits per element, without block-scale overhead.
double dtype_bits(Dtype d);
std::string_view dtype_name(Dtype d);
std::optional<Dtype> parse_dtype(std::string_view name);
std::vector<std::string> all_dtype_names();
// The canonical names joined for messages: "fp32, tf32, bf16, ...".
std::string dtype_list();

}  // namespace cw
