// Human-readable numbers: three significant digits and the SI prefix that
// keeps the printed mantissa in [1, 1000), including values that round up
// across a prefix boundary.
#include "report/format.hpp"

#include <gtest/gtest.h>

namespace cw {
namespace {

TEST(Format, ThreeDigitsAndAnSiPrefix) {
  EXPECT_EQ(format_time(2.5), "2.5 s");
  EXPECT_EQ(format_time(0.0123), "12.3 ms");
  EXPECT_EQ(format_time(999.4e-6), "999 us");
  EXPECT_EQ(format_bytes(80e9), "80 GB");
  EXPECT_EQ(format_bytes(1536), "1.54 kB");
  EXPECT_EQ(format_time(0), "0 s");
}

TEST(Format, RoundingUpMovesToTheNextPrefix) {
  EXPECT_EQ(format_time(999.6e-6), "1 ms");  // not "1e+03 us"
  EXPECT_EQ(format_time(0.9996), "1 s");
  EXPECT_EQ(format_time(999.7), "1 ks");
  EXPECT_EQ(format_bytes(999.7e3), "1 MB");
  EXPECT_EQ(format_rate(999.9e9, "B/s"), "1 TB/s");
}

}  // namespace
}  // namespace cw
