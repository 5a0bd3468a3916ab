// HTML report pieces (report/html.hpp) and the explore and compare pages
// built from them: escaping, what a plot draws for its points, and the
// pages' contents for the shipped sf2-sweep space and the default compare.
#include "report/html.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "api/explore_report.hpp"
#include "api/workload_reports.hpp"

namespace cw {
namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(Html, EscapesMarkupAndQuotes) {
  EXPECT_EQ(html::escape("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
  const std::string page = html::page("a <b> & c", "<p>x</p>\n");
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("<title>a &lt;b&gt; &amp; c</title>"), std::string::npos);
  EXPECT_EQ(count(page, "<script"), 0u);  // nothing runs, nothing is fetched
}

TEST(Html, ScatterDrawsEveryFinitePointOnRoundTicks) {
  html::Series a{"a", "#111", 3, {{1, 10, "", "p1"}, {2, 20, "two", "p2"}, {NAN, 5, "", ""}}};
  html::Series b{"b <i>", "#222", 4, {{3, 30, "", "p3"}}};
  const std::string svg = html::scatter({a, b}, "x", "y");
  EXPECT_EQ(count(svg, "<circle"), 3u + 2u);  // three finite points and two legend marks
  EXPECT_EQ(count(svg, ">two</text>"), 1u);
  EXPECT_NE(svg.find("b &lt;i&gt; (1)"), std::string::npos);
  // x spans [1, 3]: ticks every 0.5 from 1.0 to 3.0; y spans [10, 30]: every 5.
  for (const char* tick : {">1.0<", ">1.5<", ">3.0<", ">10<", ">15<", ">30<"})
    EXPECT_NE(svg.find(tick), std::string::npos) << tick;
}

TEST(Html, ScatterOfOnePointOrNoneStillDrawsAxes) {
  const std::string one = html::scatter({{"s", "#000", 3, {{0, 0, "", ""}}}}, "x", "y");
  EXPECT_EQ(count(one, "<circle"), 2u);
  const std::string none = html::scatter({}, "x", "y");
  EXPECT_EQ(count(none, "<circle"), 0u);
  EXPECT_NE(none.find("</svg>"), std::string::npos);
}

TEST(Html, BarsScaleToTheLargestAndLeaveUnknownValuesEmpty) {
  const std::string svg = html::bars(
      "t", {{"a", 2, "#1"}, {"b", 4, "#2"}, {"c", NAN, "#3"}, {"d", -1, "#4"}}, "{:.1f}");
  EXPECT_NE(svg.find("width=\"210.0\""), std::string::npos);  // half of the 420-unit bar
  EXPECT_NE(svg.find("width=\"420.0\""), std::string::npos);
  EXPECT_EQ(count(svg, "width=\"0.0\""), 2u);
  EXPECT_NE(svg.find(">2.0</text>"), std::string::npos);
  EXPECT_NE(svg.find(">-</text>"), std::string::npos);
}

TEST(Html, ExplorePagePlotsTheFeasibleDesignsFrontAndReferences) {
  const DesignSpace space = load_design_space("sf2-sweep");
  const ExploreResult r = explore(space, ExploreOptions{1});
  const std::string page = explore_html(space, r);
  // 78 feasible designs (75 off the front, 3 on it) and 3 reference GPUs.
  EXPECT_EQ(count(page, "r=\"2.5\""), 75u);
  EXPECT_EQ(count(page, "r=\"4.5\""), 6u);
  EXPECT_NE(page.find("feasible designs (75)"), std::string::npos);
  EXPECT_NE(page.find("Pareto front (3)"), std::string::npos);
  EXPECT_NE(page.find("h200-sxm (infeasible)"), std::string::npos);
  EXPECT_NE(page.find("288 designs evaluated, 78 feasible"), std::string::npos);
  EXPECT_NE(page.find("<h2>One knob at a time from design 202</h2>"), std::string::npos);
  // Front table: a header and three rows; references: a header and three rows.
  EXPECT_EQ(count(page, "<table>"), 3u);
  EXPECT_EQ(count(page, "<tr>"), (1u + 3u) + (1u + r.sensitivity.size()) + (1u + 3u));
}

TEST(Html, ComparePageHasThreeChartsAndTheTable) {
  WorkloadArgs w;
  w.model = "llama3.1-8b";
  w.batch = 8;
  const ChipComparison c = compare_chips({"h100-sxm", "b200", "sf2-inference"}, w);
  const std::string page = compare_html(c, w);
  EXPECT_EQ(count(page, "<svg"), 3u);
  EXPECT_EQ(count(page, "<rect"), 9u);  // three bars per chart
  EXPECT_EQ(count(page, "<tr>"), 4u);
  EXPECT_NE(page.find(">sf2-inference</td>"), std::string::npos);
}

TEST(Html, EvalPageHasBothIterationsOpByOp) {
  WorkloadArgs w;
  w.model = "llama3.1-8b";
  const Evaluation e = evaluate_workload("h100-sxm", w);
  const std::string page = eval_html(e, w, workload_economics(e));
  const size_t prefill_ops = op_totals(e.result.prefill).size();
  const size_t decode_ops = op_totals(e.result.decode).size();
  EXPECT_EQ(count(page, "<svg"), 2u);
  EXPECT_EQ(count(page, "<rect"), prefill_ops + decode_ops);  // one bar per op
  // Figures (header + 7 rows) and one row per op under each iteration's header.
  EXPECT_EQ(count(page, "<tr>"), 8u + (1u + prefill_ops) + (1u + decode_ops));
  EXPECT_NE(page.find("Decode iteration at mid context, batch 16"), std::string::npos);
  EXPECT_NE(page.find(">iteration_overhead</td>"), std::string::npos);
}

}  // namespace
}  // namespace cw
