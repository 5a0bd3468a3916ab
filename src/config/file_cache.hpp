// Memoises a file's parsed value by path and content, so a loop that asks for
// the same preset again (design-space exploration costs every design on its
// process node; a Python sweep loads the same chip for every call) parses it
// once. The file is read once per call and `parse(text, path)` parses those
// bytes, so the cached value is always the parse of the content it is keyed
// by. Reading costs microseconds, parsing YAML a hundred or more; comparing
// content rather than the modification time also catches a file rewritten
// within one timestamp tick. At most kMaxCachedFiles paths per type are kept
// (a sweep that writes a file per design must not grow the cache without
// bound): past that it starts afresh. Thread-safe.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "config/config_node.hpp"

namespace cw {

inline constexpr size_t kMaxCachedFiles = 256;

template <class T, class Parse>
T load_cached(const std::filesystem::path& path, Parse parse) {
  static std::mutex mutex;
  static std::map<std::string, std::pair<std::string, T>> cache;  // path -> content, value
  std::string content = read_config_file(path);
  const std::string key = std::filesystem::absolute(path).string();
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end() && it->second.first == content) return it->second.second;
  }
  T value = parse(content, path);
  std::lock_guard<std::mutex> lock(mutex);
  if (cache.size() >= kMaxCachedFiles && cache.find(key) == cache.end()) cache.clear();
  cache.insert_or_assign(key, std::make_pair(std::move(content), value));
  return value;
}

}  // namespace cw
