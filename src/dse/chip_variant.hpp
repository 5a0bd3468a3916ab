// One design of a space: the base chip with the knob values applied, sized
// and powered as the silicon model says it would have to be built.
//
// Scaling rules (docs/design-space.md): compute (matrix peaks, vector and
// special-function rates) and the bandwidth of every on-chip memory level
// scale with cores x clock (each core brings its own port to the shared
// levels, as the presets derive them); sustained tensor clocks keep their
// fraction of the quoted clock; an `array` side replaces the matrix granule's
// n x k and scales the matrix peaks by the area ratio; HBM bandwidth and
// capacity scale with stacks.
// The variant is not the product the base chip names: its market price and
// declared die area are dropped, so it is costed from its modelled silicon;
// it is built from as many identical dies as the reticle needs; its TDP,
// unless a `tdp` knob sets it, is its modelled sustained-load power.
#pragma once

#include <vector>

#include "dse/design_space.hpp"

namespace cw {

// The chip of design `values` (one value index per knob, as
// DesignSpace::assignment gives). Workload knobs (batch, tp) are ignored.
ChipSpec chip_variant(const DesignSpace& space, const std::vector<int>& values);

}  // namespace cw
