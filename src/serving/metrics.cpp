#include "serving/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cw {

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<size_t>(std::floor(static_cast<double>(v.size()) * q));
  return v[std::min(i, v.size() - 1)];
}

Percentiles summarize_values(std::vector<double> v) {
  Percentiles p;
  if (v.empty()) return p;
  p.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  p.p50 = percentile(v, 0.50);
  p.p90 = percentile(v, 0.90);
  p.p99 = percentile(v, 0.99);
  p.max = v.back();
  return p;
}

namespace {

void summarize_transfers(const SimulationResult& r, ServingMetrics& m) {
  m.disaggregated = true;
  std::vector<double> on_link, wait;
  for (const RequestRecord& q : r.records) {
    if (q.decode_replica < 0) continue;
    on_link.push_back(q.transfer_end - q.transfer_start);
    wait.push_back(q.transfer_start - q.first_token);
  }
  m.kv_transfers = static_cast<int64_t>(on_link.size());
  m.kv_transfer = summarize_values(std::move(on_link));
  m.kv_wait = summarize_values(std::move(wait));
  const auto P = static_cast<size_t>(r.prefill_replicas);
  if (m.makespan > 0 && r.replicas.size() > P) {
    for (size_t k = 0; k < r.replicas.size(); ++k) {
      (k < P ? m.prefill_utilisation : m.decode_utilisation) += r.replicas[k].busy_time;
    }
    m.prefill_utilisation /= m.makespan * static_cast<double>(P);
    m.decode_utilisation /= m.makespan * static_cast<double>(r.replicas.size() - P);
  }
}

}  // namespace

ServingMetrics summarize(const SimulationResult& r, const Slo& slo) {
  ServingMetrics m;
  m.requests = static_cast<int64_t>(r.records.size());
  m.makespan = r.makespan;
  std::vector<double> ttft, tpot, e2e;
  ttft.reserve(r.records.size());
  e2e.reserve(r.records.size());
  int64_t good = 0;
  for (const RequestRecord& q : r.records) {
    m.input_tokens += q.input;
    m.output_tokens += q.output;
    ttft.push_back(q.ttft());
    e2e.push_back(q.e2e());
    if (q.output > 1) tpot.push_back(q.tpot());
    if (q.ttft() <= slo.ttft && q.tpot() <= slo.tpot) ++good;
  }
  m.ttft = summarize_values(std::move(ttft));
  m.tpot = summarize_values(std::move(tpot));
  m.e2e = summarize_values(std::move(e2e));
  if (m.makespan > 0) {
    m.output_tokens_per_s = static_cast<double>(m.output_tokens) / m.makespan;
    m.requests_per_s = static_cast<double>(m.requests) / m.makespan;
    m.goodput_requests_per_s = static_cast<double>(good) / m.makespan;
  }
  if (m.requests > 0) m.slo_attainment = static_cast<double>(good) / m.requests;
  for (const ReplicaStats& s : r.replicas) {
    if (m.makespan > 0) m.utilisation += s.busy_time / m.makespan;
    m.kv_occupancy_mean += s.kv_occupancy_mean;
    m.kv_occupancy_peak = std::max(m.kv_occupancy_peak, s.kv_occupancy_peak);
  }
  if (!r.replicas.empty()) {
    m.utilisation /= static_cast<double>(r.replicas.size());
    m.kv_occupancy_mean /= static_cast<double>(r.replicas.size());
  }
  m.iterations = r.iterations;
  m.preemptions = r.preemptions;
  if (r.prefill_replicas > 0) summarize_transfers(r, m);
  m.dynamic_joules = r.joules;
  return m;
}

}  // namespace cw
