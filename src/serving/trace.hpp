// Request traces as CSV: `input_length,output_length[,arrival_s]`, one request
// per line (DESIGN.md, Data formats). A header naming the columns is optional
// (without one the columns are positional); blank lines and lines starting
// with '#' are skipped.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace cw {

struct TraceRow {
  int64_t input = 1;
  int64_t output = 1;
  double arrival = 0;  // seconds; meaningful only when Trace::has_arrivals
};

struct Trace {
  std::string source;  // file name, for messages
  std::vector<TraceRow> rows;
  bool has_arrivals = false;
};

// Throws UserError naming file:line:column and the column on any malformed
// field (not a whole number, zero or negative length, negative or non-finite
// arrival, wrong field count), and when the trace has no rows.
Trace load_trace_csv(const std::string& path);
Trace parse_trace_csv(std::istream& in, const std::string& name);

}  // namespace cw
