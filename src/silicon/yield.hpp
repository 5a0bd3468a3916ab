// Die yield and dies per wafer (../shared/reference/silicon.md §5). A is the
// die's critical area in cm², D0 the defect density in defects per cm².
// Contract: pure functions; non-finite or negative inputs throw cw::UserError.
#pragma once

#include <string>
#include <vector>

namespace cw {

enum class YieldModel { poisson, murphy, negative_binomial };

// "poisson" | "murphy" | "negative_binomial"; a UserError with did-you-mean otherwise.
YieldModel parse_yield_model(const std::string& name);
const char* yield_model_name(YieldModel m);

// Poisson: Y = exp(-A·D0).
double yield_poisson(double area_cm2, double d0);
// Murphy (triangular defect density): Y = ((1 - exp(-A·D0)) / (A·D0))².
double yield_murphy(double area_cm2, double d0);
// Negative binomial (Stapper): Y = (1 + A·D0/α)^-α; α → ∞ is Poisson, α = 1 Seeds.
double yield_negative_binomial(double area_cm2, double d0, double alpha);
double die_yield(YieldModel m, double area_cm2, double d0, double alpha);

// Probability that a die whose repairable area (cores with spares, SRAM rows)
// receives at most `spares` defects, each defect killing one repairable unit.
// Counts follow the model's distribution: Poisson for poisson/murphy,
// negative binomial with clustering α otherwise. spares = 0 gives the die yield
// of that area under Poisson / negative binomial.
double repair_yield(YieldModel m, double area_cm2, double d0, double alpha, int spares);

// Gross dies per wafer, Hennessy & Patterson (silicon.md §5):
// DPW = π (d/2)² / S − π d / √(2 S), d the wafer diameter, S the die area (mm).
double dies_per_wafer(double die_area_mm2, double wafer_diameter_mm = 300);

// Known-good-die cost = wafer price / (⌊DPW⌋ × yield) (Chiplet Actuary cost_KGD, §5).
// Throws a UserError when no whole die fits on the wafer.
double die_cost(double wafer_price, double die_area_mm2, double yield,
                double wafer_diameter_mm = 300);

}  // namespace cw
