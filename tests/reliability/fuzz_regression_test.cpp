// Replays every input the fuzzers (fuzz/, scripts/fuzz.sh) found crashing
// chipwright, kept in tests/data/fuzz-regressions/<target>/: each must now
// parse or be refused with a cw::UserError, never crash or throw anything else.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "../../fuzz/fuzz_parsers.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kRegressions = fs::path(CHIPWRIGHT_TEST_DIR) / "data" / "fuzz-regressions";
const fs::path kSeeds = fs::path(CHIPWRIGHT_TEST_DIR) / ".." / "fuzz" / "corpus";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class FuzzRegression : public testing::TestWithParam<cw::fuzz::Target> {};

// Replays every file of `dir` through the target's parser; returns how many.
int replay(const cw::fuzz::Target& t, const fs::path& dir) {
  int replayed = 0;
  if (!fs::exists(dir)) return 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    SCOPED_TRACE(e.path().string());
    try {
      t.parse(read(e.path()));
    } catch (const cw::UserError& err) {
      EXPECT_FALSE(std::string(err.what()).empty());
    } catch (const std::exception& err) {
      ADD_FAILURE() << "escaped as " << typeid(err).name() << ": " << err.what();
    }
    ++replayed;
  }
  return replayed;
}

TEST_P(FuzzRegression, EveryKeptInputParsesOrIsAUserError) {
  replay(GetParam(), kRegressions / GetParam().name);
}

// The seeds (fuzz/corpus/<target>/) too: every target has some, so each
// parser is exercised here even where no crash was ever kept.
TEST_P(FuzzRegression, EverySeedParsesOrIsAUserError) {
  EXPECT_GT(replay(GetParam(), kSeeds / GetParam().name), 0) << "no seeds for " << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzRegression, testing::ValuesIn(cw::fuzz::targets()),
                         [](const testing::TestParamInfo<cw::fuzz::Target>& info) {
                           return std::string(info.param.name);
                         });

TEST(FuzzRegressionLayout, EveryDirectoryNamesAKnownTarget) {
  std::set<std::string> known;
  for (const auto& t : cw::fuzz::targets()) known.insert(t.name);
  for (const auto& e : fs::directory_iterator(kRegressions)) {
    if (!e.is_directory()) continue;
    EXPECT_TRUE(known.count(e.path().filename().string()))
        << e.path() << " is not a fuzz target (fuzz/fuzz_parsers.hpp)";
  }
}

// The messages of the bugs the fuzzers found, so a fix cannot regress into a
// different exception type or a message without a location.
TEST(FuzzRegressionMessages, NonScalarYamlKeyIsNamed) {
  try {
    cw::fuzz::parse_chip_yaml("? [a, b]\n: 1\nid: x\n");
    FAIL() << "expected a UserError";
  } catch (const cw::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("fuzz-chip.yaml:1:3: "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("a key must be a plain name"), std::string::npos)
        << e.what();
  }
}

TEST(FuzzRegressionMessages, JsonNumberOverflowIsMalformedJson) {
  try {
    cw::fuzz::parse_hf_config_json("{\"architectures\": [\"LlamaForCausalLM\"], \"x\": 1e400}");
    FAIL() << "expected a UserError";
  } catch (const cw::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("fuzz-config.json: malformed JSON: number overflow"),
              std::string::npos)
        << e.what();
  }
}

TEST(FuzzRegressionMessages, OverlongChipNameIsUnknownChip) {
  try {
    cw::fuzz::parse_system_yaml("id: x\nname: x\ncount: 1\nscale_up: {topology: switch}\nchip: " +
                                std::string(300, 'h') + "\n");
    FAIL() << "expected a UserError";
  } catch (const cw::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown chip 'hhhh"), std::string::npos) << e.what();
  }
}

}  // namespace
