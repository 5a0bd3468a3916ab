#include "config/data_dir.hpp"

#include <algorithm>
#include <cstdlib>

#include "config/did_you_mean.hpp"
#include "config/error.hpp"

namespace cw {

std::filesystem::path data_dir() {
  if (const char* env = std::getenv("CHIPWRIGHT_DATA"); env && *env) return env;
  return CHIPWRIGHT_DATA_DIR;
}

std::vector<std::string> list_presets(const std::string& subdir, const std::string& extension) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(data_dir() / subdir, ec)) {
    if (e.path().extension() == extension) ids.push_back(e.path().stem().string());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::filesystem::path resolve_preset(const std::string& id_or_path, const std::string& subdir,
                                     const std::string& extension, const std::string& what) {
  bool looks_like_path = id_or_path.find('/') != std::string::npos ||
                         (id_or_path.size() > extension.size() &&
                          id_or_path.ends_with(extension));
  // The error_code overloads: a name the OS refuses (too long, not a
  // directory) is "not found", not a filesystem_error escaping as a crash.
  std::error_code ec;
  if (looks_like_path) {
    if (!std::filesystem::exists(id_or_path, ec)) {
      throw UserError(SourceLocation{id_or_path}, "", what + " file not found",
                      "check the path, or give a preset id (chipwright list " + what + "s)");
    }
    return id_or_path;
  }
  std::filesystem::path p = data_dir() / subdir / (id_or_path + extension);
  if (std::filesystem::exists(p, ec)) return p;
  throw UserError("unknown " + what + " '" + id_or_path + "': " +
                  suggestion(id_or_path, list_presets(subdir, extension)) +
                  " (or give a path to a " + what + " file)");
}

std::string shown_preset_path(const std::string& file) {
  const std::string dir = data_dir().string() + "/";
  return file.rfind(dir, 0) == 0 ? "data/" + file.substr(dir.size()) : file;
}

}  // namespace cw
