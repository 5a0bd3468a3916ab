// The GEMM mapper: how a GEMM is cut into per-core output tiles, k-steps and
// split-K parts, and what one such mapping costs on a chip (Timeloop /
// LLMCompass style, reduced to the few choices a GPU BLAS heuristic makes).
// Contract: evaluate_gemm_mapping() is the kernel's main loop, fill/drain and
// split-K reduction, without launch overhead or the activation-quantisation
// pass; search_gemm_mapping() returns the cheapest valid mapping (ties keep the
// first found, so the result is deterministic). gemm_cost() adds the rest.
// Cores in a MatrixEngine::cluster share the weight tile of neighbouring tile
// rows: the first shared level sends W once per cluster (see the .cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "perf/ops.hpp"

namespace cw {

struct GemmMapping {
  int64_t mt = 0, nt = 0;  // output tile per core (elements), multiples of the granule
  int64_t kt = 0;          // k-step: reduction depth loaded per pipeline stage
  int64_t split_k = 1;     // parts the reduction is split into (1 = none)
  int64_t stream_k = 0;    // > 0: all tiles' k-iterations dealt evenly to this many cores
  bool operator==(const GemmMapping&) const = default;
};

struct GemmMappingResult {
  GemmMapping mapping;
  Cost cost;           // main loop + fill/drain + split-K reduction, no launch
  int64_t tiles = 0;   // work units: tiles_m · tiles_n · split_k · batch
  int64_t waves = 0;   // ceil(tiles / cores); 1 under stream-K
  bool valid = false;  // false when the tile does not fit the per-core level
};

// Costs one mapping; `valid` is false (and cost empty) if its double-buffered
// operand tiles do not fit the per-core memory level.
GemmMappingResult evaluate_gemm_mapping(const ChipSpec& chip, const GemmShape& shape,
                                        const GemmMapping& mapping);

// The candidate mappings the search visits (power-of-two multiples of the
// matrix granule; every k-step from the granule up to the deepest that fits,
// so the set only grows with per-core capacity; split-K only while tiles
// leave cores idle; stream-K when the last wave of tiles is partial).
std::vector<GemmMapping> gemm_mapping_candidates(const ChipSpec& chip, const GemmShape& shape);

// The cheapest valid candidate. Throws UserError if none fits (a chip whose
// per-core level cannot hold one granule of each operand).
GemmMappingResult search_gemm_mapping(const ChipSpec& chip, const GemmShape& shape);

}  // namespace cw
