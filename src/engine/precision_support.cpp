#include "engine/precision_support.hpp"

#include <optional>

#include "config/error.hpp"
#include "workload/precision_loader.hpp"

namespace cw {
namespace {

struct LayerClass {
  const char* key;
  Dtype dtype;
};

std::vector<LayerClass> layer_classes(const ModelSpec& model, const Precision& p) {
  std::vector<LayerClass> v = {{"attention_projections", p.attention_projections.compute_dtype()},
                               {"attention_math", p.attention_math.compute_dtype()}};
  // Dense FFNs only where the model has a dense layer (gpt-oss has none).
  if (model.moe_layer_count() < model.layers) {
    v.push_back({"dense_mlp", p.dense_mlp.compute_dtype()});
  }
  v.push_back({"lm_head", p.lm_head.compute_dtype()});
  if (model.moe) v.push_back({"moe_experts", p.moe_experts.compute_dtype()});
  return v;
}

std::optional<LayerClass> first_unsupported(const ChipSpec& chip, const ModelSpec& model,
                                            const Precision& precision) {
  for (const LayerClass& c : layer_classes(model, precision)) {
    if (!chip.supports(c.dtype)) return c;
  }
  return std::nullopt;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

std::vector<std::string> precisions_that_run(const ChipSpec& chip, const ModelSpec& model) {
  std::vector<std::string> ids;
  for (const std::string& id : list_precisions()) {
    if (!first_unsupported(chip, model, load_precision(id))) ids.push_back(id);
  }
  return ids;
}

void require_precision_runs(const ChipSpec& chip, const ModelSpec& model,
                            const Precision& precision) {
  const std::optional<LayerClass> lacking = first_unsupported(chip, model, precision);
  if (!lacking) return;
  const std::string d(dtype_name(lacking->dtype));
  std::vector<std::string> have;
  for (const auto& [dt, _] : chip.matrix.peak_flops) have.emplace_back(dtype_name(dt));
  const std::vector<std::string> runnable = precisions_that_run(chip, model);
  const std::string hint =
      runnable.empty()
          ? "write a precision recipe whose layers compute in " + joined(have)
          : "choose a precision recipe the chip runs (--precision ID): " + joined(runnable);
  throw UserError(SourceLocation{precision.source_file}, lacking->key,
                  "precision '" + precision.name + "' computes in " + d + " but chip " + chip.id +
                      " has no " + d + " matrix support (it supports " + joined(have) + ")",
                  hint);
}

}  // namespace cw
