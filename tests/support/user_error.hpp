// Helpers for tests that check UserError messages.
#pragma once

#include <functional>
#include <string>

#include "config/error.hpp"

namespace cw::test {

// The message of the UserError `f` throws, or "" when it throws none.
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

inline bool has(const std::string& msg, const std::string& part) {
  return msg.find(part) != std::string::npos;
}

}  // namespace cw::test
