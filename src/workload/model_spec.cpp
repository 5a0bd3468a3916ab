#include "workload/model_spec.hpp"

namespace cw {

bool ModelSpec::is_moe_layer(int64_t layer) const {
  if (!moe) return false;
  if (layer < moe->first_dense_layers) return false;
  return moe->layer_interval <= 1 || (layer + 1) % moe->layer_interval == 0;
}

}  // namespace cw
