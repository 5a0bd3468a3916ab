// How a model is spread over chips: tensor (tp), pipeline (pp), expert (ep)
// and data (dp, replicas) parallelism. count = tp × pp × dp; expert
// parallelism shards the routed experts of each MoE layer over `ep` ranks of
// the tensor-parallel group (ep divides tp; each expert's FFN is then split
// tp/ep ways), as TensorRT-LLM's moe_ep × moe_tp = tp.
#pragma once

#include <string>
#include <vector>

#include "workload/model_spec.hpp"

namespace cw {

struct ParallelPlan {
  int tp = 1;
  int pp = 1;
  int ep = 1;
  int dp = 1;
  int chips() const { return tp * pp * dp; }
  int moe_tp() const { return tp / ep; }  // ways each expert's FFN is split
  std::string to_string() const;          // "tp4 pp2 ep1 dp1"
  bool operator==(const ParallelPlan&) const = default;
};

// Throws UserError when the plan cannot run the model: degrees < 1, tp not
// dividing the attention heads, pp above the layer count, ep not dividing tp
// or the expert count, ep > 1 on a dense model. The message suggests valid values.
void check_plan(const ParallelPlan& plan, const ModelSpec& model);

// Every valid plan using exactly `count` chips (tp, pp and ep powers of two
// or divisors as the model allows), in a fixed order.
std::vector<ParallelPlan> enumerate_plans(const ModelSpec& model, int count);

}  // namespace cw
