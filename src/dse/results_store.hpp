// An exploration's results store: one SQLite database file (DESIGN.md, data
// formats) to query with any SQLite client, e.g.
//   sqlite3 designs.db "SELECT * FROM designs WHERE pareto ORDER BY dollars_per_mtok"
// Tables: `space` (key, value: the space file and its text, the chipwright
// version, base chip, objectives, sampler, and for a shard `shard` = "K/N"), `workloads` (each
// workload and its token share), `knobs` (position, name, kind), `designs` (one row per design: a
// column per knob holding its SI value, or the node id, then feasibility, reason, metrics and
// `pareto`), `design_workloads` (each design's run of each workload),
// `reference` (the reference chips' rows) and `sensitivity` (the one-knob
// steps from the best design).
// Contract: the database is built in memory and written atomically
// (report/atomic_file.hpp): a failed run leaves no file, or the old one
// whole. Throws UserError naming the path when it cannot be written.
#pragma once

#include <filesystem>
#include <optional>

#include "dse/explore.hpp"

namespace cw {

// With `shard`, the store of one shard of a run (explore --shard): `result`
// holds that shard's designs only, and dse/shard_store.hpp reads it back.
void write_results_store(const std::filesystem::path& path, const DesignSpace& space,
                         const ExploreResult& result, std::optional<Shard> shard = std::nullopt);

}  // namespace cw
