#include "serving/serving_economics.hpp"

namespace cw {
namespace {

WorkloadEconomics price(const WorkloadEconomics& silicon, const ChipSpec& chip, int chips,
                        const ServingMetrics& m) {
  WorkloadEconomics w = silicon;
  if (!w.available()) return w;
  if (!(m.makespan > 0) || m.output_tokens < 1) {
    w.unavailable = "the run produced no output tokens";
    return w;
  }
  const double static_j = w.sheet.energy.static_w * chips * m.makespan;
  price_run(w, chip, m.dynamic_joules + static_j, m.makespan, chips,
            static_cast<double>(m.output_tokens));
  return w;
}

}  // namespace

WorkloadEconomics serving_economics(const Deployment& d, const ServingMetrics& m) {
  return price(*d.silicon, d.step->chip(), d.count, m);
}

WorkloadEconomics serving_economics(const DisaggregatedDeployment& d, const ServingMetrics& m) {
  return price(*d.prefill.silicon, d.prefill.step->chip(), d.count, m);
}

}  // namespace cw
