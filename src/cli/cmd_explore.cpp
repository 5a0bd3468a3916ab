// `chipwright explore SPACE`: evaluates every design of a design space and
// prints its Pareto front (dse/explore.hpp); --all lists every design, --csv
// writes them to a file.
#include <fmt/core.h>

#include <algorithm>

#include "api/explore_report.hpp"
#include "api/explore_runs.hpp"
#include "cli/commands.hpp"
#include "config/data_dir.hpp"
#include "dse/explore.hpp"
#include "dse/shard_store.hpp"
#include "report/format.hpp"

namespace cw::cli {
namespace {

std::string knob_list(const Knob& k) {
  std::string s;
  for (const auto& v : k.values) s += (s.empty() ? "" : ", ") + v.label;
  return s;
}

void print_table(const DesignSpace& space, const ExploreResult& r, bool all) {
  fmt::print("design space {}: base {}", shown_preset_path(space.file), space.base_chip.id);
  const bool mix = space.workloads.size() > 1;
  for (const WorkloadSpec& ws : space.workloads) {
    fmt::print("{}{}{}{}", mix ? "\n  workload " : ", ",
               mix && ws.name != ws.model.id ? ws.name + ": " : "", workload_summary(ws, space),
               mix ? fmt::format(", {:.0f}% of tokens", 100 * ws.weight) : "");
  }
  fmt::print("\n");
  for (const Knob& k : space.knobs) fmt::print("  {:<28} {}\n", k.name, knob_list(k));
  std::string how = "grid";
  if (space.sampler == DesignSpace::Sampler::random)
    how = fmt::format("random sample of {}, seed {}", space.samples, space.seed);
  if (space.sampler == DesignSpace::Sampler::nsga2)
    how = fmt::format("NSGA-II, population {}, {} generations, seed {}", space.population,
                      space.generations, space.seed);
  if (r.refine_rounds > 0)
    how += fmt::format(", then {} refined in {} rounds", r.refined, r.refine_rounds);
  fmt::print("\n{} designs ({}), {} feasible", r.designs.size(), how, r.feasible);
  const std::string why = infeasible_by_reason(r);
  fmt::print("{}\n", why.empty() ? "" : "; infeasible: " + why);
  std::string objectives;
  for (Metric m : space.objectives)
    objectives += (objectives.empty() ? "" : ", ") + std::string(metric_name(m));
  std::vector<int64_t> rows = r.pareto;
  if (all) {
    rows.clear();
    for (size_t i = 0; i < r.designs.size(); ++i) rows.push_back(static_cast<int64_t>(i));
    fmt::print("\nevery design (Pareto front over {} marked *):\n", objectives);
  } else {
    fmt::print("\nPareto front over {} ({} designs):\n", objectives, r.pareto.size());
  }
  const std::vector<bool> front = on_front(r);
  // Each knob's column is as wide as its name or its widest value.
  std::vector<size_t> width;
  for (const Knob& k : space.knobs) {
    size_t wd = k.name.size();
    for (const auto& v : k.values) wd = std::max(wd, v.label.size());
    width.push_back(wd);
  }
  std::string head = fmt::format("{:>7}", "design");
  for (size_t j = 0; j < space.knobs.size(); ++j)
    head += fmt::format(" {:>{}}", space.knobs[j].name, width[j]);
  fmt::print("{}  {:>5} {:>9} {:>9} {:>10} {:>6} {:>7} {:>4} {:>7} {:>7} {:>6}\n", head, "tp",
             "TTFT", "TPOT", "tok/s/chip", "J/tok", "$/Mtok", "dies", "mm2", "unit $", "W");
  // The metrics columns of one row, and why it is infeasible.
  auto metrics = [](const DesignResult& d) {
    std::string line;
    if (d.tp > 0) {
      line += fmt::format("  {:>5} {:>9} {:>9} {:>10.0f} {:>6.3f} {:>7.3f}",
                          d.pp > 1 ? fmt::format("{}x{}", d.tp, d.pp) : std::to_string(d.tp),
                          format_time(d.ttft), format_time(d.tpot), d.tokens_per_s_per_chip,
                          d.joules_per_token, d.dollars_per_mtok);
    } else {
      line += fmt::format("  {:>5} {:>9} {:>9} {:>10} {:>6} {:>7}", "-", "-", "-", "-", "-", "-");
    }
    line += fmt::format(" {:>4} {:>7.0f} {:>7.0f} {:>6.0f}", d.dies, d.area_mm2, d.unit_cost,
                        d.power_w);
    return d.feasible ? line : line + "  infeasible: " + d.why;
  };
  for (int64_t i : rows) {
    const DesignResult& d = r.designs[static_cast<size_t>(i)];
    std::string line =
        fmt::format("{:>6}{}", d.index, all && front[static_cast<size_t>(i)] ? "*" : " ");
    for (size_t j = 0; j < space.knobs.size(); ++j)
      line += fmt::format(" {:>{}}", space.knobs[j].label(d.values[j]), width[j]);
    fmt::print("{}{}\n", line, metrics(d));
  }
  if (!r.sensitivity.empty()) {
    const DesignResult& best = r.designs[static_cast<size_t>(r.pareto.front())];
    size_t name_w = 0, label_w = 0;
    for (const Knob& k : space.knobs) {
      name_w = std::max(name_w, k.name.size());
      for (const auto& v : k.values) label_w = std::max(label_w, v.label.size());
    }
    std::string names;
    for (Metric m : space.objectives) names += fmt::format(" {:>17}", metric_name(m));
    fmt::print("\none knob at a time from design {} (best {}):\n{:<{}}{}\n", best.index,
               metric_name(space.objectives.front()), "", name_w + 2 * label_w + 7, names);
    for (const KnobStep& st : r.sensitivity) {
      const Knob& k = space.knobs[st.knob];
      std::string line = fmt::format("  {:<{}} {:>{}} -> {:<{}}", k.name, name_w, k.label(st.from),
                                     label_w, k.label(st.to), label_w);
      if (st.design.tp > 0) {
        for (Metric m : space.objectives) {
          const double base = best.metric(m);
          line += fmt::format(" {:>17}",
                              base != 0 ? format_percent(st.design.metric(m) / base - 1) : "-");
        }
      }
      if (!st.design.feasible) line += "  infeasible: " + st.design.why;
      fmt::print("{}\n", line);
    }
  }
  if (!r.references.empty()) {
    fmt::print("\nreference chips as they are (their own dies, TDP and price), same {}:\n",
               space.workloads.size() > 1 ? "workloads" : "workload");
    size_t knob_columns = 7;
    for (size_t wd : width) knob_columns += wd + 1;
    for (size_t i = 0; i < r.references.size(); ++i)
      fmt::print("{:<{}}{}\n", space.reference_chips[i].id, knob_columns, metrics(r.references[i]));
  }
  if (std::any_of(space.workloads.begin(), space.workloads.end(),
                  [](const WorkloadSpec& w) { return w.serving != nullptr; }))
    fmt::print(
        "\nA serving workload runs on one deployment (tp chips) of each design: TTFT and\n"
        "TPOT are the simulation's p99, tok/s/chip what it delivered at the offered load\n"
        "(rate: capacity: at the fastest rate whose p99s meet max_ttft and max_tpot).\n");
  if (space.workloads.size() > 1) {
    fmt::print(
        "\nA mix: $/Mtok and J/tok are averaged over the workloads' token shares,\n"
        "tok/s/chip is the rate of the mix, TTFT and TPOT are the worst workload's.\n");
  }
  fmt::print(
      "\n$/Mtok: TCO per million output tokens. A design is costed from its modelled\n"
      "silicon, built from as many dies as the reticle needs, at the TDP its sustained\n"
      "load draws; a reference chip at its market price (docs/design-space.md).\n");
}

}  // namespace

void register_explore(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "explore", "Search a design space: build, cost and run every design, keep the Pareto front");
  auto space_id = std::make_shared<std::string>();
  auto csv_path = std::make_shared<std::string>();
  auto db_path = std::make_shared<std::string>();
  auto html_path = std::make_shared<std::string>();
  auto all = std::make_shared<bool>(false);
  auto threads = std::make_shared<int>(0);
  auto shard = std::make_shared<std::string>();
  auto merge = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<OutputOptions>();
  cmd->add_option("space", *space_id, "design-space id (data/spaces/) or YAML path")->required();
  cmd->add_flag("--all", *all, "list every design, not only the Pareto front");
  cmd->add_option("--csv", *csv_path, "also write every design to this CSV file");
  cmd->add_option("--db", *db_path,
                  "also write the results store (every design, the front, references, "
                  "one-knob steps) to this SQLite file");
  cmd->add_option("--html", *html_path,
                  "also write a self-contained HTML report (front plotted over the first two "
                  "objectives, tables) to this file");
  cmd->add_option("--threads", *threads,
                  "worker threads, 1 to 1024 (default: every hardware thread)")
      ->check(CLI::Range(1, 1024));
  auto* shard_opt = cmd->add_option(
      "--shard", *shard,
      "evaluate only shard K of N (K/N) of a grid or random space and write it to --db; "
      "merge the N stores with --merge");
  cmd->add_option("--merge", *merge,
                  "finish the exploration from the --db stores of all its --shard runs, as one "
                  "unsharded run would")
      ->excludes(shard_opt);
  add_format_option(*cmd, *out);
  cmd->callback([space_id, csv_path, db_path, html_path, all, threads, shard, merge, out] {
    const DesignSpace space = load_design_space(*space_id);
    const ExploreOptions options{*threads};
    const ExploreFiles files{*csv_path, *db_path, *html_path};
    if (!shard->empty()) {
      const nlohmann::json j =
          run_explore_shard(space, parse_shard(*shard, "--shard"), options, files);
      if (out->json()) {
        fmt::print("{}\n", j.dump(2));
        return;
      }
      fmt::print(
          "design space {}: shard {}, {} of {} designs evaluated, {} feasible, written to {}\n"
          "when every shard has run: chipwright explore {} --merge FILE...\n",
          j["space"].get<std::string>(), j["shard"].get<std::string>(), j["designs"].get<int64_t>(),
          j["of"].get<int64_t>(), j["feasible"].get<int64_t>(), *db_path,
          j["space"].get<std::string>());
      return;
    }
    const ExploreResult r = run_exploration(space, options, *merge, files);
    if (out->json()) {
      fmt::print("{}\n", explore_json(space, r, *all).dump(2));
      return;
    }
    print_table(space, r, *all);
  });
}

}  // namespace cw::cli
