#include "workload/model_spec.hpp"

#include <algorithm>

namespace cw {

bool ModelSpec::is_moe_layer(int64_t layer) const {
  if (!moe) return false;
  if (layer < moe->first_dense_layers) return false;
  for (int64_t d : moe->dense_layers)
    if (d == layer) return false;
  return moe->layer_interval <= 1 || (layer + moe->interval_offset) % moe->layer_interval == 0;
}

int64_t ModelSpec::moe_layer_count() const {
  if (!moe) return 0;
  int64_t n = 0;
  for (int64_t l = 0; l < layers; ++l) n += is_moe_layer(l) ? 1 : 0;
  return n;
}

bool ModelSpec::is_windowed_layer(int64_t layer) const {
  return sliding_window > 0 && layer >= 0 && layer < static_cast<int64_t>(windowed_layers.size()) &&
         windowed_layers[static_cast<size_t>(layer)];
}

int64_t ModelSpec::local_context(int64_t context) const {
  if (sliding_window <= 0 || context <= 0) return context;
  return chunked_attention ? (context - 1) % sliding_window + 1 : std::min(context, sliding_window);
}

int64_t ModelSpec::windowed_layer_count() const {
  int64_t n = 0;
  for (int64_t l = 0; l < layers; ++l) n += is_windowed_layer(l) ? 1 : 0;
  return n;
}

}  // namespace cw
