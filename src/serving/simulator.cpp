#include "serving/simulator.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "config/did_you_mean.hpp"
#include "config/error.hpp"
#include "serving/abort_rule.hpp"

namespace cw {
namespace {

constexpr double kIdle = std::numeric_limits<double>::infinity();

}  // namespace

void check_requests(const std::vector<Request>& requests, const EngineConfig& e,
                    const Replica& probe) {
  for (const Request& r : requests) {
    if (r.input < 1 || r.output < 1 || r.width < 1 || !std::isfinite(r.arrival) || r.arrival < 0) {
      throw UserError(
          fmt::format("request {} is malformed (input {}, output {}, width {}, "
                      "arrival {}); lengths must be >= 1 and arrivals >= 0",
                      r.id, r.input, r.output, r.width, r.arrival));
    }
    const int64_t need = probe.peak_blocks(r), pool = probe.pool_blocks();
    if (need > pool) {
      throw UserError(fmt::format(
          "request {} (input {} + output {} tokens) needs {} KV blocks of {} tokens but a "
          "{} holds only {} blocks ({} tokens); give each replica more memory (a larger "
          "--tp or a chip with more memory), a smaller KV-cache precision, or shorten the "
          "request",
          r.id, r.input, r.output, need, e.block_size,
          e.attention_ranks > 1   ? "replica's attention-DP rank"
          : e.pipeline_stages > 1 ? "replica's pipeline micro-batch scheduler"
                                  : "replica",
          pool, pool * e.block_size));
    }
    if (!e.chunked_prefill && r.input > e.max_tokens) {
      throw UserError(
          fmt::format("request {} has a {}-token prompt but iterations hold at most "
                      "{} tokens and chunked prefill is off; raise --max-tokens or "
                      "enable chunked prefill",
                      r.id, r.input, e.max_tokens));
    }
  }
}

const char* router_name(RouterPolicy p) {
  return p == RouterPolicy::round_robin ? "round-robin" : "least-loaded";
}

RouterPolicy parse_router(const std::string& s) {
  if (s == "round-robin") return RouterPolicy::round_robin;
  if (s == "least-loaded") return RouterPolicy::least_loaded;
  throw UserError("unknown router '" + s + "'. " + suggestion(s, {"round-robin", "least-loaded"}));
}

size_t pick_replica(RouterPolicy policy, const std::vector<Replica>& replicas, int64_t routed) {
  size_t k = static_cast<size_t>(routed % static_cast<int64_t>(replicas.size()));
  if (policy == RouterPolicy::least_loaded) {
    for (size_t j = 0; j < replicas.size(); ++j) {
      if (replicas[j].outstanding() < replicas[k].outstanding() ||
          (replicas[j].outstanding() == replicas[k].outstanding() && j < k)) {
        k = j;
      }
    }
  }
  return k;
}

SimulationResult simulate(const std::vector<Request>& requests, const ClusterConfig& cluster,
                          const StepCostFn& step_cost, const SimulationOptions& options) {
  if (cluster.replicas < 1) throw InternalError("a cluster needs at least one replica");
  const size_t n = requests.size();
  SimulationResult out;
  out.records.resize(n);
  std::vector<Replica> replicas;
  replicas.reserve(static_cast<size_t>(cluster.replicas));
  for (int k = 0; k < cluster.replicas; ++k) {
    replicas.emplace_back(k, cluster.engine, step_cost, requests, out.records);
  }
  check_requests(requests, cluster.engine, replicas.front());

  const std::vector<int64_t> order = arrival_order(requests);
  const int64_t total_tokens = start_records(requests, out.records);

  // Each iteration processes at least one token, and recompute at most
  // repeats a request's tokens once per preemption; this bound is far above
  // any real run and only turns a scheduler bug into an error instead of a hang.
  const int64_t max_iterations = 64 * total_tokens + 1024;
  P99Abort abort(requests, options.abort_ttft, options.abort_tpot);

  std::vector<double> busy_until(replicas.size(), kIdle);
  std::vector<int64_t> completed;
  size_t next = 0;
  int64_t routed = 0, done = 0, iterations = 0;
  while (true) {
    const double t_iter = *std::min_element(busy_until.begin(), busy_until.end());
    const double t_arr = next < n ? requests[order[next]].arrival : kIdle;
    const double t = std::min(t_iter, t_arr);
    if (t == kIdle) break;
    for (size_t k = 0; k < replicas.size(); ++k) {
      if (busy_until[k] > t) continue;
      replicas[k].finish(completed);
      busy_until[k] = kIdle;
    }
    if (retire(completed, done, abort, out)) break;
    for (; next < n && requests[order[next]].arrival <= t; ++next) {
      const size_t k = pick_replica(cluster.router, replicas, routed++);
      replicas[k].enqueue(order[next]);
    }
    for (size_t k = 0; k < replicas.size(); ++k) {
      if (busy_until[k] != kIdle || !replicas[k].has_work()) continue;
      const int64_t outstanding = replicas[k].outstanding();
      busy_until[k] = replicas[k].start(t);
      if (!(busy_until[k] >= t) || !std::isfinite(busy_until[k])) {
        throw InternalError(
            fmt::format("step time is not a finite non-negative number ({})", busy_until[k] - t));
      }
      if (options.observer) options.observer(replicas[k].last(), outstanding);
      if (++iterations > max_iterations) {
        throw InternalError("serving simulation made no progress (iteration bound reached)");
      }
    }
  }
  if (!out.aborted && done != static_cast<int64_t>(n)) {
    throw InternalError(fmt::format("{} of {} requests completed", done, n));
  }
  for (const RequestRecord& r : out.records) out.makespan = std::max(out.makespan, r.finish);
  for (const Replica& rep : replicas) {
    out.replicas.push_back(replica_stats(rep, cluster.engine.kv_blocks, out.makespan));
    out.iterations += rep.iterations;
    out.preemptions += rep.preemptions;
    out.joules += rep.joules;
  }
  return out;
}

std::vector<int64_t> arrival_order(const std::vector<Request>& requests) {
  std::vector<int64_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return requests[a].arrival < requests[b].arrival; });
  return order;
}

int64_t start_records(const std::vector<Request>& requests, std::vector<RequestRecord>& records) {
  int64_t total_tokens = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    const Request& r = requests[i];
    RequestRecord& rec = records[i];
    rec.id = r.id;
    rec.arrival = r.arrival;
    rec.input = r.input;
    rec.output = r.output;
    total_tokens += r.input + r.output;
  }
  return total_tokens;
}

bool retire(std::vector<int64_t>& completed, int64_t& done, P99Abort& abort,
            SimulationResult& out) {
  done += static_cast<int64_t>(completed.size());
  bool stop = false;
  for (int64_t i : completed) stop = abort.add(out.records[static_cast<size_t>(i)]) || stop;
  completed.clear();
  if (stop) {
    out.aborted = true;
    out.abort_reason = abort.reason();
  }
  return stop;
}

ReplicaStats replica_stats(const Replica& rep, int64_t kv_blocks, double makespan) {
  ReplicaStats s;
  s.busy_time = rep.busy_time;
  s.joules = rep.joules;
  s.iterations = rep.iterations;
  s.preemptions = rep.preemptions;
  const double blocks = static_cast<double>(kv_blocks);
  if (makespan > 0) s.kv_occupancy_mean = rep.kv_block_seconds / (blocks * makespan);
  s.kv_occupancy_peak = static_cast<double>(rep.kv_peak) / blocks;
  return s;
}

}  // namespace cw
