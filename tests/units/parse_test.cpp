#include "units/parse.hpp"

#include <gtest/gtest.h>

namespace cw {
namespace {

double parse_ok(const char* s, UnitKind k) {
  auto r = parse_quantity(s, k);
  EXPECT_TRUE(std::holds_alternative<double>(r)) << s << ": " << std::get<std::string>(r);
  return std::holds_alternative<double>(r) ? std::get<double>(r) : -1;
}

TEST(ParseQuantity, IssueExamples) {
  EXPECT_DOUBLE_EQ(parse_ok("989 TFLOP/s", UnitKind::FlopsPerSecond), 989e12);
  EXPECT_DOUBLE_EQ(parse_ok("3.35 TB/s", UnitKind::BytesPerSecond), 3.35e12);
  EXPECT_DOUBLE_EQ(parse_ok("80 GB", UnitKind::Bytes), 80e9);
  EXPECT_DOUBLE_EQ(parse_ok("50 MiB", UnitKind::Bytes), 50.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(parse_ok("700 W", UnitKind::Watts), 700);
  EXPECT_DOUBLE_EQ(parse_ok("1.83 GHz", UnitKind::Hertz), 1.83e9);
}

TEST(ParseQuantity, OtherUnits) {
  EXPECT_DOUBLE_EQ(parse_ok("814 mm2", UnitKind::SquareMillimetres), 814);
  EXPECT_DOUBLE_EQ(parse_ok("4.8 Tb/s", UnitKind::BytesPerSecond), 0.6e12);
  EXPECT_DOUBLE_EQ(parse_ok("5 us", UnitKind::Seconds), 5e-6);
  EXPECT_DOUBLE_EQ(parse_ok("1.3 pJ", UnitKind::Joules), 1.3e-12);
  EXPECT_DOUBLE_EQ(parse_ok("1836 TOP/s", UnitKind::FlopsPerSecond), 1836e12);
  EXPECT_DOUBLE_EQ(parse_ok("256KiB", UnitKind::Bytes), 262144);
  EXPECT_DOUBLE_EQ(parse_ok("$25000", UnitKind::Dollars), 25000);
}

TEST(ParseQuantity, ErrorsNameWhatWasExpected) {
  auto r = parse_quantity("3.35 TB", UnitKind::BytesPerSecond);
  ASSERT_TRUE(std::holds_alternative<std::string>(r));
  EXPECT_NE(std::get<std::string>(r).find("bandwidth"), std::string::npos);
  EXPECT_NE(std::get<std::string>(r).find("unknown unit \"TB\""), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<std::string>(parse_quantity("fast", UnitKind::Hertz)));
  EXPECT_TRUE(std::holds_alternative<std::string>(parse_quantity("80", UnitKind::Bytes)));
}

}  // namespace
}  // namespace cw
