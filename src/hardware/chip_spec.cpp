#include "hardware/chip_spec.hpp"

namespace cw {

double ChipSpec::peak_flops(Dtype d) const {
  auto it = matrix.peak_flops.find(d);
  return it == matrix.peak_flops.end() ? 0.0 : it->second;
}

double ChipSpec::sustained_flops(Dtype d) const {
  double peak = peak_flops(d);
  auto it = efficiency.tensor_clock_hz.find(d);
  if (it == efficiency.tensor_clock_hz.end() || matrix.clock_hz <= 0) return peak;
  return peak * it->second / matrix.clock_hz;
}

double ChipSpec::achievable_memory_bandwidth() const {
  return main_memory().bandwidth * efficiency.memory_bandwidth;
}

}  // namespace cw
