// The Python face of chipwright: each function fills the same request the
// CLI's flags fill (src/api/), calls the same library code and returns the
// document `--format json` prints, as Python dicts and lists. Arguments are
// the CLI's flags with '-' written '_'; their defaults are the request
// structs' own. A user's mistake raises chipwright.UserError (a ValueError)
// with the CLI's message; the GIL is released while the model runs.
#include <fmt/core.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/explore_report.hpp"
#include "api/explore_runs.hpp"
#include "api/op_reports.hpp"
#include "api/preset_reports.hpp"
#include "api/serving_requests.hpp"
#include "api/workload_reports.hpp"
#include "config/data_dir.hpp"
#include "config/error.hpp"
#include "config/value_checks.hpp"
#include "dse/shard_store.hpp"
#include "hardware/chip_loader.hpp"
#include "report/atomic_file.hpp"
#include "report/json_report.hpp"
#include "serving/capacity_tuning.hpp"
#include "validate/validate.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace py = pybind11;
using namespace py::literals;

namespace cw::python {
namespace {

// Runs `build` without the GIL (the model never touches Python objects) and
// converts its document with the standard json module: exact for every
// number and string nlohmann writes.
py::object document(const std::function<nlohmann::json()>& build) {
  std::string text;
  {
    py::gil_scoped_release release;
    text = build().dump();
  }
  return py::module_::import("json").attr("loads")(text);
}

void require_redundant_experts(int n) {
  if (n < 0) throw UserError(fmt::format("redundant_experts must be at least 0, got {}", n));
}

// tp as the CLI takes it: a whole number of chips or "auto".
std::string tp_arg(const py::object& tp) {
  if (py::isinstance<py::str>(tp)) return tp.cast<std::string>();
  if (py::isinstance<py::bool_>(tp) || !py::isinstance<py::int_>(tp))
    throw UserError("tp: expected a whole number of chips or 'auto', got " +
                    py::repr(tp).cast<std::string>());
  return std::to_string(tp.cast<int64_t>());
}

// The workload and plan arguments eval, compare and plan share.
WorkloadArgs workload(const std::string& model, const std::string& precision, int64_t batch,
                      int64_t input, int64_t output, int64_t max_tokens, bool overlap, bool eplb,
                      int redundant_experts, double routing_skew) {
  for (auto [v, name] : {std::pair{batch, "batch"},
                         {input, "input"},
                         {output, "output"},
                         {max_tokens, "max_tokens"}})
    require_at_least_one(v, name);
  require_redundant_experts(redundant_experts);
  WorkloadArgs w;
  w.model = model;
  w.precision = precision;
  w.batch = batch;
  w.input = input;
  w.output = output;
  w.max_tokens = max_tokens;
  w.overlap = overlap;
  w.eplb = eplb || redundant_experts > 0;  // as the CLI: copies are placed by EPLB
  w.redundant_experts = redundant_experts;
  w.routing_skew = routing_skew;
  return w;
}

// speculative / acceptance / draft as the CLI's --speculative, --acceptance
// and --draft (acceptance None = not given; checked by the library).
void set_speculation(int& k, double& a, std::string& d, int speculative,
                     std::optional<double> acceptance, const std::string& draft) {
  k = speculative;
  a = acceptance.value_or(-1);
  d = draft;
}

void set_plan(WorkloadArgs& w, const py::object& tp, int pp, int ep, int cp, std::optional<int> dp,
              std::optional<int> count, bool attention_dp, int attention_tp) {
  w.tp = tp_arg(tp);
  for (auto [v, name] :
       {std::pair{pp, "pp"}, {ep, "ep"}, {cp, "cp"}, {attention_tp, "attention_tp"}})
    require_at_least_one(v, name);
  if (dp) require_at_least_one(*dp, "dp");
  if (count) require_at_least_one(*count, "count");
  w.pp = pp;
  w.ep = ep;
  w.cp = cp;
  w.dp = dp.value_or(0);
  w.count = count.value_or(0);
  w.attention_dp = attention_dp;
  w.attn_tp = attention_tp;
}

const WorkloadArgs kWorkload{};
const ServeRequest kServe{};
const MlperfRequest kMlperf{};
const GemmRequest kGemm{};
const DecodeAttentionRequest kDecode{};
const PrefillAttentionRequest kAttention{};

}  // namespace
}  // namespace cw::python

PYBIND11_MODULE(_chipwright, m) {
  using namespace cw;
  using namespace cw::python;
  m.doc() =
      "chipwright: performance, energy and cost of LLM inference on real and "
      "hypothetical AI accelerators";
  py::register_exception<UserError>(m, "UserError", PyExc_ValueError);
  m.attr("__version__") = CHIPWRIGHT_VERSION;

  m.def("chips", &list_chips, "Ids of the chip presets.");
  m.def("models", &list_models, "Ids of the model presets.");
  m.def("precisions", &list_precisions, "Ids of the precision recipes.");
  m.def(
      "spaces", [] { return list_presets("spaces", ".yaml"); }, "Ids of the design spaces.");
  m.def(
      "data_dir", [] { return data_dir().string(); }, "The folder the presets are read from.");

  m.def(
      "show_chip",
      [](const std::string& chip) { return document([&] { return to_json(load_chip(chip)); }); },
      "chip"_a, "A chip preset (id or YAML path) in full, as `show chip --format json`.");
  m.def(
      "show_model",
      [](const std::string& model) {
        return document([&] { return model_json(load_model(model)); });
      },
      "model"_a, "A model's shape and parameter counts, as `show model --format json`.");
  m.def(
      "silicon",
      [](const std::string& chip, const std::string& node, const std::vector<std::string>& set) {
        return document(
            [&] { return silicon_json(silicon_sheet_for(load_chip(chip), node, set)); });
      },
      "chip"_a, py::kw_only(), "node"_a = "", "set"_a = std::vector<std::string>{},
      "Area, power, yield and cost sheet of a chip, as `silicon --format json`; node re-targets "
      "it, set overrides economics assumptions (e.g. ['tco.pue=1.1']).");

  m.def(
      "op_gemm",
      [](const std::string& chip, int64_t m_, int64_t n, int64_t k, const std::string& dtype,
         int64_t batch, const std::string& quantize) {
        GemmRequest r{chip, dtype, quantize, m_, n, k, batch};
        return document([&] { return op_json(gemm_op(r)); });
      },
      "chip"_a, "m"_a, "n"_a, "k"_a, py::kw_only(), "dtype"_a = kGemm.dtype,
      "batch"_a = kGemm.batch, "quantize"_a = kGemm.quantize,
      "C[m,n] = A[m,k] x W[k,n] on one chip, as `op gemm --format json`.");
  m.def(
      "op_decode_attention",
      [](const std::string& chip, int64_t batch, int64_t heads, int64_t kv_heads, int64_t head_dim,
         int64_t context, const std::string& dtype, const std::string& kv_dtype) {
        DecodeAttentionRequest r{chip, dtype, kv_dtype, batch, heads, kv_heads, head_dim, context};
        return document([&] { return op_json(decode_attention_op(r)); });
      },
      "chip"_a, py::kw_only(), "batch"_a = kDecode.batch, "heads"_a = kDecode.heads,
      "kv_heads"_a = kDecode.kv_heads, "head_dim"_a = kDecode.head_dim,
      "context"_a = kDecode.context, "dtype"_a = kDecode.dtype, "kv_dtype"_a = kDecode.kv_dtype,
      "One decode step of paged attention, as `op decode-attention --format json`.");
  m.def(
      "op_attention",
      [](const std::string& chip, int64_t batch, int64_t heads, int64_t kv_heads, int64_t head_dim,
         int64_t seq, bool causal, int64_t window, const std::string& dtype) {
        PrefillAttentionRequest r{chip,     dtype, batch,  heads, kv_heads,
                                  head_dim, seq,   window, causal};
        return document([&] { return op_json(prefill_attention_op(r)); });
      },
      "chip"_a, py::kw_only(), "batch"_a = kAttention.batch, "heads"_a = kAttention.heads,
      "kv_heads"_a = kAttention.kv_heads, "head_dim"_a = kAttention.head_dim,
      "seq"_a = kAttention.seq, "causal"_a = kAttention.causal, "window"_a = kAttention.window,
      "dtype"_a = kAttention.dtype,
      "Flash-style prefill attention forward, as `op attention --format json` (kv_heads 0 = "
      "heads).");

  m.def(
      "evaluate",
      [](const std::string& chip, const std::string& model, const std::string& precision,
         int64_t batch, int64_t input, int64_t output, int64_t max_tokens, const py::object& tp,
         int pp, int ep, int cp, std::optional<int> dp, std::optional<int> count, bool attention_dp,
         int attention_tp, bool overlap, bool eplb, int redundant_experts, double routing_skew,
         int speculative, std::optional<double> acceptance, const std::string& draft,
         std::optional<std::string> html) {
        WorkloadArgs w = workload(model, precision, batch, input, output, max_tokens, overlap, eplb,
                                  redundant_experts, routing_skew);
        set_plan(w, tp, pp, ep, cp, dp, count, attention_dp, attention_tp);
        set_speculation(w.speculative, w.acceptance, w.draft, speculative, acceptance, draft);
        return document([&] {
          const Evaluation e = evaluate_workload(chip, w);
          const WorkloadEconomics money = workload_economics(e);
          if (html) write_file_atomically(*html, eval_html(e, w, money));
          return eval_json(e, w, money);
        });
      },
      "chip"_a, "model"_a, py::kw_only(), "precision"_a = kWorkload.precision,
      "batch"_a = kWorkload.batch, "input"_a = kWorkload.input, "output"_a = kWorkload.output,
      "max_tokens"_a = kWorkload.max_tokens, "tp"_a = py::int_(1), "pp"_a = kWorkload.pp,
      "ep"_a = kWorkload.ep, "cp"_a = kWorkload.cp, "dp"_a = py::none(), "count"_a = py::none(),
      "attention_dp"_a = kWorkload.attention_dp, "attention_tp"_a = kWorkload.attn_tp,
      "overlap"_a = kWorkload.overlap, "eplb"_a = kWorkload.eplb,
      "redundant_experts"_a = kWorkload.redundant_experts,
      "routing_skew"_a = kWorkload.routing_skew, "speculative"_a = 0, "acceptance"_a = py::none(),
      "draft"_a = kWorkload.draft, "html"_a = py::none(),
      "Latency, throughput, energy and cost of a batch of requests, as `eval --format json`. "
      "tp is a number of chips or 'auto'; speculative (draft tokens), acceptance and draft "
      "('head' or a model) as --speculative/--acceptance/--draft; html also writes the HTML "
      "report.");

  m.def(
      "compare",
      [](const std::vector<std::string>& chips, const std::string& model,
         const std::string& precision, int64_t batch, int64_t input, int64_t output,
         int64_t max_tokens, const py::object& tp, int pp, int ep, int cp, std::optional<int> dp,
         std::optional<int> count, bool overlap, bool eplb, int redundant_experts,
         double routing_skew, int speculative, std::optional<double> acceptance,
         const std::string& draft, std::optional<std::string> html) {
        WorkloadArgs w = workload(model, precision, batch, input, output, max_tokens, overlap, eplb,
                                  redundant_experts, routing_skew);
        set_plan(w, tp, pp, ep, cp, dp, count, false, 1);
        set_speculation(w.speculative, w.acceptance, w.draft, speculative, acceptance, draft);
        return document([&] {
          const ChipComparison c = compare_chips(chips, w);
          if (html) write_file_atomically(*html, compare_html(c, w));
          return compare_json(c, w);
        });
      },
      "chips"_a = std::vector<std::string>{"sf2-inference", "h100-sxm", "h200-sxm", "b200"},
      py::kw_only(), "model"_a = "llama3.1-70b", "precision"_a = kWorkload.precision,
      "batch"_a = 64, "input"_a = 2048, "output"_a = 512, "max_tokens"_a = kWorkload.max_tokens,
      "tp"_a = "auto", "pp"_a = kWorkload.pp, "ep"_a = kWorkload.ep, "cp"_a = kWorkload.cp,
      "dp"_a = py::none(), "count"_a = py::none(), "overlap"_a = kWorkload.overlap,
      "eplb"_a = kWorkload.eplb, "redundant_experts"_a = kWorkload.redundant_experts,
      "routing_skew"_a = kWorkload.routing_skew, "speculative"_a = 0, "acceptance"_a = py::none(),
      "draft"_a = kWorkload.draft, "html"_a = py::none(),
      "Chips side by side on one fixed batch, as `compare --format json` (its defaults too); "
      "html also writes the HTML report.");

  m.def(
      "plan",
      [](const std::string& chip, int count, const std::string& model, const std::string& precision,
         int64_t batch, int64_t input, int64_t output, int64_t max_tokens, bool overlap, bool eplb,
         int redundant_experts, double routing_skew, int speculative,
         std::optional<double> acceptance, const std::string& draft) {
        WorkloadArgs w = workload(model, precision, batch, input, output, max_tokens, overlap, eplb,
                                  redundant_experts, routing_skew);
        set_speculation(w.speculative, w.acceptance, w.draft, speculative, acceptance, draft);
        return document([&] { return plan_ranking_json(rank_plans(chip, count, w), w); });
      },
      "chip"_a, "count"_a, "model"_a, py::kw_only(), "precision"_a = kWorkload.precision,
      "batch"_a = kWorkload.batch, "input"_a = kWorkload.input, "output"_a = kWorkload.output,
      "max_tokens"_a = kWorkload.max_tokens, "overlap"_a = kWorkload.overlap,
      "eplb"_a = kWorkload.eplb, "redundant_experts"_a = kWorkload.redundant_experts,
      "routing_skew"_a = kWorkload.routing_skew, "speculative"_a = 0, "acceptance"_a = py::none(),
      "draft"_a = kWorkload.draft,
      "Every parallel plan of count chips that holds the workload, ranked by throughput and by "
      "latency, as `plan --format json`.");

  m.def(
      "serve",
      [](const std::string& chip, const std::string& model, int count, const std::string& precision,
         std::optional<std::string> trace, std::optional<std::string> dataset,
         std::optional<double> rate, bool offline, double burstiness,
         std::optional<int64_t> requests, std::optional<int> tp, int ep, bool attention_dp,
         int attention_tp, bool overlap, int cp, int pp, bool eplb, int redundant_experts,
         double routing_skew, int64_t max_batch, int64_t max_tokens, int64_t block_size,
         bool chunked_prefill, const std::string& scheduler, const std::string& router,
         const std::string& preemption, uint64_t seed, std::optional<double> slo_ttft,
         std::optional<double> slo_tpot, std::optional<std::string> timeline, bool disaggregate,
         int prefill_replicas, int prefill_tp, int decode_replicas, int decode_tp, bool capacity,
         std::optional<double> target_rate, bool tune, double min_duration, int speculative,
         std::optional<double> acceptance, const std::string& draft) {
        if (trace && dataset) throw UserError("give a trace or a dataset, not both");
        for (auto [v, name] : {std::pair<int64_t, const char*>{count, "count"},
                               {tp.value_or(1), "tp"},
                               {ep, "ep"},
                               {attention_tp, "attention_tp"},
                               {cp, "cp"},
                               {pp, "pp"},
                               {max_batch, "max_batch"},
                               {max_tokens, "max_tokens"},
                               {block_size, "block_size"},
                               {prefill_replicas, "prefill_replicas"},
                               {prefill_tp, "prefill_tp"},
                               {decode_replicas, "decode_replicas"},
                               {decode_tp, "decode_tp"}})
          require_at_least_one(v, name);
        if (requests) require_at_least_one(*requests, "requests");
        require_redundant_experts(redundant_experts);
        ServeRequest r;
        ServeOptions& o = r.o;
        o.chip = chip;
        o.model = model;
        o.count = count;
        o.precision = precision;
        o.trace = trace.value_or("");
        o.dataset = dataset.value_or("");
        o.requests = requests.value_or(0);
        o.tp = tp.value_or(kServe.o.tp);
        o.ep = ep;
        o.attention_dp = attention_dp;
        o.attn_tp = attention_tp;
        o.overlap = overlap;
        o.cp = cp;
        o.pp = pp;
        o.eplb = eplb || redundant_experts > 0;
        o.redundant_experts = redundant_experts;
        o.routing_skew = routing_skew;
        set_speculation(o.speculative, o.acceptance, o.draft, speculative, acceptance, draft);
        o.engine.max_batch = max_batch;
        o.engine.max_tokens = max_tokens;
        o.engine.block_size = block_size;
        o.seed = seed;
        o.timeline = timeline.value_or("");
        r.rate = rate.value_or(0);
        if (rate && !(*rate > 0))  // NaN too
          throw UserError(fmt::format("rate must be positive, got {:g}", *rate));
        r.offline = offline;
        r.burstiness = burstiness;
        r.slo_ttft = slo_ttft.value_or(0);
        r.slo_tpot = slo_tpot.value_or(0);
        r.no_chunking = !chunked_prefill;
        r.disaggregate = disaggregate;
        r.split = PoolSplit{prefill_replicas, prefill_tp, decode_replicas, decode_tp};
        r.scheduler = scheduler;
        r.router = router;
        r.preemption = preemption;
        r.capacity = capacity;
        r.tune = tune;
        o.min_duration = min_duration;
        r.tp_given = tp.has_value();
        if (target_rate && !(*target_rate > 0))  // NaN too
          throw UserError(fmt::format("target_rate must be positive, got {:g}", *target_rate));
        r.target_rate = target_rate.value_or(0);
        return document([&] {
          const ServeOptions o = resolve(r);
          if (tune)
            return to_json(tune_capacity(o, tp ? std::optional<int>(o.tp) : std::nullopt),
                           r.target_rate);
          return capacity ? to_json(find_capacity(o), r.target_rate) : to_json(run_serve(o));
        });
      },
      "chip"_a, "model"_a, py::kw_only(), "count"_a = kServe.o.count,
      "precision"_a = kServe.o.precision, "trace"_a = py::none(), "dataset"_a = py::none(),
      "rate"_a = py::none(), "offline"_a = kServe.offline, "burstiness"_a = kServe.burstiness,
      "requests"_a = py::none(), "tp"_a = py::none(), "ep"_a = kServe.o.ep,
      "attention_dp"_a = kServe.o.attention_dp, "attention_tp"_a = kServe.o.attn_tp,
      "overlap"_a = kServe.o.overlap, "cp"_a = kServe.o.cp, "pp"_a = kServe.o.pp,
      "eplb"_a = kServe.o.eplb, "redundant_experts"_a = kServe.o.redundant_experts,
      "routing_skew"_a = kServe.o.routing_skew, "max_batch"_a = kServe.o.engine.max_batch,
      "max_tokens"_a = kServe.o.engine.max_tokens, "block_size"_a = kServe.o.engine.block_size,
      "chunked_prefill"_a = kServe.o.engine.chunked_prefill, "scheduler"_a = kServe.scheduler,
      "router"_a = kServe.router, "preemption"_a = kServe.preemption, "seed"_a = kServe.o.seed,
      "slo_ttft"_a = py::none(), "slo_tpot"_a = py::none(), "timeline"_a = py::none(),
      "disaggregate"_a = kServe.disaggregate, "prefill_replicas"_a = kServe.split.prefill_replicas,
      "prefill_tp"_a = kServe.split.prefill_tp, "decode_replicas"_a = kServe.split.decode_replicas,
      "decode_tp"_a = kServe.split.decode_tp, "capacity"_a = kServe.capacity,
      "target_rate"_a = py::none(), "tune"_a = false, "min_duration"_a = 0.0, "speculative"_a = 0,
      "acceptance"_a = py::none(), "draft"_a = kServe.o.draft,
      "Serving simulation of a trace (CSV path) or named dataset, as `serve --format json`. "
      "Say when requests arrive with rate (requests/s), offline=True, or a trace's arrival_s. "
      "capacity=True (with slo_ttft and/or slo_tpot) instead finds the fastest Poisson rate "
      "whose p99 TTFT and TPOT meet them, as `serve --capacity`; target_rate adds the fleet "
      "that rate needs; tune=True also searches tp (unless given), max_batch, max_tokens and "
      "the scheduler, as `serve --capacity --tune`. speculative, acceptance and draft run "
      "speculative decoding as --speculative/--acceptance/--draft.");

  m.def(
      "mlperf",
      [](const std::string& chip, int count, const std::string& benchmark,
         const std::string& scenario, const std::string& precision, std::optional<int> tp,
         std::optional<int64_t> max_batch, std::optional<int64_t> max_tokens,
         std::optional<std::string> scheduler, double routing_skew, bool eplb,
         int redundant_experts, int speculative, std::optional<double> acceptance,
         const std::string& draft) {
        require_at_least_one(count, "count");
        if (tp) require_at_least_one(*tp, "tp");
        if (max_batch) require_at_least_one(*max_batch, "max_batch");
        if (max_tokens) require_at_least_one(*max_tokens, "max_tokens");
        require_redundant_experts(redundant_experts);
        MlperfRequest r{chip,
                        benchmark,
                        scenario,
                        precision,
                        scheduler.value_or(""),
                        count,
                        tp.value_or(0),
                        max_batch.value_or(0),
                        max_tokens.value_or(0),
                        routing_skew,
                        eplb || redundant_experts > 0,
                        redundant_experts};
        set_speculation(r.speculative, r.acceptance, r.draft, speculative, acceptance, draft);
        return document([&] { return to_json(run_mlperf(resolve(r))); });
      },
      "chip"_a, "count"_a, "benchmark"_a, "scenario"_a, py::kw_only(),
      "precision"_a = kMlperf.precision, "tp"_a = py::none(), "max_batch"_a = py::none(),
      "max_tokens"_a = py::none(), "scheduler"_a = py::none(),
      "routing_skew"_a = kMlperf.routing_skew, "eplb"_a = kMlperf.eplb,
      "redundant_experts"_a = kMlperf.redundant_experts, "speculative"_a = 0,
      "acceptance"_a = py::none(), "draft"_a = kMlperf.draft,
      "A predicted MLPerf Inference LLM result with the deployment chosen for it, as `mlperf "
      "--format json`; tp, max_batch, max_tokens and scheduler pin what is otherwise searched; "
      "speculative, acceptance and draft as --speculative/--acceptance/--draft.");

  m.def(
      "explore",
      [](const std::string& space, int threads, bool all, std::optional<std::string> csv,
         std::optional<std::string> db, std::optional<std::string> html,
         std::optional<std::string> shard, std::vector<std::string> merge) {
        if (threads < 0 || threads > 1024)
          throw UserError(
              fmt::format("threads must be 0 (every hardware thread) to 1024, got {}", threads));
        return document([&] {
          const DesignSpace s = load_design_space(space);
          const ExploreFiles files{csv.value_or(""), db.value_or(""), html.value_or("")};
          if (shard) {
            if (!merge.empty()) throw UserError("explore: give shard or merge, not both");
            return run_explore_shard(s, parse_shard(*shard, "shard"), ExploreOptions{threads},
                                     files);
          }
          return explore_json(s, run_exploration(s, ExploreOptions{threads}, merge, files), all);
        });
      },
      "space"_a, py::kw_only(), "threads"_a = 0, "all"_a = false, "csv"_a = py::none(),
      "db"_a = py::none(), "html"_a = py::none(), "shard"_a = py::none(),
      "merge"_a = std::vector<std::string>{},
      "Search a design space (id or YAML path): its Pareto front, references and one-knob "
      "steps as `explore --format json` (every design too with all=True); csv and db also "
      "write the CSV and the SQLite results store, html the HTML report. threads 0 = every "
      "hardware thread. shard='K/N' evaluates one shard of a distributed run into db and "
      "returns its summary; merge=[db files of every shard] finishes the run from them.");

  m.def(
      "validate",
      [](const std::string& file) {
        return document([&] {
          CalibrationFile cases = load_calibration_cases(file);
          nlohmann::json j = to_json(validate_cases(cases.cases));
          j["warnings"] = cases.warnings;
          return j;
        });
      },
      "file"_a,
      "Predict every case of a calibration file, as `validate --format json` plus the "
      "file's warnings.");
}
