#include "cli/workload_flags.hpp"

#include <charconv>

namespace cw::cli {

void add_routing_options(CLI::App& cmd, double& routing_skew, bool& eplb, int& redundant) {
  cmd.add_option("--routing-skew", routing_skew,
                 "MoE: Zipf exponent of the experts' popularity, p_i ~ i^-s (0 = uniform "
                 "routing)")
      ->capture_default_str();
  cmd.add_flag("--eplb", eplb,
               "MoE: place experts by load over the ep ranks (DeepSeek EPLB) instead of "
               "E/ep consecutive experts per rank");
  // Copies are placed by EPLB: a positive count turns it on here, the one
  // place the flags meet (a malformed value is left to the option's parse).
  cmd.add_option("--redundant-experts", redundant,
                 "MoE with --eplb: extra copies of the heaviest experts (each rank holds "
                 "(E + R) / ep); sets --eplb")
      ->each([&eplb](const std::string& v) {
        int r = 0;
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), r);
        if (ec == std::errc() && end == v.data() + v.size() && r > 0) eplb = true;
      })
      ->capture_default_str();
}

void add_speculation_options(CLI::App& cmd, int& speculative, double& acceptance,
                             std::string& draft) {
  cmd.add_option("--speculative", speculative,
                 "speculative decoding: draft tokens proposed per sequence and iteration, "
                 "verified by the target in one pass (0 = off)")
      ->check(CLI::Range(0, 16))
      ->capture_default_str();
  cmd.add_option("--acceptance", acceptance,
                 "with --speculative: probability a draft token is accepted given the earlier "
                 "ones were (DeepSeek-V3's MTP head: 0.85-0.9)")
      ->check(CLI::Range(0.0, 1.0));
  cmd.add_option("--draft", draft,
                 "with --speculative: 'head' (the model's MTP layers, else one layer shaped like "
                 "its last, as EAGLE) or a draft model id/path sharing its vocabulary")
      ->capture_default_str();
}

void add_workload_options(CLI::App& cmd, WorkloadArgs& w, bool with_plan) {
  cmd.add_option("--model", w.model, "model preset id or HF config.json path")->required();
  cmd.add_option("--precision", w.precision, "precision recipe id or YAML path")
      ->capture_default_str();
  cmd.add_option("--batch", w.batch, "requests run together")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--input", w.input, "prompt tokens per request")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--output", w.output, "generated tokens per request")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--max-tokens", w.max_tokens, "most tokens one prefill iteration processes")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_flag("--overlap", w.overlap,
               "two-batch overlap: split each iteration into two micro-batches whose all-reduce "
               "and expert all-to-all run while the other computes (SGLang/DeepSeek TBO)");
  add_routing_options(cmd, w.routing_skew, w.eplb, w.redundant_experts);
  add_speculation_options(cmd, w.speculative, w.acceptance, w.draft);
  if (!with_plan) return;
  cmd.add_option("--tp", w.tp, "tensor-parallel degree, or auto (fewest chips that fit)")
      ->check(CLI::PositiveNumber | CLI::IsMember({"auto"}))
      ->capture_default_str();
  cmd.add_option("--pp", w.pp, "pipeline stages")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--ep", w.ep, "expert-parallel degree within the TP group")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--cp", w.cp,
                 "context-parallel groups: each prompt's tokens split over cp groups of tp "
                 "chips (ring attention)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--dp", w.dp, "data-parallel replicas (default: count / (tp x pp))")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--count", w.count, "chips (default: tp x pp x dp)")->check(CLI::PositiveNumber);
  cmd.add_flag("--attention-dp", w.attention_dp,
               "wide EP: attention data-parallel over the tp chips, routed experts sharded over "
               "them with all-to-all dispatch/combine (needs --ep equal to --tp)");
  cmd.add_option("--attention-tp", w.attn_tp,
                 "with --attention-dp: chips per attention-DP rank, which split the attention "
                 "heads (tp / attention-tp ranks)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

}  // namespace cw::cli
