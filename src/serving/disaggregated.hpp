// Disaggregated prefill and decode (DistServe, Splitwise, NVIDIA Dynamo): a
// prefill pool of replicas runs prompts and emits each request's first
// token; the request's KV cache then moves over the system's links to a
// replica of a separate decode pool, which decodes the rest with continuous
// batching. The decode replica must reserve KV blocks before the transfer
// starts (the request queues there until they are free; DistServe's decode
// instance pulls KV when it has room); the prefill replica frees its blocks
// when the transfer ends. Each replica's link sends or receives one transfer
// at a time (FIFO), so transfers from one prefill replica, or into one decode
// replica, queue behind each other.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "serving/simulator.hpp"

namespace cw {

struct DisaggregatedCluster {
  ClusterConfig prefill;  // replicas, engine and router of the prefill pool
  ClusterConfig decode;   // and of the decode pool
};

// Seconds to move the KV cache of `tokens` prompt tokens from prefill
// replica `p` to decode replica `d` (kv_transfer.hpp; tests inject constants).
using KvTransferFn = std::function<double(int64_t tokens, int p, int d)>;

// Runs every request to completion (or to an early abort, as simulate()).
// A request with one output token finishes on its prefill replica and moves
// no KV. Replicas are numbered prefill pool first: 0..P-1, then the decode
// pool P..P+D-1 (records' replica / decode_replica, the observer, the
// result's replicas); `transfer` gets the decode replica's index within its
// pool.
// Throws UserError when a prompt cannot fit a prefill replica or a request
// cannot fit a decode replica.
SimulationResult simulate_disaggregated(const std::vector<Request>& requests,
                                        const DisaggregatedCluster& cluster,
                                        const StepCostFn& prefill_step,
                                        const StepCostFn& decode_step,
                                        const KvTransferFn& transfer,
                                        const SimulationOptions& options = {});

}  // namespace cw
