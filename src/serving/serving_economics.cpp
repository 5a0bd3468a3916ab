#include "serving/serving_economics.hpp"

namespace cw {

WorkloadEconomics serving_economics(const Deployment& d, const ServingMetrics& m) {
  WorkloadEconomics w = *d.silicon;
  if (!w.available()) return w;
  if (!(m.makespan > 0) || m.output_tokens < 1) {
    w.unavailable = "the run produced no output tokens";
    return w;
  }
  const double static_j = w.sheet.energy.static_w * d.count * m.makespan;
  price_run(w, d.step->chip(), m.dynamic_joules + static_j, m.makespan, d.count,
            static_cast<double>(m.output_tokens));
  return w;
}

}  // namespace cw
