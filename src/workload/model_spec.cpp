#include "workload/model_spec.hpp"

namespace cw {

bool ModelSpec::is_moe_layer(int64_t layer) const {
  if (!moe) return false;
  if (layer < moe->first_dense_layers) return false;
  for (int64_t d : moe->dense_layers)
    if (d == layer) return false;
  return moe->layer_interval <= 1 || (layer + moe->interval_offset) % moe->layer_interval == 0;
}

}  // namespace cw
