// Distributed exploration: a grid or random design space split into N shards
// (`chipwright explore SPACE --shard K/N --db shard-K.db`, one per machine or
// array job), then merged (`chipwright explore SPACE --merge shard-*.db`).
// The merge reads the shards' results stores back and finishes the
// exploration (front, refinement, one-knob steps, reference chips) exactly
// as one unsharded run would: the same designs, metrics and outputs.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "dse/explore.hpp"

namespace cw {

// "K/N" with 1 <= K <= N; UserError naming `flag` otherwise.
Shard parse_shard(const std::string& text, const std::string& flag);

// The designs of the shard stores `files`, in design order: every design the
// space's sampler yields, once. Each file must be a shard store of this
// space (the same space-file text, written by this chipwright version), all
// of the same N, shards 1..N each exactly once. UserError naming the file
// and what differs otherwise (a missing shard, another space, a truncated
// store).
std::vector<DesignResult> merge_shard_stores(const DesignSpace& space,
                                             const std::vector<std::filesystem::path>& files);

}  // namespace cw
