#include "engine/expert_dispatch.hpp"

namespace cw {

double expert_exchange_bytes(int64_t tokens, int64_t experts_per_token, int64_t hidden,
                             double element_bytes) {
  return static_cast<double>(tokens) * static_cast<double>(experts_per_token) *
         static_cast<double>(hidden) * element_bytes;
}

CollectiveResult expert_exchange(const SystemSpec& system, int ep, int64_t tokens,
                                 int64_t experts_per_token, int64_t hidden, double element_bytes) {
  return collective(system, CollectiveKind::all_to_all, ep,
                    expert_exchange_bytes(tokens, experts_per_token, hidden, element_bytes));
}

}  // namespace cw
