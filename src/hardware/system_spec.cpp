#include "hardware/system_spec.hpp"

#include <algorithm>
#include <functional>
#include <numeric>

#include "config/error.hpp"

namespace cw {

const char* topology_name(Topology t) {
  switch (t) {
    case Topology::switched:
      return "switch";
    case Topology::full_mesh:
      return "full_mesh";
    case Topology::torus:
      return "torus";
  }
  return "?";
}

const std::vector<std::string>& topology_names() {
  static const std::vector<std::string> names{"switch", "full_mesh", "torus"};
  return names;
}

int SystemSpec::nodes() const {
  return count <= scale_up.domain ? 1 : (count + scale_up.domain - 1) / scale_up.domain;
}

int SystemSpec::chips_per_node() const {
  return std::min(count, scale_up.domain);
}

int SystemSpec::max_count() const {
  return scale_out.bandwidth > 0 ? scale_up.domain * scale_out.max_nodes : scale_up.domain;
}

std::vector<int> torus_shape(int count, const std::vector<int>& bounds) {
  if (count < 1 || bounds.empty()) return {};
  std::vector<int> sorted_bounds = bounds;
  std::sort(sorted_bounds.begin(), sorted_bounds.end());
  const size_t n = bounds.size();
  std::vector<int> best, cur;
  // Depth-first over non-decreasing factor tuples whose product is `count`.
  std::function<void(int, int)> search = [&](int remaining, int min_factor) {
    if (cur.size() + 1 == n) {
      if (remaining < min_factor) return;
      cur.push_back(remaining);
      bool fits = true;  // the i-th smallest dim must fit the i-th smallest bound
      for (size_t i = 0; i < n; ++i) fits = fits && cur[i] <= sorted_bounds[i];
      auto key = [](const std::vector<int>& v) {
        return std::make_pair(v.back(), std::accumulate(v.begin(), v.end(), 0));
      };
      if (fits && (best.empty() || key(cur) < key(best))) best = cur;
      cur.pop_back();
      return;
    }
    for (int f = min_factor; f <= remaining; ++f) {
      if (remaining % f != 0) continue;
      cur.push_back(f);
      search(remaining / f, f);
      cur.pop_back();
    }
  };
  search(count, 1);
  return best;
}

bool axis_wraps(int size, int wrap_multiple) {
  // A 2-chip axis is one link either way; wraparound needs a ring of >= 3.
  return wrap_multiple > 0 && size >= 3 && size % wrap_multiple == 0;
}

namespace {

std::string dims_text(const std::vector<int>& d) {
  std::string s;
  for (int v : d) s += (s.empty() ? "" : "x") + std::to_string(v);
  return s;
}

}  // namespace

std::string count_problem(const SystemSpec& sys, int count) {
  const ScaleUp& up = sys.scale_up;
  const std::string what = "system '" + sys.id + "' (" + sys.chip.id + ")";
  if (count < 1) return "a system needs at least 1 chip, got " + std::to_string(count);
  if (count <= up.domain) {
    if (up.topology == Topology::torus && torus_shape(count, up.pod).empty()) {
      return "no slice of " + std::to_string(count) + " chips fits " + what + "'s " +
             dims_text(up.pod) +
             " torus; use a count that factors into its dims (e.g. a power of 2)";
    }
    return "";
  }
  if (!(sys.scale_out.bandwidth > 0)) {
    return std::to_string(count) + " chips is more than " + what + " supports: one " +
           std::to_string(up.domain) + "-chip " + topology_name(up.topology) +
           " domain and no scale-out network; use at most " + std::to_string(up.domain);
  }
  if (count % up.domain != 0) {
    return std::to_string(count) + " chips do not fill whole " + std::to_string(up.domain) +
           "-chip domains of " + what + "; use at most " + std::to_string(up.domain) +
           " or a multiple of it";
  }
  if (count > sys.max_count()) {
    return std::to_string(count) + " chips is more than " + what + " supports: at most " +
           std::to_string(sys.scale_out.max_nodes) + " domains of " + std::to_string(up.domain) +
           " = " + std::to_string(sys.max_count()) + " chips";
  }
  return "";
}

SystemSpec resized(const SystemSpec& sys, int count) {
  if (std::string p = count_problem(sys, count); !p.empty()) throw UserError(p);
  SystemSpec s = sys;
  s.count = count;
  if (s.scale_up.topology == Topology::torus) {
    s.scale_up.dims = torus_shape(std::min(count, s.scale_up.domain), s.scale_up.pod);
  }
  return s;
}

}  // namespace cw
