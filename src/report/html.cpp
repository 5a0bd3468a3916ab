#include "report/html.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

namespace cw::html {
namespace {

// Plot geometry in SVG user units.
constexpr double kWidth = 720, kHeight = 440;
constexpr double kLeft = 80, kRight = 30, kTop = 40, kBottom = 50;  // margins; legend on top
constexpr int kTicks = 5;

// A round tick step (1, 2 or 5 times a power of ten) giving about `ticks`
// intervals over `span` (Heckbert, "Nice numbers for graph labels", 1990).
double nice_step(double span, int ticks) {
  const double raw = span / ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / magnitude;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * magnitude;
}

struct Axis {
  double lo = 0, hi = 1, step = 0.2;
  double map(double v, double from, double to) const {
    return from + (v - lo) / (hi - lo) * (to - from);
  }
};

// An axis over [min, max] widened to round ticks; a single value gets a span
// of ±10% (or ±1 at zero).
Axis axis_over(double min, double max) {
  if (!(max > min)) {
    const double pad = min != 0 ? std::abs(min) * 0.1 : 1;
    min -= pad;
    max += pad;
  }
  Axis a;
  a.step = nice_step(max - min, kTicks);
  a.lo = std::floor(min / a.step) * a.step;
  a.hi = std::ceil(max / a.step) * a.step;
  if (a.hi <= a.lo) a.hi = a.lo + a.step;
  return a;
}

std::string tick_label(double v, double step) {
  // Enough decimals to tell ticks apart, no more.
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step))));
  return fmt::format("{:.{}f}", std::abs(v) < step * 1e-9 ? 0.0 : v, decimals);
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows) {
  std::string out = "<table>\n<tr>";
  for (const auto& h : header) out += "<th>" + h + "</th>";
  out += "</tr>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const auto& cell : row) out += "<td>" + cell + "</td>";
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

std::string scatter(const std::vector<Series>& series, const std::string& x_label,
                    const std::string& y_label) {
  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;
  for (const Series& s : series)
    for (const Point& p : s.points) {
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
      x_min = std::min(x_min, p.x);
      x_max = std::max(x_max, p.x);
      y_min = std::min(y_min, p.y);
      y_max = std::max(y_max, p.y);
    }
  if (!std::isfinite(x_min)) x_min = x_max = y_min = y_max = 0;
  const Axis ax = axis_over(x_min, x_max), ay = axis_over(y_min, y_max);
  const double x0 = kLeft, x1 = kWidth - kRight, y0 = kHeight - kBottom, y1 = kTop;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" "
      "height=\"{}\" class=\"plot\">\n",
      kWidth, kHeight, kWidth, kHeight);
  svg += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" "
      "stroke=\"#888\"/>\n",
      x0, y1, x1 - x0, y0 - y1);
  for (double v = ax.lo; v <= ax.hi + ax.step / 2; v += ax.step) {
    const double x = ax.map(v, x0, x1);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#e4e4e4\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" fill=\"#444\" text-anchor=\"middle\">{4}</text>\n",
        x, y1, y0, y0 + 16, tick_label(v, ax.step));
  }
  for (double v = ay.lo; v <= ay.hi + ay.step / 2; v += ay.step) {
    const double y = ay.map(v, y0, y1);
    svg += fmt::format(
        "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#e4e4e4\"/>"
        "<text x=\"{3}\" y=\"{4:.1f}\" fill=\"#444\" text-anchor=\"end\">{5}</text>\n",
        x0, y, x1, x0 - 6, y + 4, tick_label(v, ay.step));
  }
  svg += fmt::format(
      "<text x=\"{}\" y=\"{}\" fill=\"#222\" font-weight=\"600\" "
      "text-anchor=\"middle\">{}</text>\n",
      (x0 + x1) / 2, kHeight - 10, escape(x_label));
  svg += fmt::format(
      "<text x=\"16\" y=\"{0}\" fill=\"#222\" font-weight=\"600\" text-anchor=\"middle\" "
      "transform=\"rotate(-90 16 {0})\">{1}</text>\n",
      (y0 + y1) / 2, escape(y_label));
  for (size_t i = 0; i < series.size(); ++i) {
    const Series& s = series[i];
    svg += fmt::format("<g class=\"series\" fill=\"{}\">\n", escape(s.colour));
    for (const Point& p : s.points) {
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
      const double x = ax.map(p.x, x0, x1), y = ay.map(p.y, y0, y1);
      svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\"><title>{}</title></circle>",
                         x, y, s.radius, escape(p.tooltip));
      if (!p.label.empty())
        svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\">{}</text>", x + 6,
                           y - 6, escape(p.label));
      svg += "\n";
    }
    const double lx = x0 + 200.0 * static_cast<double>(i), ly = kTop - 20;
    svg += fmt::format(
        "<circle cx=\"{}\" cy=\"{}\" r=\"5\"/><text x=\"{}\" y=\"{}\" fill=\"#222\">{} "
        "({})</text>\n</g>\n",
        lx + 6, ly, lx + 16, ly + 4, escape(s.name), s.points.size());
  }
  return svg + "</svg>\n";
}

std::string bars(const std::string& title, const std::vector<Bar>& entries,
                 const std::string& value_format) {
  constexpr double kBarHeight = 22, kLabelWidth = 140, kBarWidth = 420, kValueWidth = 110;
  double max = 0;
  for (const Bar& b : entries)
    if (std::isfinite(b.value)) max = std::max(max, b.value);
  const double height = 30 + kBarHeight * static_cast<double>(entries.size());
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" "
      "height=\"{1}\" class=\"plot\">\n<text x=\"0\" y=\"16\" fill=\"#222\" "
      "font-weight=\"600\">{2}</text>\n",
      kLabelWidth + kBarWidth + kValueWidth, height, escape(title));
  for (size_t i = 0; i < entries.size(); ++i) {
    const Bar& b = entries[i];
    const double y = 26 + kBarHeight * static_cast<double>(i);
    const bool drawn = std::isfinite(b.value) && b.value > 0 && max > 0;
    const double w = drawn ? b.value / max * kBarWidth : 0;
    svg += fmt::format(
        "<text x=\"{}\" y=\"{:.1f}\" fill=\"#444\" text-anchor=\"end\">{}</text>"
        "<rect x=\"{}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"#444\">{}</text>\n",
        kLabelWidth - 8, y + 14, escape(b.label), kLabelWidth, y + 3, w, kBarHeight - 6,
        escape(b.colour), kLabelWidth + w + 6, y + 14,
        std::isfinite(b.value) ? escape(fmt::format(fmt::runtime(value_format), b.value)) : "-");
  }
  return svg + "</svg>\n";
}

std::string page(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
         escape(title) +
         "</title>\n<style>\n"
         "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}\n"
         "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}\n"
         "table{border-collapse:collapse;font-size:.85em;margin:.5em 0}\n"
         "th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right}\n"
         "th{background:#f2f2f2}td:first-child,th:first-child{text-align:left}\n"
         ".plot{font-size:12px;font-family:system-ui,sans-serif;display:block;margin:.5em 0}\n"
         ".note{color:#555;font-size:.9em}\n"
         "</style>\n</head>\n<body>\n<h1>" +
         escape(title) + "</h1>\n" + body + "</body>\n</html>\n";
}

}  // namespace cw::html
