#include "api/explore_runs.hpp"

#include <fmt/core.h>

#include "api/explore_report.hpp"
#include "config/data_dir.hpp"
#include "config/error.hpp"
#include "dse/results_store.hpp"
#include "dse/shard_store.hpp"
#include "report/atomic_file.hpp"

namespace cw {

ExploreResult run_exploration(const DesignSpace& space, const ExploreOptions& options,
                              const std::vector<std::string>& merge, const ExploreFiles& files) {
  const ExploreResult r =
      merge.empty() ? explore(space, options)
                    : finish_exploration(
                          space, merge_shard_stores(space, {merge.begin(), merge.end()}), options);
  if (!files.csv.empty()) write_file_atomically(files.csv, explore_csv(space, r));
  if (!files.db.empty()) write_results_store(files.db, space, r);
  if (!files.html.empty()) write_file_atomically(files.html, explore_html(space, r));
  return r;
}

nlohmann::json run_explore_shard(const DesignSpace& space, Shard shard,
                                 const ExploreOptions& options, const ExploreFiles& files) {
  const std::string name = fmt::format("{}/{}", shard.number, shard.count);
  if (files.db.empty() || !files.csv.empty() || !files.html.empty())
    throw UserError(fmt::format(
        "shard {}: a shard writes its designs to a results store (--db FILE) only, no CSV or "
        "HTML (they need the whole front); merge the stores with --merge to get those",
        name));
  ExploreResult r;
  r.designs = explore_shard(space, shard, options);
  for (const auto& d : r.designs) r.feasible += d.feasible ? 1 : 0;
  write_results_store(files.db, space, r, shard);
  return nlohmann::json{{"space", shown_preset_path(space.file)},
                        {"shard", name},
                        {"designs", r.designs.size()},
                        {"of", space.design_count()},
                        {"feasible", r.feasible},
                        {"db", files.db}};
}

}  // namespace cw
