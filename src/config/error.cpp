#include "config/error.hpp"

namespace cw {

std::string SourceLocation::to_string() const {
  std::string s = file.empty() ? "<input>" : file;
  if (line > 0) {
    s += ":" + std::to_string(line);
    if (column > 0) s += ":" + std::to_string(column);
  }
  return s;
}

static std::string compose(const SourceLocation& where, const std::string& key,
                           const std::string& problem, const std::string& hint) {
  std::string m = where.to_string() + ": ";
  if (!key.empty()) m += "key '" + key + "': ";
  m += problem;
  if (!hint.empty()) m += ". " + hint;
  return m;
}

UserError::UserError(const SourceLocation& where, const std::string& key,
                     const std::string& problem, const std::string& hint)
    : std::runtime_error(compose(where, key, problem, hint)) {}

}  // namespace cw
