#include "api/explore_report.hpp"

#include <fmt/core.h>

#include <sstream>

#include "config/data_dir.hpp"

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
      knobs[space.knobs[k].name] = space.knobs[k].values[static_cast<size_t>(d.values[k])].label;
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
    out.push_back({{"name", w.name},
                   {"model", w.model_id},
                   {"precision", w.precision_id},
                   {"batch", w.run.batch},
                   {"input", w.run.input},
                   {"output", w.run.output},
                   {"tp", w.tp > 0 ? nlohmann::json(w.tp) : nlohmann::json("auto")},
                   {"weight", w.weight}});
  }
  return out;
}

}  // namespace

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
    for (size_t j = 0; j < space.knobs.size(); ++j)
      o << ',' << space.knobs[j].values[static_cast<size_t>(d.values[j])].label;
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
    steps.push_back({{"knob", k.name},
                     {"from", k.values[static_cast<size_t>(st.from)].label},
                     {"to", k.values[static_cast<size_t>(st.to)].label},
                     {"result", d}});
  }
  j["sensitivity"] = steps;
  return j;
}

}  // namespace cw
