#include "serving/kv_transfer.hpp"

#include <algorithm>

#include "perf/collective.hpp"
#include "workload/model_stats.hpp"

namespace cw {

bool KvTransferModel::same_domain(int p, int d) const {
  // Chip indices: prefill replica p holds [p·tp_p, (p+1)·tp_p); decode
  // replica d holds [P·tp_p + d·tp_d, … + tp_d).
  const int domain = system.scale_up.domain;
  const int p_first = p * prefill_tp, p_last = p_first + prefill_tp - 1;
  const int d_first = prefill_replicas * prefill_tp + d * decode_tp;
  const int d_last = d_first + decode_tp - 1;
  const int lo = std::min(p_first, d_first), hi = std::max(p_last, d_last);
  return lo / domain == hi / domain;
}

double KvTransferModel::time(int64_t tokens, int p, int d) const {
  const double bytes =
      static_cast<double>(tokens) * busiest_bytes_per_token +
      static_cast<double>(std::min(tokens, window)) * busiest_window_bytes_per_token;
  return send_recv(system, bytes, !same_domain(p, d)).cost.time;
}

KvTransferModel make_kv_transfer(const SystemSpec& system, const ModelSpec& model,
                                 const Precision& precision, int prefill_replicas,
                                 int prefill_tp, int decode_tp) {
  KvTransferModel m;
  m.system = system;
  m.prefill_replicas = prefill_replicas;
  m.prefill_tp = prefill_tp;
  m.decode_tp = decode_tp;
  m.bytes_per_token = kv_cache_bytes_per_token(model, precision);
  // Each decode chip receives its shard of the KV: heads split over
  // min(tp, kv_heads) ranks (replicated beyond), MLA's latent KV whole on
  // every rank (as engine/memory_fit.cpp stores it). The prefill chips send
  // the tp_d shards between them, each tp_d / tp_p of them when the decode
  // replica is wider. Chip pairs send in parallel, so the time is that of
  // the busiest chip: shard x max(1, tp_d / tp_p).
  const double shards =
      model.mla ? 1.0 : std::min<double>(decode_tp, static_cast<double>(model.kv_heads));
  const double busiest = std::max(1.0, static_cast<double>(decode_tp) / prefill_tp) / shards;
  m.busiest_bytes_per_token = m.bytes_per_token * busiest;
  if (model.sliding_window > 0) {
    m.window = model.sliding_window;
    m.busiest_window_bytes_per_token = window_kv_bytes_per_token(model, precision) * busiest;
  }
  return m;
}

}  // namespace cw
