// Self-contained HTML report pieces: escaping, tables, an SVG scatter plot and
// an SVG bar chart, and a page with inline CSS. No scripts and nothing fetched,
// so a report opens offline and can be mailed as one file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cw::html {

// Text with &, <, >, " and ' escaped for element content and attribute values.
std::string escape(std::string_view text);

// A table: a header row and body rows of already-escaped cell HTML.
std::string table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows);

struct Point {
  double x = 0, y = 0;
  std::string label;    // drawn beside the point when not empty
  std::string tooltip;  // shown on hover (an SVG <title>)
};
struct Series {
  std::string name;    // legend entry
  std::string colour;  // CSS colour
  double radius = 3;
  std::vector<Point> points;
};
// A scatter plot of the series over linear axes that span every point (with
// a margin), ticked at round numbers. Points that are not finite are skipped.
std::string scatter(const std::vector<Series>& series, const std::string& x_label,
                    const std::string& y_label);

struct Bar {
  std::string label;
  double value = 0;  // bars are drawn from 0; negative or non-finite values are drawn empty
  std::string colour;
};
// Horizontal bars, one per entry, with the value printed by `format`.
std::string bars(const std::string& title, const std::vector<Bar>& entries,
                 const std::string& value_format);

// A whole page: title, inline stylesheet, body HTML.
std::string page(const std::string& title, const std::string& body);

}  // namespace cw::html
