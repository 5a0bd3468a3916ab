// Serving capacity: the highest arrival rate a deployment sustains while
// meeting its latency objectives at the p99 (the question behind Vidur's
// configuration search and MLPerf's Server scenario, for any dataset or
// trace and any SLOs). The deployment is built once; each probe re-times the
// same requests (Poisson, or gamma with the given burstiness) at one rate and
// simulates them. The bracket's top is the deployment's offline rate (every
// request at t = 0): faster arrivals only queue. Probes bisect between a
// rate that meets the objectives and one that does not, to `tolerance`.
#pragma once

#include <string>
#include <vector>

#include "serving/serve.hpp"

namespace cw {

// Most requests one probe simulates (about 100 bytes each, and the
// simulator's time): a --min-duration beyond this at the probed rate is refused.
inline constexpr int64_t kMaxCapacityRequests = 10'000'000;

struct CapacityProbe {
  double rate = 0;  // requests/s
  double ttft_p99 = 0, tpot_p99 = 0;
  bool meets = false;
};

struct CapacityResult {
  bool found = false;       // some probed rate meets the objectives
  double rate = 0;          // requests/s: the fastest probe that meets them
  double offline_rate = 0;  // requests/s with every request at t = 0 (the bracket's top)
  ServeResult run;          // at `rate` (found), else at the slowest probe
  std::string limit;        // what stops a faster rate: the objective the next probe broke,
                            // or "throughput" when even the offline rate meets them
  std::vector<CapacityProbe> probes;  // in the order run
};

// `o` must set at least one objective (o.slo) and an arrival process whose
// rate is searched (poisson or gamma; its rate is ignored). With
// o.min_duration, each probe cycles the requests until their arrivals span
// that long at its rate, as LoadGen's Server scenario does (600 s). UserError
// otherwise, and for everything run_serve refuses.
CapacityResult find_capacity(const ServeOptions& o, double tolerance = 0.01);
// The same on a deployment already built for q's requests (prepare_serve's
// result, or one the caller made): o gives the objectives, the arrival
// process, the seed and the timeline.
CapacityResult find_capacity(ServeResult prepared, const ServeRequests& q, const ServeOptions& o,
                             double tolerance = 0.01);

// q's requests as one probe at `rate` sends them: at t = 0 when rate is 0;
// else re-timed by o's arrival process at that rate (seeded by o.seed),
// cycled until their arrivals span o.min_duration (UserError past
// kMaxCapacityRequests).
std::vector<Request> probe_requests(const ServeRequests& q, const ServeOptions& o, double rate);

// A stream of `target_rate` requests/s served by copies of the deployment,
// each held at its capacity: ceil(target / capacity) copies (0 when none
// was found), and what they cost per hour.
struct Fleet {
  int64_t deployments = 0, chips = 0;
  // TCO of those chips per hour at the run's power (silicon/tco.hpp); 0 when
  // the chip cannot be costed.
  double dollars_per_hour = 0;
};
Fleet fleet_for(const CapacityResult& c, double target_rate);

// serve's document of the run at the capacity, plus "capacity" (the rate,
// the offline rate, the limit, the probes) and, with target_rate > 0,
// "fleet" (target_rate, deployments, chips, dollars_per_hour).
nlohmann::json to_json(const CapacityResult& c, double target_rate);

}  // namespace cw
