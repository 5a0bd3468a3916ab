// `chipwright validate`: predict every calibration case and report the error
// per case, per kind (MAPE, worst) and overall. A case the tool cannot
// evaluate is listed with a reason and counts as a failure, never skipped.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "validate/calibration_case.hpp"

namespace cw {

struct CasePrediction {
  std::string id;
  std::string kind;
  std::string chip;
  std::string metric;
  double measured = 0;
  std::optional<double> predicted;  // empty = not evaluated
  std::string reason;               // why not evaluated
  // Signed error predicted/measured - 1 (only when predicted).
  double error() const { return predicted ? *predicted / measured - 1.0 : 0.0; }
};

struct KindSummary {
  int cases = 0;
  int evaluated = 0;
  double mape = 0;         // mean |error| over evaluated cases
  std::string worst_id;    // largest |error|
  double worst_error = 0;  // signed
};

struct ValidationReport {
  std::vector<CasePrediction> cases;
  std::map<std::string, KindSummary> by_kind;
  KindSummary overall;
};

// Predicts one case. Problems with the case itself (unknown chip, bad field)
// throw UserError; kinds chipwright cannot yet evaluate return a reason.
CasePrediction predict_case(const CalibrationCase& c);

ValidationReport validate_cases(const std::vector<CalibrationCase>& cases);

}  // namespace cw
