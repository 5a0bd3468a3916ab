#include "engine/step_model.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "config/error.hpp"
#include "engine/expert_dispatch.hpp"
#include "engine/expert_load.hpp"
#include "engine/parallel_plan.hpp"
#include "engine/precision_support.hpp"
#include "engine/two_batch_overlap.hpp"
#include "hardware/system_loader.hpp"
#include "perf/attention_preprocess.hpp"
#include "perf/collective.hpp"
#include "perf/ops.hpp"

namespace cw {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

StepModel::StepModel(const ChipSpec& chip, const ModelSpec& model, const Precision& precision,
                     StepOptions options)
    : chip_(chip),
      system_(standard_system(
          chip, std::max(1, options.tp) * std::max(1, options.pp) * std::max(1, options.cp))),
      model_(model),
      precision_(precision),
      options_(options),
      gemms_(chip_) {
  check_plan(options.plan(), model_);
  require_precision_runs(chip_, model_, precision_);
  act_bytes_ = dtype_bits(precision.activations) / 8.0;
  busiest_rank_z_ = expected_max_standard_normal(options_.ep);
  check_routing_options(options_.routing_skew, options_.eplb, model_.moe.has_value(), model_.id);
  const bool chunked = model_.chunked_attention;
  for (const LayerKind kind : {LayerKind{false, false}, LayerKind{false, true, chunked},
                               LayerKind{true, false}, LayerKind{true, true, chunked}}) {
    int64_t count = 0;
    for (int64_t l = 0; l < model_.layers; ++l) count += kind_of(l) == kind ? 1 : 0;
    if (count > 0) layer_kinds_.emplace_back(kind, count);
  }
  if (options_.speculation.enabled()) {
    check_speculation(options_.speculation, model_);
    // A separate draft model runs plain tensor-parallel over the attention
    // group; a head runs in the target's own plan (its MoE layer's experts
    // where the target's are). Neither adds a host iteration of its own.
    StepOptions d;
    if (options_.speculation.draft_model) {
      d.tp = attention_tp();
    } else {
      d = StepOptions::for_plan(options_.plan());
      d.pp = d.cp = 1;
      d.routing_skew = options_.routing_skew;
    }
    d.iteration_overhead = 0;
    drafter_ = std::make_shared<StepModel>(chip_, drafter_model(options_.speculation, model_),
                                           precision_, d);
  }
  if (model_.moe) {
    placement_ = place_experts(model_.moe->num_experts, model_.moe->experts_per_token, options_.ep,
                               options_.routing_skew, options_.eplb, options_.redundant_experts);
  }
}

void StepModel::add_gemm(std::vector<OpRecord>& ops, const char* name, int64_t m, int64_t n,
                         int64_t k, const NumberFormat& weights, int64_t batch) {
  if (m <= 0 || n <= 0 || k <= 0 || batch <= 0) return;
  GemmShape s;
  s.m = m;
  s.n = n;
  s.k = k;
  s.batch = batch;
  s.compute = weights.compute_dtype();
  s.w_bytes = weights.bytes_per_element();
  // Activations arrive already in the compute format: serving engines fuse
  // the quantisation into the kernel that produced them (norm, activation
  // function) with static per-tensor scales, as MLPerf submissions do.
  s.activation_quant = ActivationQuant::none;
  s.a_bytes = dtype_bits(s.compute) / 8.0;
  s.c_bytes = act_bytes_;
  ops.push_back({name, gemms_.get(s)});
}

void StepModel::add_expert_gemm(std::vector<OpRecord>& ops, const char* name,
                                const ExpertRows& rows, int64_t n, int64_t k) {
  // One grouped GEMM: the two row classes costed apart, one kernel launch.
  std::vector<OpRecord> parts;
  add_gemm(parts, name, rows.hi, n, k, precision_.moe_experts, rows.experts_hi);
  add_gemm(parts, name, rows.lo, n, k, precision_.moe_experts, rows.experts_lo);
  if (parts.empty()) return;
  Cost c = parts.front().cost;
  if (parts.size() == 2) {
    c += parts.back().cost;
    c.time -= chip_.efficiency.kernel_launch;
    c.overhead_time -= chip_.efficiency.kernel_launch;
  }
  ops.push_back({name, c});
}

void StepModel::add_vector(std::vector<OpRecord>& ops, const char* name, int64_t elements,
                           double flops, double special, double bytes_read,
                           double bytes_written) {
  if (elements <= 0) return;
  VectorOpShape v{elements, flops, special, bytes_read, bytes_written};
  ops.push_back({name, vector_op_cost(chip_, v)});
}

const char* StepModel::LayerKind::name() const {
  if (moe) return !windowed ? "moe_layer" : chunked ? "moe_layer_chunked" : "moe_layer_sliding";
  return !windowed ? "dense_layer" : chunked ? "dense_layer_chunked" : "dense_layer_sliding";
}

void StepModel::add_cp_ring(std::vector<OpRecord>& ops, int64_t sequences, int64_t context,
                            double token_bytes, double attention_time) {
  // Ring attention: each group's ceil(context/cp) tokens of cache visit the
  // other cp - 1 groups, one neighbour hop per step, while the attention
  // runs; only what the attention does not cover is exposed.
  const int cp = options_.cp;
  const bool across = options_.tp * cp > system_.scale_up.domain;
  const double slice = static_cast<double>(sequences * ceil_div(context, cp)) * token_bytes;
  CollectiveResult hop = send_recv(system_, slice, across);
  Cost ring = hop.cost.scaled(cp - 1.0);
  ring.time = std::max(0.0, ring.time - attention_time);
  ring.bound = Bound::network;
  ops.push_back({"cp_kv_ring", ring, true});
}

void StepModel::add_cp_combine(std::vector<OpRecord>& ops, int64_t sequences, int64_t heads,
                               int64_t width) {
  // Partial outputs and softmax statistics (fp32: width + max + sum per head)
  // of every decode sequence, summed over the groups: a ring all-reduce of
  // 2(cp - 1) neighbour hops of 1/cp of the buffer.
  const int cp = options_.cp;
  const bool across = options_.tp * cp > system_.scale_up.domain;
  const double partials = static_cast<double>(sequences * heads * (width + 2)) * 4;
  CollectiveResult hop = send_recv(system_, partials / cp, across);
  ops.push_back({"cp_attn_combine", hop.cost.scaled(2.0 * (cp - 1)), true});
}

void StepModel::add_attention(const Batch& batch, bool windowed, std::vector<OpRecord>& ops) {
  const int tp = attention_tp();
  const int64_t T = batch.new_tokens();
  const int64_t h = model_.hidden;
  const int64_t heads = model_.heads / tp;
  const int64_t kv_heads = std::max<int64_t>(1, model_.kv_heads / tp);
  const NumberFormat& wf = precision_.attention_projections;
  const Dtype math = precision_.attention_math.compute_dtype();
  const double kvb = precision_.kv_cache.bytes_per_element();
  const double ab = act_bytes_;
  // A sliding-window (or chunked) layer's decode reads at most the window
  // (the query's chunk); its prefill skips the K/V blocks below it.
  const int64_t window = windowed ? model_.sliding_window : 0;
  const int cp = options_.cp;  // context-parallel groups (ring attention)
  auto attended = [&](int64_t context) {
    return windowed ? model_.local_context(context) : context;
  };

  if (model_.mla) {
    const MlaSpec& m = *model_.mla;
    const int64_t qk_head = m.qk_nope_head_dim + m.qk_rope_head_dim;
    // Query path: low-rank down/up projection (or one projection when q_lora_rank = 0).
    if (m.q_lora_rank > 0) {
      add_gemm(ops, "q_down_proj", T, m.q_lora_rank, h, wf);
      add_vector(ops, "q_norm", T * m.q_lora_rank, 4, 0, T * m.q_lora_rank * ab,
                 T * m.q_lora_rank * ab);
      add_gemm(ops, "q_up_proj", T, heads * qk_head, m.q_lora_rank, wf);
    } else {
      add_gemm(ops, "q_proj", T, heads * qk_head, h, wf);
    }
    // Compressed KV latent plus the shared rotary key.
    add_gemm(ops, "kv_down_proj", T, m.kv_lora_rank + m.qk_rope_head_dim, h, wf);
    add_vector(ops, "kv_norm", T * m.kv_lora_rank, 4, 0, T * m.kv_lora_rank * ab,
               T * m.kv_lora_rank * ab);
    int64_t prefill_tokens = 0;
    for (const auto& p : batch.prefill) prefill_tokens += p.sequences * p.new_tokens;
    if (prefill_tokens > 0) {
      // The cached latent (kv_lora + rope) is written once per token.
      AttentionPreprocessShape pre{prefill_tokens, heads, 1, m.kv_lora_rank + m.qk_rope_head_dim,
                                   m.kv_lora_rank, true, ab, kvb};
      ops.push_back({"rope_kv_write", attention_preprocess_cost(chip_, pre)});
    }
    // Prefill: expand the latent of every attended token (non-absorbed MHA
    // form). Under cp the ring carries the small latent (kv_lora + rope per
    // token), so every group expands every attended token's latent itself;
    // the attention of the chunk is split over the groups as for MHA.
    const double latent_bytes = static_cast<double>(m.kv_lora_rank + m.qk_rope_head_dim) * kvb;
    for (const auto& p : batch.prefill) {
      add_gemm(ops, "kv_up_proj", p.sequences * p.context,
               heads * (m.qk_nope_head_dim + m.v_head_dim), m.kv_lora_rank, wf);
      const int64_t n = std::min(p.context, p.new_tokens * cp);
      PrefillAttentionShape a{p.sequences,  n,    p.context, heads, heads, qk_head,
                              m.v_head_dim, true, math,      kvb};
      Cost attn = prefill_attention_cost(chip_, a).scaled(1.0 / cp);
      ops.push_back({"attention_prefill", attn});
      if (cp > 1) add_cp_ring(ops, p.sequences, p.context, latent_bytes, attn.time);
    }
    // Decode: absorbed form attends over the latent directly (DeepSeek-V2
    // §2.1.2); under cp over each group's 1/cp of it, the partial outputs
    // (kv_lora wide per head) combined before v_absorb.
    const int64_t D = batch.decode_tokens();
    if (D > 0) {
      add_gemm(ops, "q_absorb", D, m.kv_lora_rank, m.qk_nope_head_dim, wf, heads);
      for (const auto& d : batch.decode) {
        DecodeAttentionShape a{d.sequences,
                               ceil_div(d.context, cp),
                               heads,
                               1,
                               m.kv_lora_rank + m.qk_rope_head_dim,
                               m.kv_lora_rank,
                               true,
                               math,
                               kvb,
                               d.tokens};
        ops.push_back({"attention_decode", decode_attention_cost(chip_, a)});
      }
      if (cp > 1) add_cp_combine(ops, D, heads, m.kv_lora_rank);  // D: decode tokens
      add_gemm(ops, "v_absorb", D, m.v_head_dim, m.kv_lora_rank, wf, heads);
    }
    add_gemm(ops, "o_proj", T, h, heads * m.v_head_dim, wf);
    return;
  }

  const int64_t d = model_.head_dim;
  add_gemm(ops, "qkv_proj", T, (heads + 2 * kv_heads) * d, h, wf);
  int64_t prefill_tokens = 0;
  for (const auto& p : batch.prefill) prefill_tokens += p.sequences * p.new_tokens;
  // Prefill: rotary embedding on q and k and the KV-cache write (one kernel in
  // serving engines); the decode attention op includes its own.
  if (prefill_tokens > 0) {
    AttentionPreprocessShape pre{prefill_tokens, heads, kv_heads, d, d, false, ab, kvb};
    ops.push_back({"rope_kv_write", attention_preprocess_cost(chip_, pre)});
  }
  const double kv_token_bytes = static_cast<double>(kv_heads * 2 * d) * kvb;  // this rank's heads
  for (const auto& p : batch.prefill) {
    // Under cp this rank holds ceil(n/cp) of the chunk's n new tokens; the
    // chunk's causal attention is split evenly over the groups.
    const int64_t n = std::min(p.context, p.new_tokens * cp);
    PrefillAttentionShape a{p.sequences, n,   p.context, heads,
                            kv_heads,    d,   d,         true,
                            math,        kvb, window,    windowed && model_.chunked_attention};
    Cost attn = prefill_attention_cost(chip_, a).scaled(1.0 / cp);
    ops.push_back({"attention_prefill", attn});
    if (cp > 1) add_cp_ring(ops, p.sequences, p.context, kv_token_bytes, attn.time);
  }
  for (const auto& g : batch.decode) {
    DecodeAttentionShape a{
        g.sequences, ceil_div(attended(g.context), cp), heads, kv_heads, d, d, false, math, kvb,
        g.tokens};
    ops.push_back({"attention_decode", decode_attention_cost(chip_, a)});
  }
  if (cp > 1 && batch.decode_tokens() > 0) add_cp_combine(ops, batch.decode_tokens(), heads, d);
  add_gemm(ops, "o_proj", T, h, heads * d, wf);
}

void StepModel::add_mlp(const Batch& batch, int64_t routed_tokens, bool moe,
                        std::vector<OpRecord>& ops) {
  const int tp = attention_tp();  // dense FFN and shared experts
  const int64_t T = batch.new_tokens();
  const int64_t h = model_.hidden;
  const double ab = act_bytes_;
  const bool gated = model_.mlp == MlpKind::gated_silu;
  const int64_t up_factor = gated ? 2 : 1;
  // SiLU(gate)·up or GELU(up): a few FLOPs and one exp per output element.
  auto activation = [&](int64_t rows, int64_t width) {
    add_vector(ops, "activation", rows * width, 8, 1, rows * width * up_factor * ab,
               rows * width * ab);
  };

  if (!moe) {
    const int64_t inter = model_.intermediate / tp;
    add_gemm(ops, "mlp_up", T, up_factor * inter, h, precision_.dense_mlp);
    activation(T, inter);
    add_gemm(ops, "mlp_down", T, h, inter, precision_.dense_mlp);
    return;
  }

  const MoeSpec& e = *model_.moe;
  // Expert parallelism inside the TP group: each rank holds E/ep whole
  // experts, each split tp/ep ways; activations are replicated across the
  // group, so the MLP all-reduce still combines the partial outputs. Under
  // attention DP (tp = ep) experts are whole and tokens travel to them.
  const int ep = options_.ep;
  const int64_t inter = e.expert_intermediate / (options_.tp / ep);
  NumberFormat router_fmt{precision_.activations, 0, 0, std::nullopt};
  // The router (and Qwen2-MoE's one-output shared-expert gate beside it).
  add_gemm(ops, "router", T, e.num_experts + (e.shared_expert_gate ? 1 : 0), h, router_fmt);
  add_vector(ops, "router_topk", T * e.num_experts, 4, 1, T * e.num_experts * 4.0,
             T * e.experts_per_token * 8.0);
  // Dispatch in the experts' input format (add_gemm: GEMM inputs arrive in
  // the compute format, fp8 under the fp8 recipe, with its block scales, as
  // DeepEP's fp8 dispatch); combine in the activation format (DeepEP: bf16).
  // With attention TP inside the ranks, each of a rank's attn_tp chips sends
  // 1/attn_tp of its tokens, and the MLP all-reduce over them reassembles
  // the routed outputs with the shared experts' partial sums.
  const int64_t sent = ceil_div(T, tp);
  const NumberFormat& ef = precision_.moe_experts;  // weight-only: inputs in the compute dtype
  const double dispatch_bytes = ef.compute ? dtype_bits(*ef.compute) / 8.0 : ef.bytes_per_element();
  // Skewed routing: the busiest receiver's buffer is this many times the
  // mean one (expert_load.hpp); every rank waits for it.
  const double hot = busiest_receive_factor(placement_, busiest_rank_z_);
  if (options_.attention_dp) {
    ops.push_back({"moe_dispatch",
                   expert_exchange(system_, ep, sent, e, h, dispatch_bytes * hot).cost, true});
  }
  // Distinct experts a batch of T tokens touches (expected coverage,
  // E·(1 − (1 − k/E)^T) under uniform routing). The experts see every token
  // of the group routed to them; the busiest rank's touched copies, its rows
  // and their spread over those copies follow engine/expert_load.hpp.
  const int64_t TR = routed_tokens;
  const TouchedExperts touched =
      touched_experts(placement_, e.experts_per_token, TR, busiest_rank_z_);
  const int64_t experts = std::max<int64_t>(1, std::llround(std::ceil(touched.total - 1e-9)));
  const int64_t local = std::llround(std::ceil(touched.busiest_rank - 1e-9));
  const ExpertRows rows =
      busiest_rank_rows(TR * e.experts_per_token, experts, local, placement_, busiest_rank_z_);
  add_expert_gemm(ops, "experts_up", rows, up_factor * inter, h);
  activation(rows.total(), inter);
  add_expert_gemm(ops, "experts_down", rows, h, inter);
  if (options_.attention_dp) {
    ops.push_back({"moe_combine", expert_exchange(system_, ep, sent, e, h, ab * hot).cost, true});
  }
  if (e.shared_experts > 0) {
    const int64_t shared = e.shared_experts * e.shared_width() / tp;
    add_gemm(ops, "shared_expert_up", T, up_factor * shared, h, precision_.moe_experts);
    activation(T, shared);
    add_gemm(ops, "shared_expert_down", T, h, shared, precision_.moe_experts);
  }
  // Weighted sum of the k expert outputs per token.
  add_vector(ops, "expert_combine", T * h, 2.0 * e.experts_per_token, 0,
             T * h * ab * e.experts_per_token, T * h * ab);
}

Cost StepModel::collective_cost(double bytes) const {
  return collective(system_, CollectiveKind::all_reduce, attention_tp(), bytes).cost;
}

LayerClassResult StepModel::layer_class(const Batch& batch, int64_t routed_tokens, LayerKind kind,
                                        int64_t count) {
  LayerClassResult lc{kind.name(), count, {}, {}};
  const int64_t T = batch.new_tokens();
  const int64_t h = model_.hidden;
  const double ab = act_bytes_;
  const bool allreduce = attention_tp() > 1;
  // Pre-attention norm fused with the residual add of the previous layer.
  add_vector(lc.ops, "attn_norm", T * h, 5, 0, 2 * T * h * ab, 2 * T * h * ab);
  add_attention(batch, kind.windowed, lc.ops);
  if (allreduce) lc.ops.push_back({"attn_allreduce", collective_cost(T * h * ab), true});
  if (!model_.parallel_block) {
    add_vector(lc.ops, "mlp_norm", T * h, 5, 0, 2 * T * h * ab, 2 * T * h * ab);
  }
  add_mlp(batch, routed_tokens, kind.moe, lc.ops);
  if (allreduce) lc.ops.push_back({"mlp_allreduce", collective_cost(T * h * ab), true});
  return lc;
}

namespace {

double layer_time(const LayerClassResult& lc) {
  double t = 0;
  for (const auto& op : lc.ops) t += op.cost.time;
  return t;
}

}  // namespace

LayerClassResult StepModel::overlapped_layer_class(const MicroBatch& first,
                                                   const MicroBatch& second, LayerKind kind,
                                                   int64_t count) {
  LayerClassResult a = layer_class(first.batch, first.routed_tokens, kind, count);
  LayerClassResult b = layer_class(second.batch, second.routed_tokens, kind, count);
  auto chain = [](const LayerClassResult& lc, double& sum) {
    std::vector<OverlapOp> ops;
    for (const auto& op : lc.ops) {
      ops.push_back({op.cost.time, op.comm});
      sum += op.cost.time;
    }
    return ops;
  };
  double in_turn = 0;  // both halves, one after the other, one layer
  const std::vector<OverlapOp> ca = chain(a, in_turn), cb = chain(b, in_turn);
  const OverlapSchedule s = schedule_two_batches(ca, cb, count, kCommCoreShare);
  // Both halves' ops, summed by name, in first-seen order.
  for (const auto& op : b.ops) {
    auto it = std::find_if(a.ops.begin(), a.ops.end(),
                           [&](const OpRecord& r) { return std::string_view(r.name) == op.name; });
    if (it == a.ops.end())
      a.ops.push_back(op);
    else
      it->cost += op.cost;
  }
  Cost hidden;
  hidden.time = s.time / static_cast<double>(count) - in_turn;
  hidden.bound = Bound::network;
  a.ops.push_back({"overlap_hidden", hidden, true});
  return a;
}

StepResult StepModel::evaluate(const Batch& group_batch) {
  StepResult r;
  // Under attention DP this rank runs the busiest share of the group's batch
  // (or the rank's own batch a per-rank scheduler gives, Batch::group_tokens);
  // under context parallelism its share of every prompt chunk.
  const bool rank_batch = options_.attention_dp && group_batch.group_tokens > 0;
  const Batch batch = rank_batch ? group_batch
                      : options_.attention_dp
                          ? busiest_rank_share(group_batch, options_.plan().attention_ranks())
                      : options_.cp > 1 ? context_share(group_batch, options_.cp)
                                        : group_batch;
  const int64_t group_tokens = rank_batch ? group_batch.group_tokens : group_batch.new_tokens();
  const int64_t T = batch.new_tokens();
  if (T <= 0) return r;
  const int64_t h = model_.hidden;
  const double ab = act_bytes_;
  const int tp = attention_tp();
  const int pp = options_.pp;
  // Two micro-batches only when both get sequences.
  std::pair<Batch, Batch> halves;
  if (options_.overlap) halves = split_micro_batches(batch);
  const bool overlap = halves.second.new_tokens() > 0;
  // Each rank splits its own share; every rank does the same, so each half's
  // experts see that fraction of the group's routed tokens.
  auto micro = [&](const Batch& half) {
    const double share = static_cast<double>(half.new_tokens()) / static_cast<double>(T);
    return MicroBatch{half, std::max<int64_t>(1, std::llround(share * group_tokens))};
  };

  LayerClassResult embed{"embedding", 1, {}, {}};
  add_vector(embed.ops, "embedding_gather", T * h, 0, 0, T * h * ab, T * h * ab);
  r.layers.push_back(std::move(embed));

  for (const auto& [kind, count] : layer_kinds_) {
    LayerClassResult whole = layer_class(batch, group_tokens, kind, count);
    // Only a layer class with communication (a collective, an all-to-all, a
    // context-parallel ring) has anything to hide.
    const bool split = overlap && std::any_of(whole.ops.begin(), whole.ops.end(),
                                              [](const OpRecord& op) { return op.comm; });
    if (split) {
      // Engines run two micro-batches only where that pays (large batches):
      // halving a weight-bound batch streams every weight twice.
      LayerClassResult two =
          overlapped_layer_class(micro(halves.first), micro(halves.second), kind, count);
      if (layer_time(two) < layer_time(whole)) whole = std::move(two);
    }
    r.layers.push_back(std::move(whole));
  }

  LayerClassResult head{"lm_head", 1, {}, {}};
  const int64_t rows = batch.logits_rows();
  const int64_t vocab = ceil_div(model_.vocab, tp);
  add_vector(head.ops, "final_norm", rows * h, 5, 0, rows * h * ab, rows * h * ab);
  add_gemm(head.ops, "lm_head", rows, vocab, h, precision_.lm_head);
  // Sampling: softmax/argmax over the local vocabulary shard in fp32.
  add_vector(head.ops, "sampling", rows * vocab, 4, 1, rows * vocab * 4.0, rows * 8.0);
  r.layers.push_back(std::move(head));
  add_draft(batch, group_tokens, r);

  for (auto& lc : r.layers) {
    for (const auto& op : lc.ops) lc.per_layer += op.cost;
    r.total += lc.per_layer.scaled(static_cast<double>(lc.count));
  }

  // Pipeline stages hold contiguous layers (layer l on stage l·pp/L); the
  // first also embeds, the last also runs the LM head.
  double slowest = r.total.time;
  if (pp > 1) {
    std::vector<double> stage(pp, 0.0);
    for (int64_t l = 0; l < model_.layers; ++l) {
      const char* cls = kind_of(l).name();
      for (const auto& lc : r.layers) {
        if (std::string_view(lc.name) == cls) stage[l * pp / model_.layers] += lc.per_layer.time;
      }
    }
    stage.front() += r.layers.front().per_layer.time;
    // The last stage runs the LM head and, under speculation, the drafter.
    for (const auto& lc : r.layers) {
      const std::string_view cls = lc.name;
      if (cls == "lm_head" || cls == "draft")
        stage.back() += lc.per_layer.time * static_cast<double>(lc.count);
    }
    // Activations of the batch cross each stage boundary once.
    CollectiveResult hop =
        send_recv(system_, T * h * ab, options_.tp * pp > system_.scale_up.domain);
    Cost transfers = hop.cost.scaled(pp - 1.0);
    r.layers.push_back({"pipeline_transfer", pp - 1, {{"stage_send", hop.cost}}, hop.cost});
    r.total += transfers;
    slowest = *std::max_element(stage.begin(), stage.end()) + hop.cost.time;
  }

  // The host's per-iteration work, during which the accelerator idles.
  Cost host;
  host.time = host.overhead_time = options_.iteration_overhead;
  host.bound = Bound::overhead;
  r.layers.push_back({"engine", 1, {{"iteration_overhead", host}}, host});
  r.total += host;
  r.interval = slowest + host.time;
  return r;
}

void StepModel::add_draft(const Batch& batch, int64_t group_tokens, StepResult& r) {
  if (!drafter_ || batch.decode.empty()) return;
  // Each draft step feeds every decoding sequence its latest token (the
  // first step also re-reads the tokens accepted last iteration, ignored).
  Batch draft;
  for (DecodeGroup g : batch.decode) {
    g.tokens = 1;
    draft.decode.push_back(g);
  }
  // This rank's batch is already its share: a head in the target's
  // attention-DP plan takes it whole (its experts see the group's drafts).
  if (options_.attention_dp && !options_.speculation.draft_model) {
    const double share = static_cast<double>(draft.decode_tokens()) /
                         static_cast<double>(std::max<int64_t>(1, batch.new_tokens()));
    draft.group_tokens = std::max<int64_t>(1, std::llround(share * group_tokens));
  }
  const Cost pass = drafter_->evaluate(draft).total;
  LayerClassResult lc{"draft", options_.speculation.draft_tokens, {{"draft_pass", pass}}, {}};
  if (!options_.speculation.draft_model) {
    // The head's 2h -> h fusion of [hidden state; token embedding].
    add_gemm(lc.ops, "draft_fuse", draft.decode_tokens(), ceil_div(model_.hidden, attention_tp()),
             2 * model_.hidden, precision_.attention_projections);
  }
  r.layers.push_back(std::move(lc));
}

double StepModel::time(const Batch& batch) { return evaluate(batch).total.time; }

}  // namespace cw
