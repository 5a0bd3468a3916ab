// Human-readable numbers for tables: times, sizes, rates with SI prefixes.
#pragma once

#include <string>

namespace cw {

std::string format_time(double seconds);     // "812 us", "12.3 ms", "1.42 s"
std::string format_bytes(double bytes);      // "3.35 GB", "50.0 MB"
std::string format_rate(double per_second, const char* unit);  // "989 TFLOP/s"
std::string format_percent(double fraction); // "+4.2%"

}  // namespace cw
