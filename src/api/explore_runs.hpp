// The runs `explore` makes, shared by the CLI and the Python module: a whole
// exploration, or the merge of a distributed one's shard stores
// (dse/shard_store.hpp), with the files it was asked for written; and one
// shard of a distributed exploration.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dse/explore.hpp"

namespace cw {

// Files an exploration writes besides its printed result (empty: none).
struct ExploreFiles {
  std::string csv, db, html;
};

// explore(), or with `merge` non-empty finish_exploration() over the designs
// of those shard stores; then writes `files`.
ExploreResult run_exploration(const DesignSpace& space, const ExploreOptions& options,
                              const std::vector<std::string>& merge, const ExploreFiles& files);

// Evaluates one shard and writes its store to files.db (required; a CSV or
// HTML file is refused: it needs the whole front). Returns its summary:
// space, shard "K/N", designs, feasible, db.
nlohmann::json run_explore_shard(const DesignSpace& space, Shard shard,
                                 const ExploreOptions& options, const ExploreFiles& files);

}  // namespace cw
