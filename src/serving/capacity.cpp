#include "serving/capacity.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "config/error.hpp"
#include "report/format.hpp"

namespace cw {
namespace {

bool meets(const ServingMetrics& m, const Slo& slo) {
  return m.ttft.p99 <= slo.ttft && m.tpot.p99 <= slo.tpot;
}

// Which objective a run breaks, with the numbers.
std::string broken(const ServingMetrics& m, const Slo& slo) {
  if (m.ttft.p99 > slo.ttft)
    return fmt::format("p99 TTFT {} over {}", format_time(m.ttft.p99), format_time(slo.ttft));
  return fmt::format("p99 TPOT {} over {}", format_time(m.tpot.p99), format_time(slo.tpot));
}

}  // namespace

std::vector<Request> probe_requests(const ServeRequests& q, const ServeOptions& o, double rate) {
  std::vector<Request> requests = q.requests;
  if (!(rate > 0)) {
    for (Request& r : requests) r.arrival = 0;
    return requests;
  }
  const auto n = std::max<int64_t>(static_cast<int64_t>(q.requests.size()),
                                   static_cast<int64_t>(std::ceil(rate * o.min_duration)));
  if (n > kMaxCapacityRequests)
    throw UserError(fmt::format(
        "--min-duration {:g} s at {:.3g} requests/s needs {} requests, more than the {} a "
        "probe simulates; shorten --min-duration",
        o.min_duration, rate, n, kMaxCapacityRequests));
  for (int64_t i = static_cast<int64_t>(requests.size()); i < n; ++i) {
    Request r = q.requests[static_cast<size_t>(i) % q.requests.size()];
    r.id = i;
    requests.push_back(r);
  }
  ArrivalProcess p = o.arrivals;
  p.rate = rate;
  const std::vector<double> t = arrival_times(p, n, o.seed);
  for (size_t i = 0; i < requests.size(); ++i) requests[i].arrival = t[i];
  return requests;
}

CapacityResult find_capacity(const ServeOptions& options, double tolerance) {
  const ServeRequests q = serve_requests(options);
  return find_capacity(prepare_serve(options, q), q, options, tolerance);
}

CapacityResult find_capacity(ServeResult prepared, const ServeRequests& q,
                             const ServeOptions& options, double tolerance) {
  const double inf = std::numeric_limits<double>::infinity();
  if (options.slo.ttft == inf && options.slo.tpot == inf)
    throw UserError(
        "capacity is the fastest rate that meets the latency objectives: give "
        "--slo-ttft and/or --slo-tpot");
  if (options.arrivals.kind == ArrivalKind::offline || options.use_trace_times)
    throw UserError(
        "capacity searches the arrival rate: drop --rate, --offline and the trace's "
        "timestamps (arrivals are Poisson, or gamma with --burstiness)");
  ServeOptions o = options;
  o.timeline.clear();  // written for the final run only
  CapacityResult c;
  c.run = std::move(prepared);
  auto probe = [&](double rate) {
    ServeResult run = c.run;  // shares the deployment's step-cost cache
    simulate_serve(run, probe_requests(q, o, rate), o);
    return run;
  };
  const ServeResult offline = probe(0);
  c.offline_rate = offline.metrics.requests_per_s;
  auto record = [&](double rate, const ServeResult& run) {
    const bool ok = meets(run.metrics, o.slo);
    c.probes.push_back({rate, run.metrics.ttft.p99, run.metrics.tpot.p99, ok});
    return ok;
  };
  // Bracket: from the offline rate up, doubling while the objectives hold
  // (a finite stream faster than the offline rate may still meet them: the
  // engine batches deeper). When they hold even 1024 times faster, where the
  // requests are all but simultaneous, the capacity is the throughput's.
  // When the offline rate breaks them, the bracket's bottom is 1% of it.
  std::optional<ServeResult> best;  // the run at `lo`, which meets them
  double lo = 0, hi = c.offline_rate;
  bool throughput_bound = true;  // no probe broke them
  for (int doubling = 0; doubling <= 10 && throughput_bound; ++doubling) {
    ServeResult run = probe(hi);
    if (record(hi, run)) {
      lo = hi;
      best = std::move(run);
      if (doubling < 10) hi *= 2;
    } else {
      throughput_bound = false;
      c.limit = broken(run.metrics, o.slo);
    }
  }
  if (throughput_bound) c.limit = "throughput";
  if (!best) {
    lo = c.offline_rate / 100;
    ServeResult run = probe(lo);
    if (record(lo, run)) {
      best = std::move(run);
    } else {
      c.rate = lo;
      c.limit = broken(run.metrics, o.slo);
      c.run = std::move(run);
    }
  }
  if (best) {
    while (!throughput_bound && hi - lo > tolerance * hi) {
      const double mid = (lo + hi) / 2;
      ServeResult run = probe(mid);
      if (record(mid, run)) {
        lo = mid;
        best = std::move(run);
      } else {
        hi = mid;
        c.limit = broken(run.metrics, o.slo);
      }
    }
    c.found = true;
    c.rate = lo;
    c.run = std::move(*best);
  }
  c.run.arrivals = describe(ArrivalProcess{o.arrivals.kind, c.rate, o.arrivals.cv});
  if (!options.timeline.empty()) {  // the reported run again, with its timeline
    ServeOptions with_timeline = o;
    with_timeline.timeline = options.timeline;
    simulate_serve(c.run, probe_requests(q, o, c.rate), with_timeline);
  }
  return c;
}

Fleet fleet_for(const CapacityResult& c, double target_rate) {
  if (!c.found || !(target_rate > 0)) return {};
  const ServeResult& r = c.run;
  const int chips = r.disaggregated ? r.disaggregated->count : r.deployment.count;
  Fleet f;
  f.deployments = static_cast<int64_t>(std::ceil(target_rate / c.rate - 1e-9));
  f.chips = f.deployments * chips;
  if (r.economics.available())
    f.dollars_per_hour = static_cast<double>(f.chips) * r.economics.sheet.tco.per_chip_hour;
  return f;
}

nlohmann::json to_json(const CapacityResult& c, double target_rate) {
  nlohmann::json probes = nlohmann::json::array();
  for (const CapacityProbe& p : c.probes)
    probes.push_back({{"rate", p.rate},
                      {"ttft_p99_s", p.ttft_p99},
                      {"tpot_p99_s", p.tpot_p99},
                      {"meets", p.meets}});
  nlohmann::json j = to_json(c.run);
  j["capacity"] = {{"found", c.found},
                   {"requests_per_s", c.found ? nlohmann::json(c.rate) : nlohmann::json(nullptr)},
                   {"offline_requests_per_s", c.offline_rate},
                   {"limit", c.limit},
                   {"probes", probes}};
  if (target_rate > 0) {
    const Fleet f = fleet_for(c, target_rate);
    j["fleet"] = {
        {"target_rate", target_rate},
        {"deployments", c.found ? nlohmann::json(f.deployments) : nlohmann::json(nullptr)},
        {"chips", c.found ? nlohmann::json(f.chips) : nlohmann::json(nullptr)},
        {"dollars_per_hour",
         f.dollars_per_hour > 0 ? nlohmann::json(f.dollars_per_hour) : nlohmann::json(nullptr)}};
  }
  return j;
}

}  // namespace cw
