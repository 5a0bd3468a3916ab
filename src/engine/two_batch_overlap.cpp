#include "engine/two_batch_overlap.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace cw {
namespace {

using Interval = std::pair<double, double>;

// Total length of the intersection of two sorted lists of disjoint intervals.
double intersection(const std::vector<Interval>& x, const std::vector<Interval>& y) {
  double sum = 0;
  size_t i = 0, j = 0;
  while (i < x.size() && j < y.size()) {
    double lo = std::max(x[i].first, y[j].first), hi = std::min(x[i].second, y[j].second);
    if (hi > lo) sum += hi - lo;
    if (x[i].second < y[j].second)
      ++i;
    else
      ++j;
  }
  return sum;
}

// Consecutive ops on the same resource as one stage: engines alternate the
// micro-batches stage by stage (SGLang's TBO runs one micro-batch's ops up to
// its next collective, then the other's), not op by op.
std::vector<OverlapOp> stages(const std::vector<OverlapOp>& ops) {
  std::vector<OverlapOp> out;
  for (const auto& op : ops) {
    if (!out.empty() && out.back().comm == op.comm)
      out.back().time += op.time;
    else
      out.push_back(op);
  }
  return out;
}

}  // namespace

OverlapSchedule schedule_two_batches(const std::vector<OverlapOp>& a,
                                     const std::vector<OverlapOp>& b, int64_t repeats,
                                     double core_share) {
  const std::vector<OverlapOp> sa = stages(a), sb = stages(b);
  const std::array<const std::vector<OverlapOp>*, 2> chain{&sa, &sb};
  const std::array<size_t, 2> length{sa.size() * repeats, sb.size() * repeats};
  std::array<size_t, 2> next{0, 0};
  std::array<double, 2> ready{0, 0};  // when each chain's next op may start
  std::array<double, 2> free{0, 0};   // when the compute engine [0] and network [1] are free
  std::array<std::vector<Interval>, 2> busy;  // per resource, in start order
  while (next[0] < length[0] || next[1] < length[1]) {
    int pick = -1;
    double start = 0;
    for (int c = 0; c < 2; ++c) {
      if (next[c] >= length[c]) continue;
      const OverlapOp& op = (*chain[c])[next[c] % chain[c]->size()];
      double s = std::max(ready[c], free[op.comm ? 1 : 0]);
      if (pick < 0 || s < start) pick = c, start = s;
    }
    const OverlapOp& op = (*chain[pick])[next[pick] % chain[pick]->size()];
    const int res = op.comm ? 1 : 0;
    const double end = start + op.time;
    if (op.time > 0) busy[res].push_back({start, end});
    free[res] = ready[pick] = end;
    ++next[pick];
  }
  OverlapSchedule s;
  s.makespan = std::max(ready[0], ready[1]);
  s.overlapped = intersection(busy[0], busy[1]);
  s.time = s.makespan + core_share * s.overlapped;
  return s;
}

}  // namespace cw
