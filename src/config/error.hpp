// The two kinds of failure chipwright distinguishes (DESIGN.md, code conventions):
// a user's mistake, reported with where it happened and how to fix it (exit 2),
// and an internal bug (exit 70). Library code throws; only main() exits.
#pragma once

#include <stdexcept>
#include <string>

namespace cw {

// Where in an input file a problem is. Line and column are 1-based; 0 = unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  std::string to_string() const;  // "file:line:col" (parts omitted when unknown)
};

// A mistake in the user's input or request. `what()` is the full message:
// "FILE:LINE:COL: key 'foo': problem. hint".
class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& message) : std::runtime_error(message) {}
  UserError(const SourceLocation& where, const std::string& key, const std::string& problem,
            const std::string& hint = "");
};

// A bug in chipwright itself (an invariant broken). Never caused by input.
class InternalError : public std::logic_error {
 public:
  explicit InternalError(const std::string& message) : std::logic_error(message) {}
};

}  // namespace cw
