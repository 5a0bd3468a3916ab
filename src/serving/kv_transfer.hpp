// The cost of moving one request's KV cache from a prefill replica to a
// decode replica of a disaggregated deployment, over the links of the
// system both pools sit in: the scale-up links (NVLink, ICI, xGMI) when both
// replicas lie in one scale-up domain, else the scale-out NICs. Costed as a
// point-to-point send by the collective model (perf/collective.hpp
// send_recv): time = latency + bytes / (link bandwidth x efficiency) + one
// kernel launch.
#pragma once

#include <cstdint>

#include "hardware/system_spec.hpp"
#include "workload/model_spec.hpp"
#include "workload/precision.hpp"

namespace cw {

struct KvTransferModel {
  SystemSpec system;  // all chips of the deployment; prefill pool first
  int prefill_replicas = 1, prefill_tp = 1, decode_tp = 1;
  double bytes_per_token = 0;  // KV of one token for the whole model (all layers and heads)
  // Bytes per token the busiest chip of a replica pair sends or receives (see make_kv_transfer).
  double busiest_bytes_per_token = 0;
  // Sliding-window layers send only a prompt's last `window` tokens; these
  // are their bytes per token (in bytes_per_token's full-attention layers not).
  int64_t window = 0;
  double busiest_window_bytes_per_token = 0;

  // Chips [first, last] of prefill replica p and decode replica d
  // (placed contiguously, prefill pool first) lie in one scale-up domain.
  bool same_domain(int p, int d) const;
  // Seconds to move `tokens` tokens of KV from prefill replica p to decode replica d.
  double time(int64_t tokens, int p, int d) const;
};

// The transfer model for P prefill replicas of tp `prefill_tp` followed by
// decode replicas of tp `decode_tp` on `system`. Throws UserError when the
// system has no link the transfer could use.
KvTransferModel make_kv_transfer(const SystemSpec& system, const ModelSpec& model,
                                 const Precision& precision, int prefill_replicas,
                                 int prefill_tp, int decode_tp);

}  // namespace cw
