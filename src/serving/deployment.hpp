// A serving deployment: `count` chips as data-parallel replicas, each
// running one copy of the model on `cp` context-parallel groups of `tp`
// tensor-parallel chips (times `pp` pipeline stages), with a paged KV cache
// sized from the memory budget.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "engine/memory_fit.hpp"
#include "engine/step_model.hpp"
#include "serving/simulator.hpp"
#include "serving/step_cost.hpp"
#include "silicon/run_economics.hpp"

namespace cw {

// Share of the memory left after weights and the activation workspace that
// the engine gives to the KV cache (TensorRT-LLM KvCacheConfig
// free_gpu_memory_fraction, default 0.9; the rest covers the runtime's own
// buffers and fragmentation).
inline constexpr double kKvMemoryFraction = 0.9;
// Host link for KV swapping, per chip: PCIe 5.0 x16, 63 GB/s each direction
// (PCI-SIG spec). Chip presets have no host-link field yet [ASSUMED].
inline constexpr double kHostLinkBandwidth = 63e9;

struct Deployment {
  int count = 1;                    // chips
  int tp = 1;                       // tensor-parallel chips per group
  int cp = 1;                       // context-parallel groups per replica
  int pp = 1;                       // pipeline stages per replica
  int replicas = 1;                 // count / (tp x cp x pp)
  ClusterConfig cluster;            // engine.kv_blocks filled in from the memory budget
  MemoryBudget memory;              // per chip, with the KV cache at its full size
  std::shared_ptr<StepModel> step;  // one replica's iteration cost
  // The chip's silicon sheet and TCO inputs (or why it cannot be costed);
  // its energy table prices every iteration.
  std::shared_ptr<const WorkloadEconomics> silicon;
  // Memoised step times and energies over `step`; deployments of the same
  // model and tp may share one.
  std::shared_ptr<StepCostCache> costs;

  StepCostFn step_cost() const;  // calls `costs` (not thread-safe: one run at a time)
  std::string describe() const;  // one line: replicas, tp, batch limits, policy, KV size
};

// Checks the deployment is possible and sizes the KV cache: count divisible
// by tp x cp x pp, and kKvMemoryFraction of what weights and activations leave on each
// chip holds at least one request of `min_tokens` tokens (plus the step's
// speculative drafts, which its last verification writes). Throws UserError
// with a fix.
Deployment make_deployment(std::shared_ptr<StepModel> step, int count, EngineConfig engine,
                           RouterPolicy router = RouterPolicy::round_robin, int64_t min_tokens = 1);

nlohmann::json to_json(const Deployment& d);

}  // namespace cw
