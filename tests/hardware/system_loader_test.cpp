#include "hardware/system_loader.hpp"

#include <gtest/gtest.h>

#include "../support/user_error.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include "hardware/chip_loader.hpp"

namespace cw {
namespace {

using cw::test::error_of;
using cw::test::has;

// A small valid system on a preset chip; tests replace one line to break it.
const std::string kMini = R"(id: mini
name: Mini system
chip: h100-sxm
count: 16
scale_up:
  topology: switch
  domain: 8
  links: 18
  efficiency: 0.8
  in_switch_reduction: {efficiency: 0.7}
scale_out:
  type: InfiniBand
  bandwidth: "400 Gb/s"
  latency: "5 us"
  efficiency: 0.9
  max_nodes: 4
)";

SystemSpec parse(const std::string& text) {
  return parse_system(ConfigNode::load_string(text, "mini.yaml"));
}

std::string with(const std::string& from, const std::string& to) {
  std::string s = kMini;
  auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return s.replace(pos, from.size(), to);
}

TEST(SystemLoader, MiniParses) {
  SystemSpec s = parse(kMini);
  EXPECT_EQ(s.id, "mini");
  EXPECT_EQ(s.chip.id, "h100-sxm");
  EXPECT_EQ(s.count, 16);
  EXPECT_EQ(s.nodes(), 2);
  EXPECT_EQ(s.chips_per_node(), 8);
  EXPECT_EQ(s.max_count(), 32);
  EXPECT_EQ(s.scale_up.topology, Topology::switched);
  EXPECT_DOUBLE_EQ(s.scale_up_bandwidth(), 18 * 25e9);  // 18 NVLink4 links x 25 GB/s each way
  EXPECT_DOUBLE_EQ(s.scale_up.latency, 1e-6);           // inherited from the chip's links
  EXPECT_DOUBLE_EQ(s.scale_up.in_switch_efficiency, 0.7);
  EXPECT_DOUBLE_EQ(s.scale_out.bandwidth, 50e9);  // 400 Gb/s = 50 GB/s
  EXPECT_DOUBLE_EQ(s.scale_out.latency, 5e-6);
}

TEST(SystemLoader, EveryPresetLoadsAndIdMatchesFileStem) {
  std::vector<std::string> ids = list_systems();
  for (const char* want :
       {"a100-x8", "hgx-h100x8", "hgx-h200x8", "hgx-b200x8", "gb200-nvl72", "gb200-nvl72-x4",
        "mi300x-x8", "mi325x-x8", "tpu-v5e-2x4", "tpu-v5p-2x2x2", "tpu-v6e-2x4", "tpu7x-2x2x2",
        "gaudi3-x8", "trn2-x16", "groq-rack", "sf2-inference-x16"}) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), want), ids.end()) << "missing preset " << want;
  }
  std::set<std::string> standard_chips;
  for (const auto& id : ids) {
    SCOPED_TRACE(id);
    SystemSpec s = load_system(id);
    EXPECT_EQ(s.id, id);
    EXPECT_GT(s.scale_up_bandwidth(), 0);
    EXPECT_LE(s.count, s.max_count());
    // Efficiencies are measured or assumed below the raw link rate (DESIGN.md principle 1).
    EXPECT_LT(s.scale_up.efficiency, 1.0);
    if (s.standard) {
      EXPECT_TRUE(standard_chips.insert(s.chip.id).second) << "two standard systems";
    }
  }
}

TEST(SystemLoader, EveryChipPresetHasAStandardSystem) {
  for (const auto& chip : list_chips()) {
    SCOPED_TRACE(chip);
    SystemSpec s = standard_system(chip, 1);
    EXPECT_EQ(s.chip.id, chip);
    EXPECT_EQ(s.count, 1);
  }
}

TEST(SystemLoader, SixteenH100SpanTwoHgxNodes) {
  SystemSpec s = standard_system("h100-sxm", 16);
  EXPECT_EQ(s.id, "hgx-h100x8");
  EXPECT_EQ(s.nodes(), 2);
  EXPECT_EQ(s.chips_per_node(), 8);
  EXPECT_DOUBLE_EQ(s.scale_out.bandwidth, 50e9);  // one 400 Gb/s NIC per GPU
  EXPECT_EQ(standard_system("h100-sxm", 4).nodes(), 1);
}

TEST(SystemLoader, Gb200CountUpTo72IsAPartitionOfTheRack) {
  SystemSpec s = standard_system("gb200", 4);
  EXPECT_EQ(s.id, "gb200-nvl72");
  EXPECT_EQ(s.nodes(), 1);
  EXPECT_EQ(s.scale_up.domain, 72);
  EXPECT_EQ(standard_system("gb200", 72).nodes(), 1);
  EXPECT_EQ(standard_system("gb200", 144).nodes(), 2);
  SystemSpec part = load_system("gb200-nvl72-x4");
  EXPECT_EQ(part.count, 4);
  EXPECT_EQ(part.nodes(), 1);
}

TEST(SystemLoader, TpuCountsBecomeTorusSlices) {
  EXPECT_EQ(standard_system("tpu-v5e", 8).scale_up.dims, (std::vector<int>{2, 4}));
  EXPECT_EQ(standard_system("tpu-v5e", 32).scale_up.dims, (std::vector<int>{4, 8}));
  EXPECT_EQ(standard_system("tpu-v5e", 256).scale_up.dims, (std::vector<int>{16, 16}));
  EXPECT_EQ(standard_system("tpu-v5p", 16).scale_up.dims, (std::vector<int>{2, 2, 4}));
  EXPECT_EQ(standard_system("tpu-v5p", 64).scale_up.dims, (std::vector<int>{4, 4, 4}));
  EXPECT_EQ(load_system("trn2-x16").scale_up.dims, (std::vector<int>{4, 4}));
}

TEST(SystemLoader, TorusShapeAndWraparound) {
  EXPECT_EQ(torus_shape(1, {16, 16}), (std::vector<int>{1, 1}));
  EXPECT_EQ(torus_shape(2, {16, 16}), (std::vector<int>{1, 2}));
  EXPECT_EQ(torus_shape(128, {16, 16}), (std::vector<int>{8, 16}));
  EXPECT_EQ(torus_shape(32, {16, 20, 28}), (std::vector<int>{2, 4, 4}));
  EXPECT_TRUE(torus_shape(512, {16, 16}).empty());  // bigger than the pod
  EXPECT_TRUE(torus_shape(17, {16, 16}).empty());   // 17 is prime and > 16
  EXPECT_TRUE(axis_wraps(16, 16));
  EXPECT_FALSE(axis_wraps(8, 16));
  EXPECT_TRUE(axis_wraps(4, 4));
  EXPECT_TRUE(axis_wraps(8, 4));
  EXPECT_FALSE(axis_wraps(2, 4));
  EXPECT_FALSE(axis_wraps(2, 1));  // two chips: one link either way, no ring
  EXPECT_FALSE(axis_wraps(8, 0));
}

TEST(SystemLoader, UnknownKeySuggestsClosest) {
  std::string msg = error_of([] { parse(with("  efficiency: 0.8", "  efficency: 0.8")); });
  EXPECT_TRUE(has(msg, "mini.yaml:9:")) << msg;
  EXPECT_TRUE(has(msg, "scale_up.efficency")) << msg;
  EXPECT_TRUE(has(msg, "unknown key")) << msg;
  EXPECT_TRUE(has(msg, "did you mean 'efficiency'")) << msg;
}

TEST(SystemLoader, MissingKeyIsNamed) {
  std::string msg = error_of([] { parse(with("  domain: 8\n", "")); });
  EXPECT_TRUE(has(msg, "scale_up.domain")) << msg;
  EXPECT_TRUE(has(msg, "required key is missing")) << msg;
  msg = error_of([] { parse(with("chip: h100-sxm\n", "")); });
  EXPECT_TRUE(has(msg, "chip")) << msg;
  EXPECT_TRUE(has(msg, "required key is missing")) << msg;
}

TEST(SystemLoader, UnknownTopologySuggestsClosest) {
  std::string msg = error_of([] { parse(with("topology: switch", "topology: swich")); });
  EXPECT_TRUE(has(msg, "mini.yaml:6:")) << msg;
  EXPECT_TRUE(has(msg, "unknown topology 'swich'")) << msg;
  EXPECT_TRUE(has(msg, "did you mean 'switch'")) << msg;
}

TEST(SystemLoader, CountLargerThanThePlatformIsRejected) {
  // In a file: 40 chips > 4 nodes x 8.
  std::string msg = error_of([] { parse(with("count: 16", "count: 40")); });
  EXPECT_TRUE(has(msg, "mini.yaml:4:")) << msg;
  EXPECT_TRUE(has(
      msg,
      "40 chips is more than system 'mini' (h100-sxm) supports: at most 4 domains of 8 = 32 chips"))
      << msg;
  // Not whole domains.
  msg = error_of([] { standard_system("h100-sxm", 12); });
  EXPECT_TRUE(has(msg, "12 chips do not fill whole 8-chip domains")) << msg;
  EXPECT_TRUE(has(msg, "use at most 8 or a multiple of it")) << msg;
  // No scale-out: a TPU v5e slice ends at its 256-chip pod.
  msg = error_of([] { standard_system("tpu-v5e", 512); });
  EXPECT_TRUE(has(msg, "512 chips is more than system 'tpu-v5e-2x4' (tpu-v5e) supports")) << msg;
  EXPECT_TRUE(has(msg, "use at most 256")) << msg;
  msg = error_of([] { standard_system("tpu-v5e", 17); });
  EXPECT_TRUE(has(msg, "no slice of 17 chips fits")) << msg;
  msg = error_of([] { standard_system("h100-sxm", 0); });
  EXPECT_TRUE(has(msg, "at least 1 chip")) << msg;
}

TEST(SystemLoader, SanityChecks) {
  EXPECT_TRUE(has(error_of([] { parse(with("links: 18", "links: 19")); }),
                  "at most the chip's links.count (18)"));
  EXPECT_TRUE(has(error_of([] { parse(with("efficiency: 0.8", "efficiency: 1.5")); }),
                  "must be a fraction in (0, 1]"));
  EXPECT_TRUE(has(error_of([] { parse(with("topology: switch", "topology: full_mesh")); }),
                  "in_switch_reduction"));  // NVLS needs a switch
  EXPECT_TRUE(has(error_of([] { parse(with("topology: switch", "topology: torus")); }),
                  "scale_up.pod"));  // a torus needs its pod dims
  EXPECT_TRUE(has(error_of([] { parse(with("  domain: 8\n", "  domain: 8\n  pod: [2, 4]\n")); }),
                  "only applies to topology 'torus'"));
  EXPECT_TRUE(has(error_of([] { parse(with("chip: h100-sxm", "chip: h100-sx")); }),
                  "did you mean 'h100-sxm'"));
}

TEST(SystemLoader, UnknownPresetAndChipWithoutStandardSystem) {
  EXPECT_TRUE(has(error_of([] { load_system("hgx-h100x9"); }), "did you mean 'hgx-h100x8'"));
  EXPECT_TRUE(has(error_of([] { standard_system("h100-sx", 8); }), "did you mean 'h100-sxm'"));
}

TEST(SystemLoader, CustomChipGetsPresetPlatformOrGenericDomain) {
  // A preset id keeps its platform but uses this chip's links.
  ChipSpec fast = load_chip("h100-sxm");
  fast.links.bandwidth_per_link *= 2;
  SystemSpec s = standard_system(fast, 8);
  EXPECT_EQ(s.id, "hgx-h100x8");
  EXPECT_DOUBLE_EQ(s.scale_up_bandwidth(), 18 * 50e9);
  // An unknown id: one switched domain of `count` chips at its own links.
  ChipSpec mine = load_chip("h100-sxm");
  mine.id = "my-chip";
  SystemSpec g = standard_system(mine, 32);
  EXPECT_EQ(g.nodes(), 1);
  EXPECT_EQ(g.scale_up.domain, 32);
  EXPECT_EQ(g.scale_up.topology, Topology::switched);
  EXPECT_DOUBLE_EQ(g.scale_up.efficiency, kGenericLinkEfficiency);
  mine.links.count = 0;
  EXPECT_TRUE(has(error_of([&] { standard_system(mine, 2); }), "has no links"));
  EXPECT_EQ(standard_system(mine, 1).count, 1);
}

}  // namespace
}  // namespace cw
