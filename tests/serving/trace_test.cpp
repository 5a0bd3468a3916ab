// Trace CSV parsing: headers, positional columns, arrival times, and error
// messages that name file:line:column and the column.
#include "serving/trace.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "config/error.hpp"

namespace cw {
namespace {

Trace parse(const std::string& text) {
  std::istringstream in(text);
  return parse_trace_csv(in, "t.csv");
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(TraceCsv, ReadsHeaderAndRows) {
  Trace t = parse("input_length,output_length\n# comment\n128,64\n\n 7 , 3\r\n");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_FALSE(t.has_arrivals);
  EXPECT_EQ(t.rows[0].input, 128);
  EXPECT_EQ(t.rows[0].output, 64);
  EXPECT_EQ(t.rows[1].input, 7);
  EXPECT_EQ(t.rows[1].output, 3);
}

TEST(TraceCsv, ReadsArrivalsInAnyColumnOrder) {
  Trace t = parse("arrival_s,output_length,input_length\n0.5,10,20\n1.25,11,21\n");
  ASSERT_TRUE(t.has_arrivals);
  EXPECT_DOUBLE_EQ(t.rows[1].arrival, 1.25);
  EXPECT_EQ(t.rows[1].input, 21);
  EXPECT_EQ(t.rows[1].output, 11);
}

TEST(TraceCsv, HeaderIsOptional) {
  Trace t = parse("5,6,0.1\n7,8,0.2\n");
  ASSERT_TRUE(t.has_arrivals);
  EXPECT_EQ(t.rows[1].output, 8);
}

TEST(TraceCsv, NamesLineColumnAndFieldOfABadValue) {
  std::string e = error_of("input_length,output_length\n10,20\n30,abc\n");
  EXPECT_NE(e.find("t.csv:3:4"), std::string::npos) << e;
  EXPECT_NE(e.find("output_length"), std::string::npos) << e;
  EXPECT_NE(e.find("'abc'"), std::string::npos) << e;
}

TEST(TraceCsv, RejectsZeroNegativeAndFractionalLengths) {
  EXPECT_NE(error_of("0,5\n").find("t.csv:1:1"), std::string::npos);
  EXPECT_NE(error_of("5,-2\n").find("output_length"), std::string::npos);
  EXPECT_NE(error_of("5.5,2\n").find("input_length"), std::string::npos);
}

TEST(TraceCsv, RejectsBadArrivalAndFieldCount) {
  EXPECT_NE(error_of("5,2,-1\n").find("arrival_s"), std::string::npos);
  EXPECT_NE(error_of("5,2,nan\n").find("arrival_s"), std::string::npos);
  std::string e = error_of("5,2\n6,3,1.0\n");
  EXPECT_NE(e.find("t.csv:2"), std::string::npos) << e;
  EXPECT_NE(e.find("expected 2 fields"), std::string::npos) << e;
  EXPECT_NE(error_of("5\n").find("expected 2 or 3"), std::string::npos);
}

TEST(TraceCsv, SuggestsAColumnName) {
  std::string e = error_of("input_length,output_lenght\n1,2\n");
  EXPECT_NE(e.find("output_length"), std::string::npos) << e;
  EXPECT_NE(e.find("t.csv:1:14"), std::string::npos) << e;
}

TEST(TraceCsv, RejectsEmptyTraceAndMissingFile) {
  EXPECT_NE(error_of("input_length,output_length\n").find("no requests"), std::string::npos);
  EXPECT_THROW(load_trace_csv("/nonexistent/trace.csv"), UserError);
}

}  // namespace
}  // namespace cw
