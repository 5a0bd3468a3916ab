#include <gtest/gtest.h>

#include "../support/user_error.hpp"

#include <functional>
#include <set>

#include "hardware/chip_loader.hpp"
#include "silicon/process_node.hpp"

namespace cw {
namespace {

using cw::test::error_of;
using cw::test::has;

TEST(NodeLoader, ShipsTheEightNodesOfIssue5) {
  const std::vector<std::string> want = {"samsung-sf2", "samsung-sf3", "samsung-sf4", "tsmc-n2",
                                         "tsmc-n3e",    "tsmc-n4",     "tsmc-n5",     "tsmc-n7"};
  EXPECT_EQ(list_nodes(), want);
  for (const auto& id : want) {
    ProcessNode n = load_node(id);
    EXPECT_EQ(n.id, id);
    EXPECT_GT(n.logic_density, 50) << id;
    EXPECT_GT(n.sram_mm2_per_mib, 0.1) << id;
    EXPECT_GT(n.wafer_price, 5000) << id;
    EXPECT_GT(n.defect_density, 0) << id;
    EXPECT_DOUBLE_EQ(n.reticle_mm2, 858) << id;  // 26 x 33 mm (silicon.md §1.7)
  }
}

TEST(NodeLoader, NewerNodesAreDenserAndUseLessEnergy) {
  const char* tsmc[] = {"tsmc-n7", "tsmc-n5", "tsmc-n4", "tsmc-n3e", "tsmc-n2"};
  for (int i = 1; i < 5; ++i) {
    ProcessNode older = load_node(tsmc[i - 1]), newer = load_node(tsmc[i]);
    EXPECT_GT(newer.logic_density, older.logic_density) << tsmc[i];
    EXPECT_LT(newer.energy_scale, older.energy_scale) << tsmc[i];
    EXPECT_LE(newer.sram_mm2_per_mib, older.sram_mm2_per_mib) << tsmc[i];
  }
  EXPECT_LT(load_node("samsung-sf4").logic_density, load_node("samsung-sf3").logic_density);
  EXPECT_LT(load_node("samsung-sf3").logic_density, load_node("samsung-sf2").logic_density);
  EXPECT_DOUBLE_EQ(load_node("tsmc-n7").energy_scale, 1.0);  // the reference node
}

TEST(NodeLoader, ChipProcessNamesResolveThroughAliases) {
  EXPECT_EQ(load_node("tsmc-4n").id, "tsmc-n4");
  EXPECT_EQ(load_node("tsmc-4np").id, "tsmc-n4");
  EXPECT_EQ(load_node("TSMC-4NP").id, "tsmc-n4");
  EXPECT_EQ(load_node("sf2").id, "samsung-sf2");
  EXPECT_EQ(load_node("n3").id, "tsmc-n3e");
  // Every chip preset names a node we ship, or says it has none.
  const std::set<std::string> without_node = {"unknown", "gf-14nm"};
  for (const auto& id : list_chips()) {
    ChipSpec c = load_chip(id);
    if (without_node.count(c.die.process)) continue;
    EXPECT_NO_THROW(node_for_process(c.die.process, c.id)) << id << " " << c.die.process;
  }
}

TEST(NodeLoader, UnknownIdSuggestsTheClosest) {
  std::string m = error_of([] { load_node("tmsc-n7"); });
  EXPECT_TRUE(has(m, "unknown process node 'tmsc-n7'")) << m;
  EXPECT_TRUE(has(m, "did you mean 'tsmc-n7'")) << m;
}

TEST(NodeLoader, ChipWithoutProcessAsksForANode) {
  std::string m = error_of([] { node_for_process("unknown", "tpu-v5e"); });
  EXPECT_TRUE(has(m, "tpu-v5e")) << m;
  EXPECT_TRUE(has(m, "--node")) << m;
  m = error_of([] { node_for_process("gf-14nm", "groq-lpu"); });
  EXPECT_TRUE(has(m, "groq-lpu")) << m;
  EXPECT_TRUE(has(m, "--node")) << m;
}

const std::string kNode = R"(name: Test node
foundry: TSMC
logic_density: 100
sram_area_per_mib: "0.4 mm2"
energy_scale: 0.9
leakage_w_per_mm2: 0.05
wafer_price: "$10000"
defect_density: 0.1
reticle: "858 mm2"
)";

ProcessNode parse(const std::string& text) {
  return parse_node(ConfigNode::load_string(text, "node.yaml"));
}

TEST(NodeYaml, ParsesAMinimalFile) {
  ProcessNode n = parse(kNode);
  EXPECT_EQ(n.id, "node");  // file stem
  EXPECT_DOUBLE_EQ(n.sram_mm2_per_mib, 0.4);
  EXPECT_DOUBLE_EQ(n.wafer_price, 10000);
  EXPECT_DOUBLE_EQ(n.wafer_diameter_mm, 300);
  EXPECT_DOUBLE_EQ(n.logic_area_from_n7(96.3), 96.3 * 96.3 / 100);
}

TEST(NodeYaml, UnknownKeyNamesFileLineAndSuggests) {
  std::string m = error_of([] { parse(kNode + "logic_densty: 5\n"); });
  EXPECT_TRUE(has(m, "node.yaml:10:")) << m;
  EXPECT_TRUE(has(m, "logic_densty")) << m;
  EXPECT_TRUE(has(m, "did you mean 'logic_density'")) << m;
}

TEST(NodeYaml, MissingKeyNamesFileAndKey) {
  std::string text = kNode;
  text.erase(text.find("wafer_price"), std::string("wafer_price: \"$10000\"\n").size());
  std::string m = error_of([&] { parse(text); });
  EXPECT_TRUE(has(m, "node.yaml:1:")) << m;
  EXPECT_TRUE(has(m, "wafer_price")) << m;
  EXPECT_TRUE(has(m, "missing")) << m;
}

TEST(NodeYaml, RejectsOutOfRangeValues) {
  std::string text = kNode;
  text.replace(text.find("defect_density: 0.1"), 19, "defect_density: -1");
  std::string m = error_of([&] { parse(text); });
  EXPECT_TRUE(has(m, "node.yaml:8:")) << m;
  EXPECT_TRUE(has(m, "defect_density")) << m;
}

}  // namespace
}  // namespace cw
