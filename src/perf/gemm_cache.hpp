// Memoised GEMM costs for one chip: a repeated shape costs one hash lookup.
// Not thread-safe; use one cache per thread.
#pragma once

#include <unordered_map>

#include "perf/ops.hpp"

namespace cw {

class GemmCache {
 public:
  explicit GemmCache(const ChipSpec& chip) : chip_(chip) {}
  const Cost& get(const GemmShape& shape);
  size_t size() const { return cache_.size(); }

 private:
  struct Hash {
    size_t operator()(const GemmShape& s) const;
  };
  const ChipSpec& chip_;
  std::unordered_map<GemmShape, Cost, Hash> cache_;
};

}  // namespace cw
