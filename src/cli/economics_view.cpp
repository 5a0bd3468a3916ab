#include "cli/economics_view.hpp"

#include <fmt/core.h>

namespace cw::cli {

void print_economics(const WorkloadEconomics& w) {
  if (!w.available()) {
    fmt::print("  energy       (no silicon figures: {})\n", w.unavailable);
    return;
  }
  fmt::print("  energy       {:.3f} J/token ({:.0f} W per chip)\n", w.joules_per_token,
             w.average_power_w);
  fmt::print("  cost         ${:.3f} per million output tokens\n", w.dollars_per_mtok);
}

}  // namespace cw::cli
