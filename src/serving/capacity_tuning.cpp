#include "serving/capacity_tuning.hpp"

#include <fmt/core.h>

#include <map>
#include <nlohmann/json.hpp>

#include "config/error.hpp"

namespace cw {

ServeOptions with_knobs(ServeOptions o, const EngineKnobs& k) {
  o.tp = k.tp;
  o.engine.max_batch = k.max_batch;
  o.engine.max_tokens = k.max_tokens;
  o.engine.policy = k.policy;
  return o;
}

TunedCapacity tune_capacity(const ServeOptions& options, std::optional<int> tp) {
  if (options.split)
    throw UserError(
        "tuning searches colocated replicas (tp, max batch, max tokens, scheduler); drop "
        "--disaggregate, or give the pools and run --capacity without --tune");
  if (options.pp > 1)
    throw UserError(
        "tuning searches tensor-parallel replicas; drop --pp, or run --capacity with the "
        "pipeline plan without --tune");
  ServeOptions quiet = options;
  quiet.timeline.clear();
  const ServeRequests q = serve_requests(quiet);
  TunedCapacity t;
  std::map<EngineKnobs::Key, CapacityResult> found;
  auto score = [&](const EngineKnobs& k) {
    const ServeOptions o = with_knobs(quiet, k);
    TunedPoint p{k, 0, ""};
    try {
      CapacityResult c = find_capacity(prepare_serve(o, q), q, o);
      if (c.found) {
        p.rate = c.rate;
        found.emplace(k.key(), std::move(c));
      } else {
        p.note = "no rate meets the objectives: " + c.limit;
      }
    } catch (const UserError& e) {
      p.note = e.what();
    }
    t.tried.push_back(p);
    return p.rate;
  };
  Tuner tuner(score, KnobPins{});
  double best = 0;
  for (int degree = 1; degree <= options.count; degree *= 2) {
    if (options.count % degree != 0 || (tp && degree != *tp)) continue;
    EngineKnobs start;
    start.tp = degree;
    start.max_batch = options.engine.max_batch;
    start.max_tokens = options.engine.max_tokens;
    start.policy = options.engine.policy;
    if (tuner.score(start) > 0) tuner.climb(start);  // else it cannot run, or never meets them
  }
  // The fastest point scored (a climb may pass one faster than where it stops).
  for (const TunedPoint& p : t.tried) {
    if (p.rate > best) {
      best = p.rate;
      t.best = p.knobs;
    }
  }
  if (best > 0) {
    t.capacity = std::move(found.at(t.best.key()));
    if (!options.timeline.empty()) {  // the reported run again, with its timeline
      const ServeOptions o = with_knobs(options, t.best);
      simulate_serve(t.capacity.run, probe_requests(q, o, t.capacity.rate), o);
    }
    return t;
  }
  std::string why = "no power-of-two tp divides the chips";
  for (const TunedPoint& p : t.tried)
    if (!p.note.empty()) why = p.note;
  throw UserError(
      fmt::format("no deployment of {} on {} x {} serves this traffic within the "
                  "objectives: {}",
                  options.model, options.count, options.chip, why));
}

nlohmann::json to_json(const TunedCapacity& t, double target_rate) {
  nlohmann::json j = to_json(t.capacity, target_rate);
  nlohmann::json tried = nlohmann::json::array();
  for (const TunedPoint& p : t.tried)
    tried.push_back({{"tp", p.knobs.tp},
                     {"max_batch", p.knobs.max_batch},
                     {"max_tokens", p.knobs.max_tokens},
                     {"scheduler", policy_name(p.knobs.policy)},
                     {"requests_per_s", p.rate},
                     {"note", p.note}});
  j["tuning"] = {{"tp", t.best.tp},
                 {"max_batch", t.best.max_batch},
                 {"max_tokens", t.best.max_tokens},
                 {"scheduler", policy_name(t.best.policy)},
                 {"tried", tried}};
  return j;
}

}  // namespace cw
