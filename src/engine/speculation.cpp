#include "engine/speculation.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "config/error.hpp"
#include "workload/hf_config_loader.hpp"

namespace cw {
namespace {

// The head's layers: the target cut to `layers` layers of its last layer's kind.
ModelSpec head_model(const ModelSpec& target, int layers) {
  ModelSpec m = target;
  m.id = target.id + " draft head";
  m.layers = layers;
  m.mtp_layers = 0;
  if (m.moe) m.moe->first_dense_layers = target.is_moe_layer(target.layers - 1) ? 0 : layers;
  if (!m.windowed_layers.empty()) {
    const bool last_windowed = target.is_windowed_layer(target.layers - 1);
    m.windowed_layers.assign(static_cast<size_t>(layers), last_windowed);
  }
  return m;
}

}  // namespace

double Speculation::expected_tokens() const {
  if (!enabled()) return 1.0;
  if (acceptance >= 1.0) return static_cast<double>(verify_tokens());
  return (1.0 - std::pow(acceptance, draft_tokens + 1)) / (1.0 - acceptance);
}

int64_t Speculation::sampled_tokens(double u) const {
  // Accept draft j (j = 1..k) while u stays below α^j: P(accepted >= j) = α^j.
  int64_t tokens = 1;
  double reach = acceptance;
  for (int j = 1; j <= draft_tokens && u < reach; ++j, reach *= acceptance) ++tokens;
  return tokens;
}

std::string Speculation::describe() const {
  if (!enabled()) return "off";
  const std::string drafter = draft_model ? "draft " + draft_model->id
                                          : fmt::format("draft head ({} layer{})", head_layers,
                                                        head_layers == 1 ? "" : "s");
  return fmt::format("k={} acceptance {:g} {}, {:.2f} tokens/iteration", draft_tokens, acceptance,
                     drafter, expected_tokens());
}

nlohmann::json to_json(const Speculation& s) {
  return {{"draft_tokens", s.draft_tokens},
          {"acceptance", s.acceptance},
          {"drafter", s.draft_model ? s.draft_model->id : "head"},
          {"head_layers", s.draft_model ? 0 : s.head_layers},
          {"expected_tokens_per_iteration", s.expected_tokens()}};
}

void check_speculation(const Speculation& s, const ModelSpec& target) {
  if (s.draft_tokens < 0 || s.draft_tokens > 16) {
    throw UserError(fmt::format(
        "--speculative: draft tokens per iteration must be 0 (off) to 16, got {}; engines "
        "propose 1-8 (DeepSeek-V3 MTP: 1, EAGLE: 3-7)",
        s.draft_tokens));
  }
  if (!s.enabled()) return;
  if (!(s.acceptance >= 0 && s.acceptance <= 1)) {
    throw UserError(fmt::format(
        "--acceptance: the probability a draft token is accepted must be in [0, 1], got {:g} "
        "(DeepSeek-V3's MTP head measures 0.85-0.9)",
        s.acceptance));
  }
  if (s.draft_model) {
    if (s.draft_model->vocab != target.vocab) {
      throw UserError(fmt::format(
          "--draft {}: its vocabulary ({} tokens) differs from {}'s ({}); a draft model must "
          "share the target's tokenizer (e.g. llama3.2-1b for Llama 3.x), or use --draft head",
          s.draft_model->id, s.draft_model->vocab, target.id, target.vocab));
    }
  } else if (s.head_layers < 1 || s.head_layers > target.layers) {
    throw UserError(
        fmt::format("--draft head: a head of {} layers is not possible for {} ({} layers)",
                    s.head_layers, target.id, target.layers));
  }
}

Speculation resolve_speculation(int draft_tokens, double acceptance, const std::string& draft,
                                const ModelSpec& target) {
  Speculation s;
  s.draft_tokens = draft_tokens;
  if (draft_tokens == 0) {
    if (acceptance >= 0 || draft != "head") {
      throw UserError(
          "--acceptance and --draft describe speculative decoding: give --speculative K (draft "
          "tokens per iteration) with them");
    }
    return s;
  }
  if (acceptance < 0) {
    throw UserError(
        "--speculative needs --acceptance A: the probability that a draft token is accepted "
        "(e.g. 0.85 for DeepSeek-V3's MTP head, DeepSeek-V3 report §5.4.3; measure it for your "
        "drafter and data)");
  }
  s.acceptance = acceptance;
  if (draft == "head") {
    s.head_layers = target.mtp_layers > 0 ? static_cast<int>(target.mtp_layers) : 1;
  } else {
    s.draft_model = std::make_shared<const ModelSpec>(load_model(draft));
  }
  check_speculation(s, target);
  return s;
}

void require_greedy(const Speculation& s, const std::string& workload, int64_t beams) {
  if (s.enabled() && beams > 1)
    throw UserError(fmt::format(
        "--speculative: {} decodes with beam search ({} beams), which speculative decoding "
        "does not model; drop --speculative",
        workload, beams));
}

ModelSpec drafter_model(const Speculation& s, const ModelSpec& target) {
  return s.draft_model ? *s.draft_model : head_model(target, s.head_layers);
}

MemoryBudget drafter_budget(const ChipSpec& chip, const Speculation& s, const ModelSpec& target,
                            const Precision& precision, const ParallelPlan& plan,
                            int64_t cached_tokens) {
  if (!s.enabled()) return {};
  ParallelPlan one = plan;  // one copy of the drafter per replica, beside its last stage
  one.pp = one.dp = one.cp = 1;
  const ModelSpec drafter = drafter_model(s, target);
  MemoryBudget b = memory_budget(chip, drafter, precision, one, cached_tokens, 0);
  b.activations = 0;  // draft steps run one token per sequence: within the target's workspace
  if (!s.draft_model) {
    // A head reuses the target's embedding and LM head (not its copies) and
    // adds a 2h -> h projection of [hidden state; next token's embedding]
    // per layer (DeepSeek-V3 §2.2, EAGLE's feature fusion).
    ModelSpec shared = drafter;
    shared.layers = 0;
    shared.windowed_layers.clear();
    b.weights -= memory_budget(chip, shared, precision, one, 0, 0).weights;
    b.weights += static_cast<double>(s.head_layers) * 2.0 * static_cast<double>(target.hidden) *
                 static_cast<double>(target.hidden) *
                 precision.attention_projections.bytes_per_element() / plan.attention_tp();
  }
  return b;
}

}  // namespace cw
