#include <fmt/core.h>

#include "cli/commands.hpp"
#include "report/format.hpp"
#include "report/json_report.hpp"
#include "validate/validate.hpp"

namespace cw::cli {

void register_validate(CLI::App& app) {
  auto* cmd = app.add_subcommand("validate", "Predict every case of a calibration file and report errors");
  auto file = std::make_shared<std::string>();
  auto out = std::make_shared<OutputOptions>();
  cmd->add_option("file", *file, "calibration cases YAML")->required();
  add_format_option(*cmd, *out);
  cmd->callback([file, out] {
    CalibrationFile cases = load_calibration_cases(*file);
    for (const auto& w : cases.warnings) fmt::print(stderr, "{}\n", w);
    ValidationReport r = validate_cases(cases.cases);
    if (out->json()) {
      fmt::print("{}\n", to_json(r).dump(2));
      return;
    }
    fmt::print("{:<48} {:<18} {:>11} {:>11} {:>8}\n", "case", "kind", "predicted", "measured",
               "error");
    for (const auto& c : r.cases) {
      if (c.predicted) {
        fmt::print("{:<48} {:<18} {:>11.4g} {:>11.4g} {:>8}\n", c.id, c.kind, *c.predicted,
                   c.measured, format_percent(c.error()));
      } else {
        fmt::print("{:<48} {:<18} {:>11} {:>11.4g}  not evaluated: {}\n", c.id, c.kind, "-",
                   c.measured, c.reason);
      }
    }
    fmt::print("\n{:<20} {:>6} {:>10} {:>8}  {}\n", "kind", "cases", "evaluated", "MAPE",
               "worst case");
    auto line = [](const std::string& k, const KindSummary& s) {
      fmt::print("{:<20} {:>6} {:>10} {:>7.1f}%  {} ({})\n", k, s.cases, s.evaluated,
                 100.0 * s.mape, s.worst_id.empty() ? "-" : s.worst_id,
                 s.worst_id.empty() ? "-" : format_percent(s.worst_error));
    };
    for (const auto& [k, s] : r.by_kind) line(k, s);
    line("overall", r.overall);
  });
}

}  // namespace cw::cli
