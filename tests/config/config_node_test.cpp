#include "config/config_node.hpp"

#include <gtest/gtest.h>

#include "../support/user_error.hpp"

#include "config/did_you_mean.hpp"

namespace cw {
namespace {

using cw::test::error_of;

TEST(ConfigNode, MalformedYamlNamesFileLineColumn) {
  std::string msg = error_of([] { ConfigNode::load_string("a: 1\nb: [1, 2\n", "chip.yaml"); });
  EXPECT_NE(msg.find("chip.yaml:3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("malformed YAML"), std::string::npos) << msg;
}

TEST(ConfigNode, MissingRequiredKey) {
  auto doc = ConfigNode::load_string("memory:\n  name: hbm\n", "c.yaml");
  std::string msg = error_of([&] { doc.required("memory").required("bandwidth"); });
  EXPECT_NE(msg.find("c.yaml:2:3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("memory.bandwidth"), std::string::npos) << msg;
  EXPECT_NE(msg.find("required key is missing"), std::string::npos) << msg;
}

TEST(ConfigNode, UnknownKeyGetsDidYouMean) {
  auto doc = ConfigNode::load_string("name: x\nbandwith: 3 TB/s\n", "c.yaml");
  std::string msg = error_of([&] { doc.expect_keys({"name", "bandwidth", "capacity"}); });
  EXPECT_NE(msg.find("c.yaml:2:1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("key 'bandwith': unknown key"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'bandwidth'?"), std::string::npos) << msg;
}

TEST(ConfigNode, BadUnitNamesKeyAndExample) {
  auto doc = ConfigNode::load_string("bw: 3 TB\n", "c.yaml");
  std::string msg = error_of([&] { doc.required("bw").as_quantity(UnitKind::BytesPerSecond); });
  EXPECT_NE(msg.find("c.yaml:1:5: key 'bw'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("3.35 TB/s"), std::string::npos) << msg;
}

TEST(ConfigNode, ReadsValues) {
  auto doc = ConfigNode::load_string("a: 3\nb: [x, y]\nc: \"1.5 GHz\"\n", "c.yaml");
  EXPECT_EQ(doc.required("a").as_int(), 3);
  EXPECT_EQ(doc.required("b").items().size(), 2u);
  EXPECT_EQ(doc.required("b").items()[1].path(), "b[1]");
  EXPECT_DOUBLE_EQ(doc.required("c").as_quantity(UnitKind::Hertz), 1.5e9);
  EXPECT_FALSE(doc.optional("zz").has_value());
}

TEST(DidYouMean, EditDistanceAndSuggestion) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(closest_match("h100", {"h100-sxm", "h200-sxm", "a100-sxm"}), "");
  EXPECT_EQ(closest_match("h100-sm", {"h100-sxm", "h200-sxm"}), "h100-sxm");
  EXPECT_EQ(suggestion("zzz", {"a", "b"}), "valid: a, b");
}

}  // namespace
}  // namespace cw
