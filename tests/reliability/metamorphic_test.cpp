// Metamorphic properties across modules (issue 6): a chip with more of any
// resource is never slower, on every preset chip and several models, for
// single ops, whole engine steps and fixed batches; results do not depend on
// the order chips are evaluated in; the CLI prints byte-identical JSON for
// the same inputs.
//
// Serving-level properties (doubling replicas doubles offline throughput
// within 1%, an added idle chip never lowers throughput, the same seed gives
// identical output, results independent of thread count) and silicon ones (a
// larger die never costs less) belong here once the serving simulator and the
// economics model have stable interfaces.
#include <gtest/gtest.h>

#include "../support/cli_runner.hpp"

#include <array>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/error.hpp"
#include "engine/fixed_batch.hpp"
#include "engine/memory_fit.hpp"
#include "engine/step_model.hpp"
#include "hardware/chip_loader.hpp"
#include "perf/ops.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace cw {
namespace {

using cw::test::CliRun;
using cw::test::run;
using cw::test::run_stdout;
using cw::test::temp_file;

// A chip with more of one resource, and what it should do to time.
struct Variant {
  const char* name;
  std::function<void(ChipSpec&)> grow;
};

const std::vector<Variant>& variants() {
  static const std::vector<Variant> v = {
      {"2x main-memory bandwidth", [](ChipSpec& c) { c.memory.back().bandwidth *= 2; }},
      {"2x bandwidth at every level",
       [](ChipSpec& c) {
         for (auto& lv : c.memory) lv.bandwidth *= 2;
       }},
      {"2x matrix peak",
       [](ChipSpec& c) {
         for (auto& [d, p] : c.matrix.peak_flops) p *= 2;
       }},
      {"2x vector and special-function throughput",
       [](ChipSpec& c) {
         c.vector.flops *= 2;
         c.vector.special_function_ops *= 2;
       }},
      {"2x main-memory capacity", [](ChipSpec& c) { c.memory.back().capacity *= 2; }},
      {"achievable bandwidth fraction up",
       [](ChipSpec& c) {
         c.efficiency.memory_bandwidth = std::min(1.0, c.efficiency.memory_bandwidth * 1.1);
       }},
      {"half the kernel-launch overhead", [](ChipSpec& c) { c.efficiency.kernel_launch /= 2; }},
  };
  return v;
}

// Kept apart from variants() so its failures are reported on their own (see
// OnChipCapacity below).
const Variant kMoreOnChipMemory = {"2x on-chip memory capacity", [](ChipSpec& c) {
                                     for (size_t i = 0; i + 1 < c.memory.size(); ++i) {
                                       c.memory[i].capacity *= 2;
                                     }
                                   }};

ChipSpec grown(const ChipSpec& c, const Variant& v) {
  ChipSpec g = c;
  v.grow(g);
  return g;
}

// Never slower, up to rounding of sums in a different order.
void expect_not_slower(double bigger, double base, const std::string& what) {
  EXPECT_LE(bigger, base * (1 + 1e-9)) << what;
}

const std::vector<std::string> kModels = {"llama3.1-8b", "llama3.1-70b", "mixtral-8x7b",
                                          "deepseek-v3", "gpt-j-6b",     "qwen3-235b-a22b"};

// The first precision recipe whose dtypes the chip supports (nullopt if none).
std::optional<Precision> precision_for(const ChipSpec& chip, const ModelSpec& model) {
  for (const char* id : {"fp8", "bf16", "fp16", "int8"}) {
    Precision p = load_precision(id);
    try {
      StepModel probe(chip, model, p);
      return p;
    } catch (const UserError&) {
    }
  }
  return std::nullopt;
}

std::vector<Batch> step_batches() {
  Batch decode_small, decode_large, prefill, mixed;
  decode_small.decode.push_back({1, 1024});
  decode_large.decode.push_back({64, 4096});
  prefill.prefill.push_back({2, 2048, 2048, true});
  mixed.prefill.push_back({1, 512, 1536, false});
  mixed.decode.push_back({16, 2048});
  return {decode_small, decode_large, prefill, mixed};
}

TEST(Metamorphic, GemmOnEveryPresetNeverSlowerWithMoreOfAnyResource) {
  for (const auto& id : list_chips()) {
    ChipSpec chip = load_chip(id);
    for (const auto& [dtype, peak] : chip.matrix.peak_flops) {
      for (auto [m, n, k] : std::vector<std::array<int64_t, 3>>{
               {1, 8192, 8192}, {128, 4096, 14336}, {4096, 4096, 4096}, {16384, 1024, 8192}}) {
        GemmShape s;
        s.m = m;
        s.n = n;
        s.k = k;
        s.compute = dtype;
        s.a_bytes = s.w_bytes = dtype_bits(dtype) / 8;
        const double base = gemm_cost(chip, s).time;
        for (const auto& v : variants()) {
          expect_not_slower(gemm_cost(grown(chip, v), s).time, base,
                            id + " " + std::string(dtype_name(dtype)) + " gemm " +
                                std::to_string(m) + "x" + std::to_string(n) + "x" +
                                std::to_string(k) + ": " + v.name);
        }
      }
    }
  }
}

TEST(Metamorphic, AttentionOnEveryPresetNeverSlowerWithMoreOfAnyResource) {
  for (const auto& id : list_chips()) {
    ChipSpec chip = load_chip(id);
    const Dtype d =
        chip.supports(Dtype::bf16) ? Dtype::bf16 : chip.matrix.peak_flops.begin()->first;
    DecodeAttentionShape dec;
    dec.batch = 32;
    dec.context = 4096;
    dec.heads = 64;
    dec.kv_heads = 8;
    dec.compute = d;
    PrefillAttentionShape pre;
    pre.batch = 2;
    pre.q_len = pre.kv_len = 4096;
    pre.heads = 32;
    pre.kv_heads = 8;
    pre.compute = d;
    const double dec_base = decode_attention_cost(chip, dec).time;
    const double pre_base = prefill_attention_cost(chip, pre).time;
    for (const auto& v : variants()) {
      ChipSpec g = grown(chip, v);
      expect_not_slower(decode_attention_cost(g, dec).time, dec_base,
                        id + " decode attention: " + v.name);
      expect_not_slower(prefill_attention_cost(g, pre).time, pre_base,
                        id + " prefill attention: " + v.name);
    }
  }
}

TEST(Metamorphic, StepsOnEveryPresetAndModelNeverSlowerWithMoreOfAnyResource) {
  std::vector<ModelSpec> models;
  for (const auto& id : kModels) models.push_back(load_model(id));
  const std::vector<Batch> batches = step_batches();
  int checked = 0;
  for (const auto& id : list_chips()) {
    ChipSpec chip = load_chip(id);
    for (const auto& model : models) {
      std::optional<Precision> p = precision_for(chip, model);
      if (!p) continue;
      StepModel base(chip, model, *p);
      std::vector<double> base_times;
      for (const auto& b : batches) base_times.push_back(base.time(b));
      for (const auto& v : variants()) {
        StepModel bigger(grown(chip, v), model, *p);
        for (size_t i = 0; i < batches.size(); ++i) {
          expect_not_slower(
              bigger.time(batches[i]), base_times[i],
              id + " " + model.id + " " + p->name + " batch #" + std::to_string(i) + ": " + v.name);
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 1000);
}

TEST(Metamorphic, FixedBatchesNeverSlowerWithMoreOfAnyResource) {
  const FixedBatchRequest request{8, 512, 32, 8192};
  for (const auto& id : list_chips()) {
    ChipSpec chip = load_chip(id);
    for (const char* model_id : {"llama3.1-8b", "mixtral-8x7b"}) {
      ModelSpec model = load_model(model_id);
      std::optional<Precision> p = precision_for(chip, model);
      if (!p) continue;
      StepModel base_step(chip, model, *p);
      FixedBatchResult base = run_fixed_batch(base_step, request);
      for (const auto& v : variants()) {
        StepModel step(grown(chip, v), model, *p);
        FixedBatchResult r = run_fixed_batch(step, request);
        const std::string what = id + " " + model_id + ": " + v.name;
        expect_not_slower(r.ttft, base.ttft, what + " (TTFT)");
        expect_not_slower(r.tpot, base.tpot, what + " (TPOT)");
        expect_not_slower(r.e2e, base.e2e, what + " (end to end)");
        EXPECT_GE(r.output_tokens_per_s, base.output_tokens_per_s * (1 - 1e-9)) << what;
      }
    }
  }
}

TEST(Metamorphic, MoreMainMemoryNeverTurnsAFitIntoAMiss) {
  for (const auto& id : list_chips()) {
    ChipSpec chip = load_chip(id);
    ChipSpec bigger = grown(chip, variants()[4]);
    for (const auto& model_id : kModels) {
      ModelSpec model = load_model(model_id);
      Precision p = load_precision("fp8");
      for (int tp : {1, 8}) {
        for (int64_t cached : {int64_t{4096}, int64_t{1} << 20}) {
          MemoryBudget a = memory_budget(chip, model, p, tp, cached, 8192);
          MemoryBudget b = memory_budget(bigger, model, p, tp, cached, 8192);
          EXPECT_EQ(a.used(), b.used()) << id << " " << model_id;
          EXPECT_GE(b.fits(), a.fits()) << id << " " << model_id;
        }
      }
    }
  }
}

// More SRAM/cache never slows an op down: the mapper's search space only
// grows (every tile that fitted still fits). Checked on GEMMs of the shapes
// a step produces and on whole steps.
TEST(Metamorphic, OnChipCapacityNeverSlowerForGemmsAndSteps) {
  std::vector<ModelSpec> models;
  for (const auto& id : kModels) models.push_back(load_model(id));
  const std::vector<Batch> batches = step_batches();
  for (const auto& id : list_chips()) {
    ChipSpec chip = load_chip(id);
    ChipSpec bigger = grown(chip, kMoreOnChipMemory);
    for (const auto& [dtype, peak] : chip.matrix.peak_flops) {
      for (auto [m, n, k, b] : std::vector<std::array<int64_t, 4>>{{1, 8192, 8192, 1},
                                                                   {132, 4096, 14336, 8},
                                                                   {1024, 1024, 1024, 1},
                                                                   {4096, 4096, 4096, 1}}) {
        GemmShape s;
        s.m = m;
        s.n = n;
        s.k = k;
        s.batch = b;
        s.compute = dtype;
        s.a_bytes = s.w_bytes = dtype_bits(dtype) / 8;
        expect_not_slower(gemm_cost(bigger, s).time, gemm_cost(chip, s).time,
                          id + " " + std::string(dtype_name(dtype)) + " gemm " + std::to_string(m) +
                              "x" + std::to_string(n) + "x" + std::to_string(k) + " batch " +
                              std::to_string(b) + ": " + kMoreOnChipMemory.name);
      }
    }
    for (const auto& model : models) {
      std::optional<Precision> p = precision_for(chip, model);
      if (!p) continue;
      StepModel base(chip, model, *p), more(bigger, model, *p);
      for (size_t i = 0; i < batches.size(); ++i) {
        expect_not_slower(more.time(batches[i]), base.time(batches[i]),
                          id + " " + model.id + " " + p->name + " batch #" + std::to_string(i) +
                              ": " + kMoreOnChipMemory.name);
      }
    }
  }
}

// A fingerprint of everything the engine predicts for one chip.
std::vector<double> fingerprint(const std::string& chip_id) {
  ChipSpec chip = load_chip(chip_id);
  std::vector<double> out;
  for (const auto& model_id : {"llama3.1-8b", "mixtral-8x7b"}) {
    ModelSpec model = load_model(model_id);
    std::optional<Precision> p = precision_for(chip, model);
    if (!p) continue;
    StepModel step(chip, model, *p);
    for (const auto& b : step_batches()) {
      StepResult r = step.evaluate(b);
      out.push_back(r.total.time);
      out.push_back(r.total.flops);
      for (double bytes : r.total.bytes) out.push_back(bytes);
    }
    FixedBatchResult f = run_fixed_batch(step, FixedBatchRequest{4, 256, 16, 8192});
    out.insert(out.end(), {f.ttft, f.tpot, f.e2e, f.output_tokens_per_s});
  }
  return out;
}

TEST(Metamorphic, ResultsDoNotDependOnTheOrderChipsAreEvaluatedIn) {
  std::vector<std::string> ids = list_chips();
  std::map<std::string, std::vector<double>> forward, backward;
  for (const auto& id : ids) forward[id] = fingerprint(id);
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) backward[*it] = fingerprint(*it);
  for (const auto& id : ids) {
    // Exact equality: the same inputs must give bit-identical doubles.
    EXPECT_EQ(forward[id], backward[id]) << id;
  }
}

// ---- the CLI -----------------------------------------------------------------

TEST(Metamorphic, SameInputsGiveByteIdenticalCliJson) {
  for (const std::string args :
       {"op gemm --chip h100-sxm --m 4096 --n 4096 --k 4096 --dtype fp8 --format json",
        "op decode-attention --chip mi300x --batch 16 --context 8192 --format json",
        "eval --chip h100-sxm --model llama3.1-8b --precision fp8 --batch 8 --input 512 "
        "--output 64 --format json",
        "compare --chips h100-sxm,b200 --model llama3.1-8b --batch 8 --format json",
        "show chip tpu-v6e --format json"}) {
    CliRun a = run_stdout(args);
    CliRun b = run_stdout(args);
    ASSERT_EQ(a.code, 0) << args << "\n" << a.out;
    EXPECT_EQ(b.code, 0) << args;
    EXPECT_FALSE(a.out.empty()) << args;
    EXPECT_EQ(a.out, b.out) << args;
  }
}

TEST(Metamorphic, CompareRowsDoNotDependOnChipOrder) {
  const std::string common = " --model llama3.1-8b --batch 8 --input 512 --output 32 --format json";
  CliRun fwd = run_stdout("compare --chips h100-sxm,mi300x,b200,sf2-inference" + common);
  CliRun rev = run_stdout("compare --chips sf2-inference,b200,mi300x,h100-sxm" + common);
  ASSERT_EQ(fwd.code, 0) << fwd.out;
  ASSERT_EQ(rev.code, 0) << rev.out;
  auto rows = [](const std::string& out) {
    std::map<std::string, std::string> by_chip;
    const nlohmann::json doc = nlohmann::json::parse(out);
    for (const auto& row : doc["chips"]) {
      by_chip[row["chip"].get<std::string>()] = row.dump();
    }
    return by_chip;
  };
  auto a = rows(fwd.out), b = rows(rev.out);
  EXPECT_EQ(a.size(), 4u);
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace cw
