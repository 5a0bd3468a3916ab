#include "hardware/chip_loader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "../support/user_error.hpp"
#include "config/data_dir.hpp"
#include "config/file_cache.hpp"

namespace cw {
namespace {

using cw::test::error_of;
using cw::test::has;

// A small valid chip; tests replace one line to break it.
const std::string kMini = R"(id: mini
name: Mini chip
vendor: Test
die: {process: tsmc-n5, area: "100 mm2", transistors: 1e9, dies: 1}
power: {tdp: "100 W"}
matrix:
  clock: "1 GHz"
  cores: 4
  granule: {m: 8, n: 128, k: 128}
  peak:
    bf16: "100 TFLOP/s"
    fp8: "200 TFLOP/s"
vector: {flops: "10 TFLOP/s", special_function: "1 TOP/s"}
memory:
  - {name: sram, scope: core, capacity: "1 MiB", bandwidth: "20 TB/s"}
  - {name: hbm, scope: chip, type: HBM3, stacks: 2, capacity: "32 GB", bandwidth: "2 TB/s"}
links: {type: ICI, count: 4, bandwidth_per_link: "50 GB/s", latency: "2 us"}
efficiency:
  memory_bandwidth: 0.8
  kernel_launch: "1 us"
  tensor_clock: {bf16: "0.75 GHz"}
)";

ChipSpec parse(const std::string& text) {
  return parse_chip(ConfigNode::load_string(text, "mini.yaml"));
}

// kMini with the first occurrence of `from` replaced by `to`.
std::string with(const std::string& from, const std::string& to) {
  std::string s = kMini;
  auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return s.replace(pos, from.size(), to);
}

TEST(ChipLoader, EveryPresetLoadsAndIdMatchesFileStem) {
  std::vector<std::string> ids = list_chips();
  for (const char* want : {"a100-sxm", "h100-sxm", "h200-sxm", "b200", "gb200", "mi300x", "mi325x",
                           "tpu-v5e", "tpu-v5p", "tpu-v6e", "tpu7x", "gaudi3", "trainium2",
                           "groq-lpu", "sf2-inference"}) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), want), ids.end()) << "missing preset " << want;
  }
  for (const auto& id : ids) {
    SCOPED_TRACE(id);
    ChipSpec c = load_chip(id);
    EXPECT_EQ(c.id, id);
    EXPECT_FALSE(c.memory.empty());
    EXPECT_GT(c.peak_flops(Dtype::bf16) + c.peak_flops(Dtype::fp16), 0);
    // Every preset carries measured-or-assumed efficiency constants (DESIGN.md principle 1).
    EXPECT_LT(c.efficiency.memory_bandwidth, 1.0);
    EXPECT_GT(c.efficiency.kernel_launch, 0);
    // Systolic-array chips (granule m <= 8): the 16-bit peak is one MAC per array cell per
    // clock, 2 x n x k FLOP per core per clock at `clock`, which checks the derived clocks.
    if (c.matrix.granule_m <= 8) {
      double peak16 = std::max(c.peak_flops(Dtype::bf16), c.peak_flops(Dtype::fp16));
      double per_cell = peak16 / (c.matrix.cores * c.matrix.clock_hz * 2.0 * c.matrix.granule_n *
                                  c.matrix.granule_k);
      EXPECT_NEAR(per_cell, 1.0, 0.03);
    }
  }
}

TEST(ChipLoader, H100PublishedValues) {
  ChipSpec c = load_chip("h100-sxm");
  EXPECT_EQ(c.vendor, "NVIDIA");
  EXPECT_DOUBLE_EQ(c.peak_flops(Dtype::bf16), 989.4e12);
  EXPECT_DOUBLE_EQ(c.peak_flops(Dtype::fp8), 1978.9e12);
  EXPECT_FALSE(c.supports(Dtype::fp4));
  EXPECT_DOUBLE_EQ(c.main_memory().bandwidth, 3.35e12);
  EXPECT_DOUBLE_EQ(c.main_memory().capacity, 80e9);
  EXPECT_EQ(c.main_memory().type, "HBM3");
  EXPECT_EQ(c.main_memory().stacks, 5);
  EXPECT_FALSE(c.weights_in_sram());
  EXPECT_EQ(c.matrix.cores, 132);
  EXPECT_DOUBLE_EQ(c.matrix.clock_hz, 1.83e9);
  EXPECT_EQ(c.matrix.granule_m, 64);
  EXPECT_EQ(c.matrix.cluster, 2);  // TMA multicast in 2x1x1 clusters
  EXPECT_DOUBLE_EQ(c.efficiency.kernel_launch, 4.5e-6);
  EXPECT_TRUE(c.memory.front().per_core);
  EXPECT_DOUBLE_EQ(c.memory.front().capacity, 228.0 * 1024);
  EXPECT_DOUBLE_EQ(c.power.tdp, 700);
  EXPECT_DOUBLE_EQ(c.die.area_mm2, 814);
  EXPECT_DOUBLE_EQ(c.efficiency.memory_bandwidth, 0.867);
  // 18 links x 25 GB/s each way = 450 GB/s each way [SB-GPU].
  EXPECT_DOUBLE_EQ(c.links.count * c.links.bandwidth_per_link, 450e9);
  EXPECT_NE(c.source_file.find("h100-sxm.yaml"), std::string::npos);
}

TEST(ChipLoader, OtherPublishedValues) {
  ChipSpec a = load_chip("a100-sxm");
  EXPECT_DOUBLE_EQ(a.peak_flops(Dtype::bf16), 312e12);
  EXPECT_FALSE(a.supports(Dtype::fp8));
  EXPECT_DOUBLE_EQ(a.main_memory().bandwidth, 2.039e12);

  ChipSpec h200 = load_chip("h200-sxm");
  EXPECT_DOUBLE_EQ(h200.main_memory().capacity, 141e9);
  EXPECT_DOUBLE_EQ(h200.main_memory().bandwidth, 4.8e12);

  ChipSpec mi = load_chip("mi300x");
  EXPECT_DOUBLE_EQ(mi.main_memory().bandwidth, 5.3e12);
  EXPECT_DOUBLE_EQ(mi.main_memory().capacity, 192e9);
  EXPECT_DOUBLE_EQ(mi.peak_flops(Dtype::bf16), 1307.4e12);
  EXPECT_EQ(mi.matrix.cores, 304);
  EXPECT_FALSE(mi.supports(Dtype::fp4));

  ChipSpec b = load_chip("b200");
  EXPECT_DOUBLE_EQ(b.peak_flops(Dtype::fp4), 9e15);
  EXPECT_DOUBLE_EQ(b.peak_flops(Dtype::bf16), 2.25e15);

  ChipSpec gb = load_chip("gb200");
  EXPECT_DOUBLE_EQ(gb.peak_flops(Dtype::fp4), 10e15);
  EXPECT_DOUBLE_EQ(gb.main_memory().bandwidth, 8.0e12);
  EXPECT_NEAR(gb.achievable_memory_bandwidth(), 7.35e12, 0.01e12);  // [AZ-BLOG] BabelStream

  ChipSpec v6e = load_chip("tpu-v6e");
  EXPECT_DOUBLE_EQ(v6e.peak_flops(Dtype::fp8), 918e12);
  EXPECT_EQ(v6e.matrix.granule_n, 256);
}

TEST(ChipLoader, GroqKeepsWeightsInSram) {
  ChipSpec g = load_chip("groq-lpu");
  EXPECT_TRUE(g.weights_in_sram());
  EXPECT_TRUE(g.main_memory().type.empty());
  EXPECT_DOUBLE_EQ(g.main_memory().capacity, 230e6);
  EXPECT_DOUBLE_EQ(g.main_memory().bandwidth, 80e12);
}

TEST(ChipLoader, Sf2InferenceIsSamsungSf2) {
  ChipSpec c = load_chip("sf2-inference");
  EXPECT_EQ(c.die.process, "samsung-sf2");
  EXPECT_TRUE(c.supports(Dtype::fp4));
  EXPECT_DOUBLE_EQ(c.peak_flops(Dtype::fp4), 2 * c.peak_flops(Dtype::fp8));
  EXPECT_EQ(c.die.dies, 2);                        // two chiplets
  EXPECT_LE(c.die.area_mm2 / c.die.dies, 858);     // each within the 26 x 33 mm reticle
}

TEST(ChipLoader, LoadsByPath) {
  ChipSpec c = load_chip((data_dir() / "chips" / "mi300x.yaml").string());
  EXPECT_EQ(c.id, "mi300x");
}

TEST(ChipLoader, SustainedFlopsAndAchievableBandwidth) {
  ChipSpec c = parse(kMini);
  EXPECT_EQ(c.source_file, "mini.yaml");
  // bf16 runs at 0.75 of the 1 GHz quoted clock: 100 TF x 0.75.
  EXPECT_DOUBLE_EQ(c.sustained_flops(Dtype::bf16), 75e12);
  // fp8 has no tensor_clock line: full peak.
  EXPECT_DOUBLE_EQ(c.sustained_flops(Dtype::fp8), 200e12);
  EXPECT_DOUBLE_EQ(c.sustained_flops(Dtype::fp4), 0);
  // 2 TB/s x 0.8.
  EXPECT_DOUBLE_EQ(c.achievable_memory_bandwidth(), 1.6e12);
  EXPECT_DOUBLE_EQ(c.efficiency.kernel_launch, 1e-6);
  EXPECT_DOUBLE_EQ(c.memory[0].capacity, 1048576);
  EXPECT_TRUE(c.memory[0].per_core);
  EXPECT_EQ(c.matrix.granule_n, 128);
  EXPECT_DOUBLE_EQ(c.links.latency, 2e-6);
}

TEST(ChipLoader, MatrixClusterIsOptionalAndBounded) {
  EXPECT_EQ(parse(kMini).matrix.cluster, 1);  // omitted: no operand sharing
  EXPECT_EQ(parse(with("  cores: 4\n", "  cores: 4\n  cluster: 2\n")).matrix.cluster, 2);
  EXPECT_EQ(parse(with("  cores: 4\n", "  cores: 4\n  cluster: 4\n")).matrix.cluster, 4);
  for (const char* bad : {"  cluster: 0\n", "  cluster: 5\n", "  cluster: -1\n"}) {
    std::string msg =
        error_of([&] { parse(with("  cores: 4\n", std::string("  cores: 4\n") + bad)); });
    EXPECT_TRUE(has(msg, "mini.yaml:9:")) << msg;
    EXPECT_TRUE(has(msg, "matrix.cluster")) << msg;
    EXPECT_TRUE(has(msg, "must be a whole number from 1 to 4")) << msg;
    EXPECT_TRUE(has(msg, "e.g. cluster: 2")) << msg;
  }
  // Presets: the Hopper and Blackwell GPUs share operand loads in pairs; the rest do not.
  for (const char* id : {"h100-sxm", "h200-sxm", "b200", "gb200"}) {
    EXPECT_EQ(load_chip(id).matrix.cluster, 2) << id;
  }
  for (const char* id : {"a100-sxm", "mi300x", "tpu-v5e"}) {
    EXPECT_EQ(load_chip(id).matrix.cluster, 1) << id;
  }
}

TEST(ChipLoader, OptionalSectionsDefault) {
  std::string s = kMini.substr(0, kMini.find("links:"));
  ChipSpec c = parse(s);
  EXPECT_EQ(c.links.count, 0);
  EXPECT_DOUBLE_EQ(c.efficiency.memory_bandwidth, 1.0);
  EXPECT_DOUBLE_EQ(c.achievable_memory_bandwidth(), 2e12);
}

TEST(ChipLoader, UnknownKeyHasLocationAndDidYouMean) {
  std::string msg = error_of([] { parse(with("  cores: 4", "  coers: 4")); });
  EXPECT_TRUE(has(msg, "mini.yaml:8:3")) << msg;
  EXPECT_TRUE(has(msg, "matrix.coers")) << msg;
  EXPECT_TRUE(has(msg, "unknown key")) << msg;
  EXPECT_TRUE(has(msg, "did you mean 'cores'?")) << msg;
}

TEST(ChipLoader, UnknownKeyInMemoryLevel) {
  std::string msg = error_of([] { parse(with("capacity: \"32 GB\"", "capacty: \"32 GB\"")); });
  EXPECT_TRUE(has(msg, "mini.yaml:16:")) << msg;
  EXPECT_TRUE(has(msg, "memory[1].capacty")) << msg;
  EXPECT_TRUE(has(msg, "did you mean 'capacity'?")) << msg;
}

TEST(ChipLoader, MissingRequiredKeyIsNamed) {
  std::string msg = error_of([] { parse(with("  clock: \"1 GHz\"\n", "")); });
  EXPECT_TRUE(has(msg, "mini.yaml:7")) << msg;
  EXPECT_TRUE(has(msg, "matrix.clock")) << msg;
  EXPECT_TRUE(has(msg, "required key is missing")) << msg;
}

TEST(ChipLoader, BandwidthWithoutPerSecondIsRejected) {
  std::string msg = error_of([] { parse(with("bandwidth: \"2 TB/s\"", "bandwidth: \"3.35 TB\"")); });
  EXPECT_TRUE(has(msg, "mini.yaml:16:")) << msg;
  EXPECT_TRUE(has(msg, "memory[1].bandwidth")) << msg;
  EXPECT_TRUE(has(msg, "expected a bandwidth such as \"3.35 TB/s\"")) << msg;
}

TEST(ChipLoader, UnknownDtypeListsValidOnes) {
  std::string msg = error_of([] { parse(with("    fp8:", "    fp9:")); });
  EXPECT_TRUE(has(msg, "mini.yaml:12:")) << msg;
  EXPECT_TRUE(has(msg, "unknown dtype 'fp9'")) << msg;
  EXPECT_TRUE(has(msg, "valid dtypes: fp32, tf32, bf16, fp16, fp8, int8, fp4, int4")) << msg;
}

TEST(ChipLoader, DtypeAliasIsRejectedWithCanonicalName) {
  std::string msg = error_of([] { parse(with("    bf16:", "    bfloat16:")); });
  EXPECT_TRUE(has(msg, "write it as 'bf16'")) << msg;
}

TEST(ChipLoader, ZeroOrNegativeCoresRejected) {
  for (const char* bad : {"  cores: 0", "  cores: -3"}) {
    std::string msg = error_of([&] { parse(with("  cores: 4", bad)); });
    EXPECT_TRUE(has(msg, "mini.yaml:8:")) << msg;
    EXPECT_TRUE(has(msg, "matrix.cores")) << msg;
    EXPECT_TRUE(has(msg, "must be a whole number from 1")) << msg;
    EXPECT_TRUE(has(msg, "e.g. cores: 132")) << msg;
  }
}

TEST(ChipLoader, SanityChecks) {
  EXPECT_TRUE(has(error_of([] { parse(with("memory_bandwidth: 0.8", "memory_bandwidth: 1.2")); }),
                  "must be a fraction in (0, 1]"));
  EXPECT_TRUE(has(error_of([] { parse(with("memory_bandwidth: 0.8", "memory_bandwidth: 0")); }),
                  "efficiency.memory_bandwidth"));
  EXPECT_TRUE(has(error_of([] { parse(with("bf16: \"100 TFLOP/s\"", "bf16: \"0 TFLOP/s\"")); }),
                  "must be greater than zero"));
  EXPECT_TRUE(has(error_of([] { parse(with("bandwidth: \"20 TB/s\"", "bandwidth: \"0 TB/s\"")); }),
                  "memory[0].bandwidth"));
  EXPECT_TRUE(has(error_of([] { parse(with("scope: chip", "scope: core")); }),
                  "main memory and must have scope 'chip'"));
  EXPECT_TRUE(has(error_of([] { parse(with("scope: core", "scope: sm")); }),
                  "must be 'core' or 'chip'"));
  EXPECT_TRUE(has(error_of([] { parse(with("name: hbm", "name: sram")); }),
                  "duplicate memory level name"));
  EXPECT_TRUE(has(error_of([] { parse(with("{bf16: \"0.75 GHz\"}", "{bf16: \"1.2 GHz\"}")); }),
                  "exceeds matrix.clock"));
  EXPECT_TRUE(has(error_of([] { parse(with("{bf16: \"0.75 GHz\"}", "{fp4: \"0.75 GHz\"}")); }),
                  "has no matrix.peak entry"));
  std::string empty_mem = kMini.substr(0, kMini.find("memory:")) + "memory: []\n";
  EXPECT_TRUE(has(error_of([&] { parse(empty_mem); }), "needs at least one memory level"));
  EXPECT_TRUE(has(error_of([] { parse("[1, 2]"); }), "expected a mapping"));
  EXPECT_TRUE(has(error_of([] { parse(""); }), "expected a mapping"));
}

TEST(ChipLoader, UnknownPresetIdSuggestsClosest) {
  std::string msg = error_of([] { load_chip("h100-sx"); });
  EXPECT_TRUE(has(msg, "unknown chip 'h100-sx'")) << msg;
  EXPECT_TRUE(has(msg, "did you mean 'h100-sxm'?")) << msg;
}

TEST(ChipLoader, NonexistentPathIsNamed) {
  std::string msg = error_of([] { load_chip("/nonexistent/dir/chip.yaml"); });
  EXPECT_TRUE(has(msg, "/nonexistent/dir/chip.yaml")) << msg;
  EXPECT_TRUE(has(msg, "chip file not found")) << msg;
}

TEST(ChipLoader, ErrorInFileNamesThatFile) {
  auto path = std::filesystem::temp_directory_path() / "chipwright_chip_loader_test_bad.yaml";
  {
    std::ofstream out(path);
    out << with("vendor: Test", "vendr: Test");
  }
  std::string msg = error_of([&] { load_chip(path.string()); });
  std::filesystem::remove(path);
  EXPECT_TRUE(has(msg, path.string() + ":3:1")) << msg;
  EXPECT_TRUE(has(msg, "did you mean 'vendor'?")) << msg;
}

// Loaded chips are memoised by path and content (config/file_cache.hpp): a
// file rewritten at once, within one timestamp tick, is read again.
TEST(ChipLoader, RewrittenFileIsReadAgainAtOnce) {
  std::ifstream in(data_dir() / "chips" / "h100-sxm.yaml");
  std::stringstream text;
  text << in.rdbuf();
  const std::string path = testing::TempDir() + "rewritten_chip.yaml";
  std::string yaml = text.str();
  for (const char* tdp : {"700 W", "650 W", "700 W", "900 W"}) {
    const std::string::size_type at = yaml.find("tdp: \"");
    ASSERT_NE(at, std::string::npos);
    yaml.replace(at + 6, yaml.find('"', at + 6) - (at + 6), tdp);
    std::ofstream(path, std::ios::trunc) << yaml;
    EXPECT_DOUBLE_EQ(load_chip(path).power.tdp, std::stod(tdp)) << tdp;
  }
}

// Past config/file_cache.hpp's bound (a sweep that writes a chip file per
// design) every file still loads as written, the first ones included.
TEST(ChipLoader, ManyFilesStayCorrectPastTheCacheBound) {
  std::ifstream in(data_dir() / "chips" / "h100-sxm.yaml");
  std::stringstream text;
  text << in.rdbuf();
  const std::string yaml = text.str();
  const std::string::size_type at = yaml.find("tdp: \"") + 6;
  const std::string::size_type end = yaml.find('"', at);
  auto path = [](int i) { return testing::TempDir() + "bounded_" + std::to_string(i) + ".yaml"; };
  const int files = static_cast<int>(kMaxCachedFiles) + 44;
  for (int i = 0; i < files; ++i) {
    std::string y = yaml;
    y.replace(at, end - at, std::to_string(400 + i) + " W");
    std::ofstream(path(i), std::ios::trunc) << y;
  }
  for (int pass = 0; pass < 2; ++pass)
    for (int i = 0; i < files; i += 37) EXPECT_DOUBLE_EQ(load_chip(path(i)).power.tdp, 400 + i);
}

}  // namespace
}  // namespace cw
