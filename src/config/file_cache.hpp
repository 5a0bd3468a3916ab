// Memoises a file's parsed value by path and modification time, so a loop
// that asks for the same preset again (design-space exploration costs every
// design on its process node) parses it once. Thread-safe; a file edited
// since it was cached is parsed again.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace cw {

template <class T, class Parse>
T load_cached(const std::filesystem::path& path, Parse parse) {
  static std::mutex mutex;
  static std::map<std::string, std::pair<std::filesystem::file_time_type, T>> cache;
  std::error_code ec;
  const auto stamp = std::filesystem::last_write_time(path, ec);
  if (ec) return parse(path);  // let the parser report the missing file
  const std::string key = std::filesystem::absolute(path).string();
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end() && it->second.first == stamp) return it->second.second;
  }
  T value = parse(path);
  std::lock_guard<std::mutex> lock(mutex);
  cache.insert_or_assign(key, std::make_pair(stamp, value));
  return value;
}

}  // namespace cw
