#include "perf/cost.hpp"

#include <cmath>

namespace cw {

const char* bound_name(Bound b) {
  switch (b) {
    case Bound::compute: return "compute";
    case Bound::memory: return "memory";
    case Bound::vector: return "vector";
    case Bound::overhead: return "overhead";
    case Bound::network: return "network";
  }
  return "?";
}

Cost& Cost::operator+=(const Cost& o) {
  // The bound of a sum is the bound of its larger part (by magnitude: a
  // negative part, time saved by overlap, names its own bound when alone).
  if (std::fabs(o.time) > std::fabs(time)) bound = o.bound;
  time += o.time;
  compute_time += o.compute_time;
  memory_time += o.memory_time;
  overhead_time += o.overhead_time;
  flops += o.flops;
  for (int i = 0; i < kMaxMemoryLevels; ++i) bytes[i] += o.bytes[i];
  link_bytes += o.link_bytes;
  return *this;
}

Cost Cost::scaled(double n) const {
  Cost c = *this;
  c.time *= n;
  c.compute_time *= n;
  c.memory_time *= n;
  c.overhead_time *= n;
  c.flops *= n;
  for (auto& b : c.bytes) b *= n;
  c.link_bytes *= n;
  return c;
}

}  // namespace cw
