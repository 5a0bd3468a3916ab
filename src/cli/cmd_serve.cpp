// `chipwright serve`: serving simulation of a trace or dataset on a
// deployment the user describes.
#include <fmt/core.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "api/serving_requests.hpp"
#include "cli/commands.hpp"
#include "cli/economics_view.hpp"
#include "cli/workload_flags.hpp"
#include "report/format.hpp"
#include "serving/capacity_tuning.hpp"
#include "serving/serve.hpp"

namespace cw::cli {
namespace {

void print_table(const ServeResult& r) {
  const ServingMetrics& m = r.metrics;
  const Deployment& d = r.disaggregated ? r.disaggregated->prefill : r.deployment;
  fmt::print("{} on {} x {} (precision {}), {} with {} arrivals\n", d.step->model().id,
             r.disaggregated ? r.disaggregated->count : d.count, d.step->chip().id,
             d.step->precision().name, r.workload, r.arrivals);
  if (r.disaggregated) {
    fmt::print("  deployment   {}\n", r.disaggregated->describe());
  } else {
    fmt::print("  deployment   {}\n", d.describe());
  }
  fmt::print("  requests     {} ({} input, {} output tokens) in {}\n", m.requests, m.input_tokens,
             m.output_tokens, format_time(m.makespan));
  fmt::print("  throughput   {:.0f} output tokens/s, {:.2f} requests/s\n", m.output_tokens_per_s,
             m.requests_per_s);
  fmt::print("  {:<10} {:>10} {:>10} {:>10} {:>10}\n", "", "mean", "p50", "p90", "p99");
  auto row = [](const char* name, const Percentiles& p) {
    fmt::print("  {:<10} {:>10} {:>10} {:>10} {:>10}\n", name, format_time(p.mean),
               format_time(p.p50), format_time(p.p90), format_time(p.p99));
  };
  row("TTFT", m.ttft);
  row("TPOT", m.tpot);
  row("e2e", m.e2e);
  fmt::print("  goodput      {:.2f} requests/s ({:.1f}% meet the SLOs)\n", m.goodput_requests_per_s,
             100 * m.slo_attainment);
  fmt::print("  utilisation  {:.1f}%, KV occupancy mean {:.1f}% peak {:.1f}%\n",
             100 * m.utilisation, 100 * m.kv_occupancy_mean, 100 * m.kv_occupancy_peak);
  fmt::print("  iterations   {}, preemptions {}\n", m.iterations, m.preemptions);
  if (m.disaggregated) {
    fmt::print("  KV transfer  {} requests, on the link mean {} p99 {}, waiting mean {} p99 {}\n",
               m.kv_transfers, format_time(m.kv_transfer.mean), format_time(m.kv_transfer.p99),
               format_time(m.kv_wait.mean), format_time(m.kv_wait.p99));
    fmt::print("  pools        prefill utilisation {:.1f}%, decode utilisation {:.1f}%\n",
               100 * m.prefill_utilisation, 100 * m.decode_utilisation);
  }
  print_economics(r.economics);
}

void print_capacity(const CapacityResult& c, const Slo& slo, double target_rate) {
  std::string objectives;
  if (std::isfinite(slo.ttft)) objectives += "p99 TTFT <= " + format_time(slo.ttft);
  if (std::isfinite(slo.tpot))
    objectives +=
        (objectives.empty() ? "" : ", ") + std::string("p99 TPOT <= ") + format_time(slo.tpot);
  const int chips = c.run.disaggregated ? c.run.disaggregated->count : c.run.deployment.count;
  if (!c.found) {
    fmt::print("capacity     none: even at {:.3g} requests/s (1% of the offline rate) {}\n\n",
               c.rate, c.limit);
    return;
  }
  const ServingMetrics& m = c.run.metrics;
  fmt::print("capacity     {:.3g} requests/s ({:.0f} output tokens/s, {:.0f} per chip) with {}\n",
             c.rate, m.output_tokens_per_s, m.output_tokens_per_s / chips, objectives);
  if (c.limit == "throughput")
    fmt::print("             limited by throughput: the offline rate meets the objectives\n");
  else
    fmt::print(
        "             a faster rate breaks them ({}); offline rate {:.3g} requests/s, {} probes\n",
        c.limit, c.offline_rate, c.probes.size());
  if (target_rate > 0) {
    const Fleet f = fleet_for(c, target_rate);
    fmt::print(
        "fleet        {:g} requests/s needs {} deployment{} of {} chips = {} chips{}\n",
        target_rate, f.deployments, f.deployments == 1 ? "" : "s", chips, f.chips,
        f.dollars_per_hour > 0 ? fmt::format(", ${:.2f} per hour (TCO)", f.dollars_per_hour) : "");
  }
  fmt::print("\n");
}

}  // namespace

void register_serve(CLI::App& app) {
  auto* cmd = app.add_subcommand("serve", "Simulate serving a trace or dataset on a cluster");
  auto a = std::make_shared<ServeRequest>();
  auto out = std::make_shared<OutputOptions>();
  ServeOptions& o = a->o;
  cmd->add_option("--chip", o.chip, "chip preset id or YAML path")->required();
  cmd->add_option("--count", o.count, "chips in the cluster")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--model", o.model, "model preset id or HF config.json path")->required();
  cmd->add_option("--precision", o.precision, "precision recipe id or YAML path")
      ->capture_default_str();
  auto* trace =
      cmd->add_option("--trace", o.trace, "CSV of input_length,output_length[,arrival_s]");
  auto* dataset = cmd->add_option("--dataset", o.dataset, "named dataset, e.g. mlperf-llama2-70b");
  trace->excludes(dataset);
  auto* rate = cmd->add_option("--rate", a->rate, "Poisson arrivals, requests per second")
                   ->check(CLI::PositiveNumber);
  auto* offline = cmd->add_flag("--offline", a->offline, "every request arrives at t = 0");
  rate->excludes(offline);
  cmd->add_option("--burstiness", a->burstiness,
                  "with --rate or --capacity: gamma arrivals with this coefficient of variation "
                  "(1 = Poisson)")
      ->check(CLI::PositiveNumber);
  auto* capacity = cmd->add_flag(
      "--capacity", a->capacity,
      "find the fastest Poisson rate the deployment serves with p99 TTFT and TPOT within "
      "--slo-ttft/--slo-tpot, and report the run at that rate");
  capacity->excludes(rate);
  capacity->excludes(offline);
  cmd->add_option("--target-rate", a->target_rate,
                  "with --capacity: requests/s to serve; prints how many such deployments "
                  "(and chips) that stream needs")
      ->check(CLI::PositiveNumber)
      ->needs(capacity);
  cmd->add_option("--min-duration", o.min_duration,
                  "with --capacity: at each probed rate, cycle the requests until their arrivals "
                  "span this many seconds (MLPerf Server: 600)")
      ->check(CLI::PositiveNumber)
      ->needs(capacity);
  cmd->add_flag("--tune", a->tune,
                "with --capacity: search tp (unless --tp is given), --max-batch, --max-tokens "
                "and --scheduler for the deployment with the highest capacity")
      ->needs(capacity);
  cmd->add_option("--requests", o.requests, "requests to send (default: each row once)")
      ->check(CLI::PositiveNumber);
  auto* tp = cmd->add_option("--tp", o.tp, "tensor-parallel degree per replica")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  auto* ep = cmd->add_option("--ep", o.ep, "expert-parallel degree inside each replica")
                 ->check(CLI::PositiveNumber)
                 ->capture_default_str();
  auto* attention_dp = cmd->add_flag(
      "--attention-dp", o.attention_dp,
      "wide EP: attention data-parallel over each replica's tp chips, routed experts sharded "
      "over them (needs --ep equal to --tp)");
  auto* attention_tp =
      cmd->add_option("--attention-tp", o.attn_tp,
                      "with --attention-dp: chips per attention-DP rank, which split the "
                      "attention heads (tp / attention-tp ranks)")
          ->check(CLI::PositiveNumber)
          ->capture_default_str();
  auto* overlap = cmd->add_flag("--overlap", o.overlap,
                                "two-batch overlap of all-reduce and expert all-to-all with "
                                "compute, where it is faster");
  auto* cp = cmd->add_option("--cp", o.cp,
                             "context parallelism: each replica is cp groups of --tp chips; "
                             "every prompt's tokens are split over the groups (ring attention) "
                             "and every sequence's KV cache too")
                 ->check(CLI::PositiveNumber)
                 ->capture_default_str();
  auto* pp = cmd->add_option("--pp", o.pp,
                             "pipeline stages per replica: each replica is pp stages of --tp "
                             "chips holding 1/pp of the layers, with pp micro-batches in flight")
                 ->check(CLI::PositiveNumber)
                 ->capture_default_str();
  pp->excludes(attention_dp);
  add_routing_options(*cmd, o.routing_skew, o.eplb, o.redundant_experts);
  cmd->add_option("--max-batch", o.engine.max_batch, "most running requests per replica")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-tokens", o.engine.max_tokens, "most tokens per iteration")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--block-size", o.engine.block_size, "tokens per KV-cache block")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--no-chunked-prefill", a->no_chunking, "prefill whole prompts only");
  cmd->add_option("--scheduler", a->scheduler, "decode-first or prefill-first")
      ->capture_default_str();
  cmd->add_option("--router", a->router, "round-robin or least-loaded")->capture_default_str();
  cmd->add_option("--preemption", a->preemption, "recompute or swap")->capture_default_str();
  cmd->add_option("--seed", o.seed, "seed of the arrival process (and of draft acceptance)")
      ->capture_default_str();
  add_speculation_options(*cmd, o.speculative, o.acceptance, o.draft);
  cmd->add_option("--slo-ttft", a->slo_ttft, "TTFT objective (s) for goodput")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--slo-tpot", a->slo_tpot, "TPOT objective (s) for goodput")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--timeline", o.timeline, "write a Chrome trace (Perfetto) to this file");
  auto* disagg = cmd->add_flag("--disaggregate", a->disaggregate,
                               "separate prefill and decode pools; the KV cache moves over links");
  disagg->excludes(tp);
  disagg->excludes(ep);
  disagg->excludes(attention_dp);
  disagg->excludes(attention_tp);
  disagg->excludes(overlap);
  disagg->excludes(cp);
  disagg->excludes(pp);
  for (const char* flag : {"--routing-skew", "--eplb", "--redundant-experts"})
    disagg->excludes(cmd->get_option(flag));
  cmd->add_option("--prefill-replicas", a->split.prefill_replicas,
                  "with --disaggregate: replicas in the prefill pool")
      ->check(CLI::PositiveNumber)
      ->needs(disagg)
      ->capture_default_str();
  cmd->add_option("--prefill-tp", a->split.prefill_tp,
                  "with --disaggregate: tensor-parallel degree of a prefill replica")
      ->check(CLI::PositiveNumber)
      ->needs(disagg)
      ->capture_default_str();
  cmd->add_option("--decode-replicas", a->split.decode_replicas,
                  "with --disaggregate: replicas in the decode pool")
      ->check(CLI::PositiveNumber)
      ->needs(disagg)
      ->capture_default_str();
  cmd->add_option("--decode-tp", a->split.decode_tp,
                  "with --disaggregate: tensor-parallel degree of a decode replica")
      ->check(CLI::PositiveNumber)
      ->needs(disagg)
      ->capture_default_str();
  add_format_option(*cmd, *out);
  cmd->callback([a, out, tp] {
    a->tp_given = tp->count() > 0;
    const ServeOptions o = resolve(*a);
    if (a->tune) {
      const TunedCapacity t =
          tune_capacity(o, a->tp_given ? std::optional<int>(o.tp) : std::nullopt);
      if (out->json()) {
        fmt::print("{}\n", to_json(t, a->target_rate).dump(2));
        return;
      }
      fmt::print(
          "tuned        tp {} x {} replicas, max batch {}, max tokens {}, {} ({} deployments "
          "tried)\n",
          t.best.tp, o.count / t.best.tp, t.best.max_batch, t.best.max_tokens,
          policy_name(t.best.policy), t.tried.size());
      print_capacity(t.capacity, o.slo, a->target_rate);
      print_table(t.capacity.run);
      return;
    }
    if (a->capacity) {
      const CapacityResult c = find_capacity(o);
      if (out->json()) {
        fmt::print("{}\n", to_json(c, a->target_rate).dump(2));
        return;
      }
      print_capacity(c, o.slo, a->target_rate);
      print_table(c.run);
      return;
    }
    ServeResult r = run_serve(o);
    if (out->json()) {
      fmt::print("{}\n", to_json(r).dump(2));
    } else {
      print_table(r);
    }
  });
}

}  // namespace cw::cli
