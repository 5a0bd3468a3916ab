// A disaggregated serving deployment: a prefill pool of P replicas of tp_p
// chips and a decode pool of D replicas of tp_d chips, each replica with its
// own KV cache sized from its memory budget (deployment.hpp), placed
// contiguously (prefill pool first) on the chip's standard system of
// `count` chips, with the KV transfer between them costed on its links.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "serving/deployment.hpp"
#include "serving/disaggregated.hpp"
#include "serving/kv_transfer.hpp"

namespace cw {

struct PoolSplit {
  int prefill_replicas = 1, prefill_tp = 1;
  int decode_replicas = 1, decode_tp = 1;
  int chips() const { return prefill_replicas * prefill_tp + decode_replicas * decode_tp; }
};

struct DisaggregatedDeployment {
  int count = 1;  // chips of the system; the pools use split.chips() of them
  PoolSplit split;
  Deployment prefill, decode;  // each pool as a cluster of its own
  KvTransferModel transfer;

  DisaggregatedCluster cluster() const { return {prefill.cluster, decode.cluster}; }
  // Runs `requests` through both pools (not thread-safe: one run at a time).
  SimulationResult simulate(const std::vector<Request>& requests,
                            const SimulationOptions& options = {}) const;
  std::string describe() const;  // two lines: the prefill pool, the decode pool
};

// Checks the split fits `count` chips and builds both pools; `min_prompt` is
// the longest prompt (a prefill replica must hold it), `min_tokens` the most
// tokens one request holds (a decode replica must hold it). Throws UserError
// naming the flag to change (--prefill-replicas, --prefill-tp, ...). Under
// `speculation` the decode pool drafts and verifies (its drafter's weights
// and KV in its budget) and the drafter's KV of the prompt moves with the
// target's.
DisaggregatedDeployment make_disaggregated(const ChipSpec& chip, const ModelSpec& model,
                                           const Precision& precision, int count,
                                           const PoolSplit& split, const EngineConfig& engine,
                                           RouterPolicy router, int64_t min_prompt,
                                           int64_t min_tokens, const Speculation& speculation = {});

nlohmann::json to_json(const DisaggregatedDeployment& d);

}  // namespace cw
