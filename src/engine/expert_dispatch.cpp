#include "engine/expert_dispatch.hpp"

#include <algorithm>

namespace cw {

double ranks_per_token(int64_t experts, int64_t experts_per_token, int ep) {
  const double e = static_cast<double>(experts);
  const double elsewhere = e - e / ep;  // experts not on a given rank
  // C(E − E/ep, k) / C(E, k) = Π_{i<k} (E − E/ep − i) / (E − i).
  double none = 1.0;
  for (int64_t i = 0; i < experts_per_token; ++i) {
    none *= std::max(0.0, elsewhere - static_cast<double>(i)) / (e - static_cast<double>(i));
  }
  return ep * (1.0 - none);
}

double expert_exchange_bytes(int64_t tokens, double ranks_per_token, int64_t hidden,
                             double element_bytes) {
  return static_cast<double>(tokens) * ranks_per_token * static_cast<double>(hidden) *
         element_bytes;
}

CollectiveResult expert_exchange(const SystemSpec& system, int ep, int64_t tokens,
                                 int64_t experts, int64_t experts_per_token, int64_t hidden,
                                 double element_bytes) {
  return collective(system, CollectiveKind::all_to_all, ep,
                    expert_exchange_bytes(tokens, ranks_per_token(experts, experts_per_token, ep),
                                          hidden, element_bytes));
}

}  // namespace cw
