#include "api/explore_report.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "config/data_dir.hpp"
#include "report/format.hpp"
#include "report/html.hpp"

namespace cw {
namespace {

// A design's knob values and metrics; `chip` names a reference chip instead
// (no design number, no knob values).
nlohmann::json design_json(const DesignSpace& space, const DesignResult& d,
                           const std::string& chip = "") {
  nlohmann::json j = {{"feasible", d.feasible},
                      {"dies", d.dies},
                      {"area_mm2", d.area_mm2},
                      {"unit_cost", d.unit_cost},
                      {"power_w", d.power_w}};
  if (!chip.empty()) {
    j["chip"] = chip;
  } else {
    nlohmann::json knobs = nlohmann::json::object();
    for (size_t k = 0; k < space.knobs.size(); ++k)
      knobs[space.knobs[k].name] = space.knobs[k].label(d.values[k]);
    j["design"] = d.index;
    j["knobs"] = knobs;
  }
  if (!d.feasible) {
    j["reason"] = d.reason;
    j["why"] = d.why;
  }
  if (d.workloads.size() > 1) {
    nlohmann::json per = nlohmann::json::array();
    for (size_t i = 0; i < d.workloads.size(); ++i) {
      const WorkloadResult& w = d.workloads[i];
      per.push_back({{"workload", space.workloads[i].name},
                     {"tp", w.tp},
                     {"ttft_s", w.ttft},
                     {"tpot_s", w.tpot},
                     {"tokens_per_s_per_chip", w.tokens_per_s_per_chip},
                     {"joules_per_token", w.joules_per_token},
                     {"dollars_per_mtok", w.dollars_per_mtok}});
    }
    j["workloads"] = per;
  }
  if (d.tp > 0) {
    j.update({{"tp", d.tp},
              {"pp", d.pp},
              {"chips", d.chips},
              {"ttft_s", d.ttft},
              {"tpot_s", d.tpot},
              {"tokens_per_s_per_chip", d.tokens_per_s_per_chip},
              {"joules_per_token", d.joules_per_token},
              {"dollars_per_mtok", d.dollars_per_mtok}});
  }
  return j;
}

nlohmann::json workloads_json(const DesignSpace& space) {
  nlohmann::json out = nlohmann::json::array();
  for (const WorkloadSpec& w : space.workloads) {
    nlohmann::json serving = nullptr;
    if (w.serving)
      serving = {{"source", w.serving->source},
                 {"requests", w.serving->requests.requests.size()},
                 {"arrivals", w.serving->requests.arrivals}};
    out.push_back({{"name", w.name},
                   {"model", w.model_id},
                   {"precision", w.precision_id},
                   {"batch", w.run.batch},
                   {"input", w.run.input},
                   {"output", w.run.output},
                   {"tp", w.tp > 0 ? nlohmann::json(w.tp) : nlohmann::json("auto")},
                   {"weight", w.weight},
                   {"serving", serving}});
  }
  return out;
}

// A metric as a reader reads it: name with unit, and the value in that unit.
std::string metric_label(Metric m) {
  switch (m) {
    case Metric::dollars_per_mtok:
      return "$ per million output tokens";
    case Metric::joules_per_token:
      return "J per output token";
    case Metric::tokens_per_s_per_chip:
      return "output tokens/s per chip";
    case Metric::ttft:
      return "TTFT (ms)";
    case Metric::tpot:
      return "TPOT (ms)";
    case Metric::unit_cost:
      return "unit cost ($)";
    case Metric::area:
      return "logic die area, all dies (mm2)";
    case Metric::power:
      return "TDP (W)";
  }
  return metric_name(m);
}
double metric_shown(const DesignResult& d, Metric m) {
  const double v = d.metric(m);
  return m == Metric::ttft || m == Metric::tpot ? v * 1e3 : v;
}

std::string knob_values(const DesignSpace& space, const DesignResult& d) {
  std::string s;
  for (size_t k = 0; k < space.knobs.size(); ++k)
    s += fmt::format("{}{} {}", s.empty() ? "" : ", ", space.knobs[k].name,
                     space.knobs[k].label(d.values[k]));
  return s;
}

// The metric cells of one table row ("-" where the design did not run).
std::vector<std::string> metric_cells(const DesignResult& d) {
  if (d.tp == 0) return std::vector<std::string>(6, "-");
  return {html::escape(d.pp > 1 ? fmt::format("{}x{}", d.tp, d.pp) : std::to_string(d.tp)),
          html::escape(format_time(d.ttft)),
          html::escape(format_time(d.tpot)),
          fmt::format("{:.0f}", d.tokens_per_s_per_chip),
          fmt::format("{:.3f}", d.joules_per_token),
          fmt::format("{:.3f}", d.dollars_per_mtok)};
}
std::vector<std::string> silicon_cells(const DesignResult& d) {
  return {std::to_string(d.dies), fmt::format("{:.0f}", d.area_mm2),
          fmt::format("{:.0f}", d.unit_cost), fmt::format("{:.0f}", d.power_w)};
}
const std::vector<std::string> kMetricHeader = {"tp",     "TTFT", "TPOT", "tok/s/chip", "J/tok",
                                                "$/Mtok", "dies", "mm2",  "unit $",     "W"};

}  // namespace

std::string workload_summary(const WorkloadSpec& w, const DesignSpace& space) {
  const Speculation& spec = w.run.speculation;
  const bool k_knob = std::any_of(space.knobs.begin(), space.knobs.end(),
                                  [](const Knob& k) { return k.kind == KnobKind::draft_tokens; });
  const std::string speculative =
      !spec.enabled() ? std::string()
      : k_knob        ? fmt::format(
                            ", speculative decoding acceptance {:g} {} (designs: k from "
                                   "the draft_tokens knob; reference chips: k={})",
                            spec.acceptance,
                     spec.draft_model ? "draft " + spec.draft_model->id : std::string("draft head"),
                            spec.draft_tokens)
               : ", speculative decoding " + spec.describe();
  if (!w.serving)
    return fmt::format("{} at {}, batch {}, input {}, output {}{}", w.model_id, w.precision_id,
                       w.run.batch, w.run.input, w.run.output, speculative);
  return fmt::format(
      "{} at {}, serving {} ({} requests, {}), max batch {}, mean input {}, output {}{}",
      w.model_id, w.precision_id, w.serving->source, w.serving->requests.requests.size(),
      w.serving->requests.arrivals, w.run.batch, w.run.input, w.run.output, speculative);
}

std::string infeasible_by_reason(const ExploreResult& r) {
  std::map<std::string, int64_t> reasons;
  for (const auto& d : r.designs)
    if (!d.feasible) ++reasons[d.reason];
  std::string why;
  for (const auto& [reason, n] : reasons)
    why += fmt::format("{}{} {}", why.empty() ? "" : ", ", n, reason);
  return why;
}

std::string explore_csv(const DesignSpace& space, const ExploreResult& r) {
  std::ostringstream o;
  o << "design";
  for (const Knob& k : space.knobs) o << ',' << k.name;
  o << ",feasible,reason,tp,pp,chips,ttft_s,tpot_s,tokens_per_s_per_chip,joules_per_token,"
       "dollars_per_mtok,dies,area_mm2,unit_cost,power_w,pareto\n";
  const std::vector<bool> front = on_front(r);
  for (size_t i = 0; i < r.designs.size(); ++i) {
    const DesignResult& d = r.designs[i];
    o << d.index;
    for (size_t j = 0; j < space.knobs.size(); ++j) o << ',' << space.knobs[j].label(d.values[j]);
    o << fmt::format(
        ",{},{},{},{},{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{},{:.6g},{:.6g},{:.6g},{}\n",
        d.feasible ? 1 : 0, d.reason, d.tp, d.pp, d.chips, d.ttft, d.tpot, d.tokens_per_s_per_chip,
        d.joules_per_token, d.dollars_per_mtok, d.dies, d.area_mm2, d.unit_cost, d.power_w,
        front[i] ? 1 : 0);
  }
  return o.str();
}

nlohmann::json explore_json(const DesignSpace& space, const ExploreResult& r, bool all) {
  nlohmann::json front = nlohmann::json::array(), every = nlohmann::json::array();
  for (int64_t i : r.pareto) front.push_back(design_json(space, r.designs[static_cast<size_t>(i)]));
  if (all)
    for (const auto& d : r.designs) every.push_back(design_json(space, d));
  nlohmann::json objectives = nlohmann::json::array();
  for (Metric m : space.objectives) objectives.push_back(metric_name(m));
  nlohmann::json j = {{"space", shown_preset_path(space.file)},
                      {"base", space.base_chip.id},
                      {"workloads", workloads_json(space)},
                      {"sampler", sampler_name(space.sampler)},
                      {"designs", r.designs.size()},
                      {"refined", r.refined},
                      {"feasible", r.feasible},
                      {"objectives", objectives},
                      {"pareto", front}};
  if (all) j["all"] = every;
  nlohmann::json refs = nlohmann::json::array();
  for (size_t i = 0; i < r.references.size(); ++i)
    refs.push_back(design_json(space, r.references[i], space.reference_chips[i].id));
  j["reference"] = refs;
  nlohmann::json steps = nlohmann::json::array();
  for (const KnobStep& st : r.sensitivity) {
    const Knob& k = space.knobs[st.knob];
    nlohmann::json d = design_json(space, st.design);
    d.erase("design");
    steps.push_back(
        {{"knob", k.name}, {"from", k.label(st.from)}, {"to", k.label(st.to)}, {"result", d}});
  }
  j["sensitivity"] = steps;
  return j;
}

std::string explore_html(const DesignSpace& space, const ExploreResult& r) {
  const Metric mx = space.objectives.front();
  const Metric my = space.objectives.size() > 1      ? space.objectives[1]
                    : mx == Metric::joules_per_token ? Metric::dollars_per_mtok
                                                     : Metric::joules_per_token;
  const std::vector<bool> front = on_front(r);
  html::Series feasible{"feasible designs", "#9aa5b1", 2.5, {}};
  html::Series pareto{"Pareto front", "#1f5fbf", 4.5, {}};
  html::Series refs{"reference chips as sold", "#c0392b", 4.5, {}};
  auto tooltip = [&](const std::string& who, const DesignResult& d) {
    return fmt::format("{}: {} {:.4g}, {} {:.4g}", who, metric_name(mx), d.metric(mx),
                       metric_name(my), d.metric(my));
  };
  for (size_t i = 0; i < r.designs.size(); ++i) {
    const DesignResult& d = r.designs[i];
    if (!d.feasible) continue;
    const std::string who = fmt::format("design {} ({})", d.index, knob_values(space, d));
    html::Point p{metric_shown(d, mx), metric_shown(d, my), "", tooltip(who, d)};
    if (front[i]) {
      p.label = std::to_string(d.index);
      pareto.points.push_back(p);
    } else {
      feasible.points.push_back(p);
    }
  }
  for (size_t i = 0; i < r.references.size(); ++i) {
    const DesignResult& d = r.references[i];
    if (d.tp == 0) continue;
    const std::string& id = space.reference_chips[i].id;
    refs.points.push_back({metric_shown(d, mx), metric_shown(d, my),
                           d.feasible ? id : id + " (infeasible)", tooltip(id, d)});
  }

  std::string body =
      fmt::format("<p>Design space <b>{}</b>, base chip <b>{}</b>. ",
                  html::escape(shown_preset_path(space.file)), html::escape(space.base_chip.id));
  for (const WorkloadSpec& w : space.workloads)
    body += html::escape(fmt::format(
        "{}{}. ", workload_summary(w, space),
        space.workloads.size() > 1 ? fmt::format(" ({:.0f}% of tokens)", 100 * w.weight) : ""));
  const std::string why = infeasible_by_reason(r);
  body += html::escape(fmt::format(
              "{} designs evaluated, {} feasible{}; {} on the front.", r.designs.size(), r.feasible,
              why.empty() ? "" : " (infeasible: " + why + ")", r.pareto.size())) +
          "</p>\n";
  body += "<h2>Feasible designs</h2>\n" +
          html::scatter({feasible, pareto, refs}, metric_label(mx), metric_label(my));
  body +=
      "<p class=\"note\">Hover a point for its knobs. Lower is better for every "
      "objective but tokens/s per chip.</p>\n";

  std::vector<std::string> header{"design"};
  for (const Knob& k : space.knobs) header.push_back(html::escape(k.name));
  header.insert(header.end(), kMetricHeader.begin(), kMetricHeader.end());
  auto design_row = [&](const DesignResult& d) {
    std::vector<std::string> row{std::to_string(d.index)};
    for (size_t k = 0; k < space.knobs.size(); ++k)
      row.push_back(html::escape(space.knobs[k].label(d.values[k])));
    for (auto& c : metric_cells(d)) row.push_back(std::move(c));
    for (auto& c : silicon_cells(d)) row.push_back(std::move(c));
    return row;
  };
  std::vector<std::vector<std::string>> rows;
  for (int64_t i : r.pareto) rows.push_back(design_row(r.designs[static_cast<size_t>(i)]));
  body += "<h2>Pareto front</h2>\n" + html::table(header, rows);

  if (!r.sensitivity.empty()) {
    const DesignResult& best = r.designs[static_cast<size_t>(r.pareto.front())];
    std::vector<std::string> head{"knob", "from", "to"};
    for (Metric m : space.objectives) head.push_back(html::escape(metric_name(m)));
    head.push_back("note");
    std::vector<std::vector<std::string>> steps;
    for (const KnobStep& st : r.sensitivity) {
      const Knob& k = space.knobs[st.knob];
      std::vector<std::string> row{html::escape(k.name), html::escape(k.label(st.from)),
                                   html::escape(k.label(st.to))};
      for (Metric m : space.objectives) {
        const double base = best.metric(m);
        row.push_back(st.design.tp > 0 && base != 0
                          ? html::escape(format_percent(st.design.metric(m) / base - 1))
                          : "-");
      }
      row.push_back(st.design.feasible ? "" : html::escape("infeasible: " + st.design.why));
      steps.push_back(row);
    }
    body += fmt::format("<h2>One knob at a time from design {}</h2>\n", best.index) +
            html::table(head, steps);
  }
  if (!r.references.empty()) {
    std::vector<std::string> head{"chip"};
    head.insert(head.end(), kMetricHeader.begin(), kMetricHeader.end());
    std::vector<std::vector<std::string>> ref_rows;
    for (size_t i = 0; i < r.references.size(); ++i) {
      const DesignResult& d = r.references[i];
      std::vector<std::string> row{html::escape(space.reference_chips[i].id)};
      for (auto& c : metric_cells(d)) row.push_back(std::move(c));
      for (auto& c : silicon_cells(d)) row.push_back(std::move(c));
      if (!d.feasible) row.back() += html::escape("  (infeasible: " + d.why + ")");
      ref_rows.push_back(row);
    }
    body += "<h2>Reference chips as sold</h2>\n" + html::table(head, ref_rows);
  }
  body +=
      "<p class=\"note\">$/Mtok: TCO per million output tokens. A design is costed from "
      "its modelled silicon, built from as many dies as the reticle needs, at the TDP its "
      "sustained load draws; a reference chip at its market price. Made by chipwright "
      "explore (docs/design-space.md).</p>\n";
  return html::page("chipwright explore: " + space.base_chip.id + " design space", body);
}

}  // namespace cw
