// Arrival processes and the seeded random numbers behind them. Random values
// are derived from std::mt19937_64 with our own transforms (the standard fixes
// the engine's sequence but not std::*_distribution's algorithms), so a seed
// gives the same arrivals on every platform.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace cw {

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  double uniform();                          // [0, 1) with 53 random bits
  double exponential(double rate);           // mean 1/rate
  double normal();                           // standard normal (Box–Muller)
  double gamma(double shape, double scale);  // mean shape·scale (Marsaglia–Tsang)
  uint64_t index(uint64_t n);                // uniform in [0, n)

 private:
  std::mt19937_64 engine_;
};

// Fisher–Yates shuffle driven by `rng` (portable, unlike std::shuffle).
template <typename T>
void shuffle(std::vector<T>& v, Rng& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.index(i)]);
}

enum class ArrivalKind {
  offline,  // every request at t = 0 (MLPerf Offline)
  poisson,  // exponential gaps at `rate` (MLPerf Server, loadgen.cc)
  gamma,    // gamma gaps at `rate` with coefficient of variation `cv` (> 1 is bursty)
};

struct ArrivalProcess {
  ArrivalKind kind = ArrivalKind::offline;
  double rate = 1;  // requests per second (poisson, gamma)
  double cv = 1;    // gamma only: stddev/mean of the gaps; cv = 1 is Poisson
};

// `n` arrival times, non-decreasing, the first gap drawn like every other.
// Throws UserError on a rate or cv that is not positive and finite.
std::vector<double> arrival_times(const ArrivalProcess& p, int64_t n, uint64_t seed);

// "offline", "poisson 10/s", "gamma 10/s cv 3"
std::string describe(const ArrivalProcess& p);

}  // namespace cw
