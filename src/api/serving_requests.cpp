#include "api/serving_requests.hpp"

#include <fmt/core.h>

#include <cmath>
#include <utility>

#include "config/did_you_mean.hpp"
#include "config/error.hpp"

namespace cw {

ServeOptions resolve(const ServeRequest& r) {
  ServeOptions o = r.o;
  // Negated tests, so that NaN is refused too.
  if (!(r.burstiness > 0) || !std::isfinite(r.burstiness))
    throw UserError(fmt::format("burstiness must be positive, got {:g}", r.burstiness));
  if (!(r.rate >= 0)) throw UserError(fmt::format("rate must be positive, got {:g}", r.rate));
  for (auto [v, name] : {std::pair{r.slo_ttft, "slo_ttft"}, {r.slo_tpot, "slo_tpot"}})
    if (!(v >= 0)) throw UserError(fmt::format("{} must be positive, got {:g}", name, v));
  if (r.offline && r.rate > 0) throw UserError("give either a rate or offline arrivals, not both");
  if (!(r.target_rate >= 0) || !std::isfinite(r.target_rate))
    throw UserError(fmt::format("target rate must be positive, got {:g}", r.target_rate));
  if (!(r.o.min_duration >= 0) || !std::isfinite(r.o.min_duration))
    throw UserError(fmt::format("min duration must be positive, got {:g}", r.o.min_duration));
  if (r.o.min_duration > 0 && !r.capacity)
    throw UserError("a minimum duration applies to the capacity search: add --capacity");
  if (r.tune && !r.capacity) throw UserError("tuning maximises the capacity: add --capacity");
  if (r.target_rate > 0 && !r.capacity)
    throw UserError("a target rate is sized from the capacity: add --capacity");
  if (r.capacity) {
    if (r.offline || r.rate > 0)
      throw UserError("capacity searches the arrival rate: drop --rate/--offline");
    if (r.slo_ttft == 0 && r.slo_tpot == 0)
      throw UserError(
          "capacity is the fastest rate that meets the latency objectives: give --slo-ttft "
          "and/or --slo-tpot (seconds, met at the p99)");
    o.arrivals.kind = r.burstiness == 1 ? ArrivalKind::poisson : ArrivalKind::gamma;
    o.arrivals.cv = r.burstiness;
  } else if (r.burstiness != 1 && !(r.rate > 0)) {
    throw UserError("burstiness shapes arrivals at a rate: give --rate (or --capacity)");
  } else if (r.offline) {
    o.arrivals.kind = ArrivalKind::offline;
  } else if (r.rate > 0) {
    o.arrivals.kind = r.burstiness == 1 ? ArrivalKind::poisson : ArrivalKind::gamma;
    o.arrivals.rate = r.rate;
    o.arrivals.cv = r.burstiness;
  } else if (!o.trace.empty()) {
    o.use_trace_times = true;  // fails with a hint if the trace has no arrival_s
  } else {
    throw UserError("give --rate QPS or --offline to say when requests arrive");
  }
  o.engine.chunked_prefill = !r.no_chunking;
  o.engine.policy = parse_policy(r.scheduler);
  o.router = parse_router(r.router);
  if (r.preemption == "swap") {
    o.engine.preemption = Preemption::swap;
  } else if (r.preemption != "recompute") {
    throw UserError("unknown preemption '" + r.preemption + "'. " +
                    suggestion(r.preemption, {"recompute", "swap"}));
  }
  if (r.disaggregate) o.split = r.split;
  if (r.slo_ttft > 0) o.slo.ttft = r.slo_ttft;
  if (r.slo_tpot > 0) o.slo.tpot = r.slo_tpot;
  return o;
}

MlperfOptions resolve(const MlperfRequest& r) {
  MlperfOptions o;
  o.chip = r.chip;
  o.count = r.count;
  o.benchmark = r.benchmark;
  o.scenario = parse_scenario(r.scenario);
  o.precision = r.precision;
  if (r.tp > 0) o.tp = r.tp;
  if (r.max_batch > 0) o.max_batch = r.max_batch;
  if (r.max_tokens > 0) o.max_tokens = r.max_tokens;
  if (!r.scheduler.empty()) o.policy = parse_policy(r.scheduler);
  o.routing_skew = r.routing_skew;
  o.eplb = r.eplb;
  o.redundant_experts = r.redundant_experts;
  o.speculative = r.speculative;
  o.acceptance = r.acceptance;
  o.draft = r.draft;
  return o;
}

}  // namespace cw
