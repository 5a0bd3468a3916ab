#include "serving/disaggregated.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <queue>

#include "config/error.hpp"
#include "serving/abort_rule.hpp"

namespace cw {
namespace {

constexpr double kIdle = std::numeric_limits<double>::infinity();

// A prompt must fit one prefill replica's KV cache, and its token budget
// without chunked prefill (the decode pool is checked by check_requests).
void check_prompts(const std::vector<Request>& requests, const EngineConfig& e) {
  for (const Request& r : requests) {
    const int64_t need = (r.input + e.block_size - 1) / e.block_size;
    if (need > e.kv_blocks) {
      throw UserError(fmt::format(
          "request {} has a {}-token prompt but a prefill replica holds only {} KV tokens; "
          "give prefill replicas more memory (a larger --prefill-tp) or shorten the prompt",
          r.id, r.input, e.kv_blocks * e.block_size));
    }
    if (!e.chunked_prefill && r.input > e.max_tokens) {
      throw UserError(
          fmt::format("request {} has a {}-token prompt but iterations hold at most {} tokens "
                      "and chunked prefill is off; raise --max-tokens or enable chunked prefill",
                      r.id, r.input, e.max_tokens));
    }
  }
}

struct Transfer {
  double end = 0;
  int64_t r = 0;
  int64_t blocks = 0;  // held on the prefill replica until `end`
  bool operator>(const Transfer& o) const { return end != o.end ? end > o.end : r > o.r; }
};

}  // namespace

SimulationResult simulate_disaggregated(const std::vector<Request>& requests,
                                        const DisaggregatedCluster& cluster,
                                        const StepCostFn& prefill_step,
                                        const StepCostFn& decode_step,
                                        const KvTransferFn& transfer,
                                        const SimulationOptions& options) {
  const int P = cluster.prefill.replicas, D = cluster.decode.replicas;
  if (P < 1 || D < 1) throw InternalError("both pools need at least one replica");
  const size_t n = requests.size();
  SimulationResult out;
  out.records.resize(n);
  out.prefill_replicas = P;
  std::vector<Replica> prefill, decode;
  prefill.reserve(static_cast<size_t>(P));
  decode.reserve(static_cast<size_t>(D));
  for (int k = 0; k < P; ++k) {
    prefill.emplace_back(k, cluster.prefill.engine, prefill_step, requests, out.records,
                         ReplicaRole::prefill);
  }
  for (int k = 0; k < D; ++k) {
    decode.emplace_back(P + k, cluster.decode.engine, decode_step, requests, out.records,
                        ReplicaRole::decode);
  }
  check_prompts(requests, cluster.prefill.engine);
  check_requests(requests, cluster.decode.engine, decode.front());

  const std::vector<int64_t> order = arrival_order(requests);
  const int64_t total_tokens = start_records(requests, out.records);
  // As simulate(): a bound far above any real run that turns a bug into an error.
  const int64_t max_iterations = 64 * total_tokens + 1024;
  P99Abort abort(requests, options.abort_ttft, options.abort_tpot);

  std::vector<double> prefill_busy(prefill.size(), kIdle), decode_busy(decode.size(), kIdle);
  // When each replica's link finishes the transfers queued on it.
  std::vector<double> send_free(prefill.size(), 0), receive_free(decode.size(), 0);
  std::vector<int64_t> held(n, 0);  // blocks a handed-off request holds on its prefill replica
  std::priority_queue<Transfer, std::vector<Transfer>, std::greater<>> in_flight;
  std::vector<int64_t> completed, reserved;
  std::vector<HandOff> handed_off;
  size_t next = 0;
  int64_t routed = 0, routed_decode = 0, done = 0, iterations = 0;
  auto start_idle = [&](std::vector<Replica>& pool, std::vector<double>& busy, double t) {
    for (size_t k = 0; k < pool.size(); ++k) {
      if (busy[k] != kIdle || !pool[k].has_work()) continue;
      const int64_t outstanding = pool[k].outstanding();
      busy[k] = pool[k].start(t);
      if (busy[k] == kIdle) continue;  // waits for blocks that transfers hold
      if (!(busy[k] >= t) || !std::isfinite(busy[k])) {
        throw InternalError(
            fmt::format("step time is not a finite non-negative number ({})", busy[k] - t));
      }
      if (options.observer) options.observer(pool[k].last(), outstanding);
      if (++iterations > max_iterations) {
        throw InternalError("serving simulation made no progress (iteration bound reached)");
      }
    }
  };
  while (true) {
    const double t_arr = next < n ? requests[order[next]].arrival : kIdle;
    const double t_kv = in_flight.empty() ? kIdle : in_flight.top().end;
    const double t = std::min({*std::min_element(prefill_busy.begin(), prefill_busy.end()),
                               *std::min_element(decode_busy.begin(), decode_busy.end()), t_arr,
                               t_kv});
    if (t == kIdle) break;
    for (size_t k = 0; k < prefill.size(); ++k) {
      if (prefill_busy[k] > t) continue;
      prefill[k].finish(completed, &handed_off);
      prefill_busy[k] = kIdle;
    }
    for (const HandOff& h : handed_off) {
      held[static_cast<size_t>(h.r)] = h.blocks;
      decode[pick_replica(cluster.decode.router, decode, routed_decode++)].enqueue_transfer(h.r);
    }
    handed_off.clear();
    for (size_t k = 0; k < decode.size(); ++k) {
      if (decode_busy[k] > t) continue;
      decode[k].finish(completed);
      decode_busy[k] = kIdle;
    }
    for (; !in_flight.empty() && in_flight.top().end <= t; in_flight.pop()) {
      const Transfer& x = in_flight.top();
      const RequestRecord& rec = out.records[static_cast<size_t>(x.r)];
      prefill[static_cast<size_t>(rec.replica)].release(x.blocks);
      decode[static_cast<size_t>(rec.decode_replica - P)].land(x.r);
    }
    if (retire(completed, done, abort, out)) break;
    for (; next < n && requests[order[next]].arrival <= t; ++next) {
      prefill[pick_replica(cluster.prefill.router, prefill, routed++)].enqueue(order[next]);
    }
    // Decode replicas with free blocks take waiting KV; each transfer starts
    // once both replicas' links are free.
    for (size_t d = 0; d < decode.size(); ++d) {
      decode[d].reserve(reserved);
      for (int64_t r : reserved) {
        RequestRecord& rec = out.records[static_cast<size_t>(r)];
        const auto p = static_cast<size_t>(rec.replica);
        rec.transfer_start = std::max({t, send_free[p], receive_free[d]});
        const double dt = transfer(rec.input, rec.replica, static_cast<int>(d));
        if (!(dt >= 0) || !std::isfinite(dt)) {
          throw InternalError(fmt::format("KV transfer time is not finite and >= 0 ({})", dt));
        }
        rec.transfer_end = rec.transfer_start + dt;
        send_free[p] = receive_free[d] = rec.transfer_end;
        in_flight.push({rec.transfer_end, r, held[static_cast<size_t>(r)]});
      }
      reserved.clear();
    }
    start_idle(prefill, prefill_busy, t);
    start_idle(decode, decode_busy, t);
  }
  if (!out.aborted && done != static_cast<int64_t>(n)) {
    throw InternalError(fmt::format("{} of {} requests completed", done, n));
  }
  for (const RequestRecord& r : out.records) out.makespan = std::max(out.makespan, r.finish);
  for (const Replica& rep : prefill) {
    out.replicas.push_back(replica_stats(rep, cluster.prefill.engine.kv_blocks, out.makespan));
    out.joules += rep.joules;
  }
  for (const Replica& rep : decode) {
    out.replicas.push_back(replica_stats(rep, cluster.decode.engine.kv_blocks, out.makespan));
    out.joules += rep.joules;
  }
  for (const ReplicaStats& s : out.replicas) {
    out.iterations += s.iterations;
    out.preemptions += s.preemptions;
  }
  return out;
}

}  // namespace cw
