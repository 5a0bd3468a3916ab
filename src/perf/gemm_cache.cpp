#include "perf/gemm_cache.hpp"

#include <functional>

namespace cw {

size_t GemmCache::Hash::operator()(const GemmShape& s) const {
  // FNV-style mix of the fields that define a shape.
  size_t h = 1469598103934665603ull;
  auto mix = [&h](size_t v) { h = (h ^ v) * 1099511628211ull; };
  mix(std::hash<int64_t>{}(s.m));
  mix(std::hash<int64_t>{}(s.n));
  mix(std::hash<int64_t>{}(s.k));
  mix(std::hash<int64_t>{}(s.batch));
  mix(static_cast<size_t>(s.compute));
  mix(std::hash<double>{}(s.a_bytes));
  mix(std::hash<double>{}(s.w_bytes));
  mix(std::hash<double>{}(s.c_bytes));
  mix(static_cast<size_t>(s.activation_quant));
  return h;
}

const Cost& GemmCache::get(const GemmShape& shape) {
  auto it = cache_.find(shape);
  if (it != cache_.end()) return it->second;
  return cache_.emplace(shape, gemm_cost(chip_, shape)).first->second;
}

}  // namespace cw
