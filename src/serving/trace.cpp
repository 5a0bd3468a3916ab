#include "serving/trace.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>

#include "config/did_you_mean.hpp"
#include "config/error.hpp"

namespace cw {
namespace {

const std::vector<std::string> kColumns = {"input_length", "output_length", "arrival_s"};

struct Field {
  std::string text;
  int column = 1;  // 1-based character column where the field starts
};

std::vector<Field> split(const std::string& line) {
  std::vector<Field> out;
  size_t start = 0;
  while (true) {
    size_t comma = line.find(',', start);
    std::string f =
        line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    // Trim spaces and a trailing carriage return (CRLF files).
    size_t a = f.find_first_not_of(" \t\r"), b = f.find_last_not_of(" \t\r");
    int col = static_cast<int>(start) + 1 + (a == std::string::npos ? 0 : static_cast<int>(a));
    out.push_back({a == std::string::npos ? "" : f.substr(a, b - a + 1), col});
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

bool is_blank_or_comment(const std::string& line) {
  size_t a = line.find_first_not_of(" \t\r");
  return a == std::string::npos || line[a] == '#';
}

}  // namespace

Trace parse_trace_csv(std::istream& in, const std::string& name) {
  Trace t;
  t.source = name;
  std::vector<int> order = {0, 1, 2};  // field index -> column id in kColumns
  std::string line;
  int line_no = 0;
  bool first = true;
  size_t expected = 0;  // fields per row, fixed by the header or the first row
  while (std::getline(in, line)) {
    ++line_no;
    if (is_blank_or_comment(line)) continue;
    std::vector<Field> fields = split(line);
    auto fail = [&](const Field& f, const std::string& col, const std::string& problem,
                    const std::string& hint) {
      throw UserError(SourceLocation{name, line_no, f.column}, col, problem, hint);
    };
    if (first) {
      first = false;
      bool header =
          !fields[0].text.empty() && !std::isdigit(static_cast<unsigned char>(fields[0].text[0]));
      if (header) {
        order.clear();
        for (const Field& f : fields) {
          auto it = std::find(kColumns.begin(), kColumns.end(), f.text);
          if (it == kColumns.end()) {
            fail(f, "", "unknown trace column '" + f.text + "'",
                 suggestion(f.text, kColumns) +
                     "; a trace has columns input_length,output_length[,arrival_s]");
          }
          order.push_back(static_cast<int>(it - kColumns.begin()));
        }
        bool has_in = std::count(order.begin(), order.end(), 0) == 1;
        bool has_out = std::count(order.begin(), order.end(), 1) == 1;
        if (!has_in || !has_out || std::count(order.begin(), order.end(), 2) > 1) {
          fail(fields[0], "", "the header must name input_length and output_length once each",
               "write the header as input_length,output_length[,arrival_s]");
        }
        expected = order.size();
        t.has_arrivals = expected == 3;
        continue;
      }
    }
    if (expected == 0) {
      if (fields.size() < 2 || fields.size() > 3) {
        fail(fields[0], "",
             "expected 2 or 3 comma-separated fields, found " + std::to_string(fields.size()),
             "each line is input_length,output_length[,arrival_s]");
      }
      expected = fields.size();
      t.has_arrivals = expected == 3;
    }
    if (fields.size() != expected) {
      fail(fields.back(), "",
           "expected " + std::to_string(expected) + " fields, found " +
               std::to_string(fields.size()),
           "every line needs the same columns as the " +
               std::string(order.size() == expected ? "first line" : "header"));
    }
    TraceRow row;
    for (size_t i = 0; i < fields.size(); ++i) {
      const Field& f = fields[i];
      const std::string& col = kColumns[static_cast<size_t>(order[i])];
      if (order[i] == 2) {
        double v = 0;
        auto r = std::from_chars(f.text.data(), f.text.data() + f.text.size(), v);
        if (f.text.empty() || r.ec != std::errc() || r.ptr != f.text.data() + f.text.size() ||
            !std::isfinite(v) || v < 0) {
          fail(f, col, "'" + f.text + "' is not a time in seconds >= 0",
               "write the arrival as a number of seconds, e.g. 12.5");
        }
        row.arrival = v;
        continue;
      }
      int64_t v = 0;
      auto r = std::from_chars(f.text.data(), f.text.data() + f.text.size(), v);
      if (f.text.empty() || r.ec != std::errc() || r.ptr != f.text.data() + f.text.size() ||
          v < 1) {
        fail(f, col, "'" + f.text + "' is not a whole number of tokens >= 1",
             "lengths are positive integers, e.g. 512");
      }
      (order[i] == 0 ? row.input : row.output) = v;
    }
    t.rows.push_back(row);
  }
  if (t.rows.empty()) {
    throw UserError(SourceLocation{name}, "", "the trace has no requests",
                    "add lines of input_length,output_length[,arrival_s]");
  }
  return t;
}

Trace load_trace_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw UserError(SourceLocation{path}, "", "cannot open the trace file",
                    "check the path given to --trace");
  }
  return parse_trace_csv(in, path);
}

}  // namespace cw
