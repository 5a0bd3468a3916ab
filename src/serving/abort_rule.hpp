// SimulationOptions::abort_ttft/abort_tpot as a rule over completed requests:
// LoadGen's p99 = sorted[floor(0.99 n)] reaches a limit once n − floor(0.99 n)
// values do, so the run can stop as soon as that many completed requests
// reach it. TPOT counts only requests with two or more tokens. Shared by the
// colocated and disaggregated simulators.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "serving/request.hpp"

namespace cw {

class P99Abort {
 public:
  P99Abort(const std::vector<Request>& requests, double ttft_limit, double tpot_limit)
      : ttft_limit_(ttft_limit), tpot_limit_(tpot_limit) {
    int64_t multi_token = 0;
    for (const Request& r : requests) multi_token += r.output > 1 ? 1 : 0;
    ttft_quota_ = tail(static_cast<int64_t>(requests.size()));
    tpot_quota_ = tail(multi_token);
  }
  // Counts a completed request; true once a p99 certainly reaches its limit.
  bool add(const RequestRecord& rec) {
    ttft_misses_ += rec.ttft() >= ttft_limit_ ? 1 : 0;
    tpot_misses_ += rec.output > 1 && rec.tpot() >= tpot_limit_ ? 1 : 0;
    return reached();
  }
  bool reached() const {
    return ttft_misses_ >= ttft_quota_ || (tpot_quota_ > 0 && tpot_misses_ >= tpot_quota_);
  }
  std::string reason() const {
    return ttft_misses_ >= ttft_quota_ ? "p99 TTFT reached the limit"
                                       : "p99 TPOT reached the limit";
  }

 private:
  static int64_t tail(int64_t count) {
    return count - static_cast<int64_t>(std::floor(0.99 * static_cast<double>(count)));
  }
  double ttft_limit_, tpot_limit_;
  int64_t ttft_quota_ = 0, tpot_quota_ = 0;
  int64_t ttft_misses_ = 0, tpot_misses_ = 0;
};

}  // namespace cw
