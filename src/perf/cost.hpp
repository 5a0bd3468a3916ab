// Cost: what one op (or a sum of ops) costs on a chip. Every prediction is a
// tree of these (DESIGN.md principle 5): time split by what limited it,
// FLOPs, and bytes moved at each memory level.
#pragma once

#include <array>
#include <string>

namespace cw {

// What limited an op's time.
enum class Bound { compute, memory, vector, overhead, network };
const char* bound_name(Bound b);

// Memory levels are indexed as in ChipSpec::memory (nearest first); at most
// kMaxMemoryLevels are tracked.
inline constexpr int kMaxMemoryLevels = 4;

struct Cost {
  double time = 0;          // seconds, what the op takes
  double compute_time = 0;  // seconds the matrix/vector units need alone
  double memory_time = 0;   // seconds the slowest memory level needs alone
  double overhead_time = 0; // launch/sync/pipeline fill not overlapped
  double flops = 0;
  std::array<double, kMaxMemoryLevels> bytes{};  // bytes moved per level
  double link_bytes = 0;  // bytes this chip sends over chip-to-chip links (collectives)
  Bound bound = Bound::compute;

  Cost& operator+=(const Cost& o);  // sequential composition (times add)
  Cost scaled(double n) const;      // n identical ops in sequence
};

}  // namespace cw
