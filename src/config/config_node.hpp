// A YAML document node that remembers where it came from, so every error can
// name file:line:column and the key. yaml-cpp stays out of this header.
// Contract: accessors throw UserError (never crash) on a missing key, a wrong
// type, a bad unit or an unknown key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/error.hpp"
#include "units/parse.hpp"

namespace cw {

// The bytes of a file; a UserError naming it when it cannot be read.
std::string read_config_file(const std::filesystem::path& path);

class ConfigNode {
 public:
  // Parses a YAML file; a syntax error becomes a UserError with its position.
  static ConfigNode load_file(const std::filesystem::path& path);
  // Parses YAML text; `name` stands in for the file name in messages.
  static ConfigNode load_string(const std::string& text, const std::string& name);

  ConfigNode();
  ~ConfigNode();
  ConfigNode(const ConfigNode&);
  ConfigNode& operator=(const ConfigNode&);

  bool is_map() const;
  bool is_sequence() const;
  bool is_scalar() const;
  bool is_null() const;
  SourceLocation where() const;
  const std::string& file() const;
  // The dotted key path from the document root, e.g. "memory[1].bandwidth".
  const std::string& path() const;

  // Map access. `required` throws naming the missing key and the map's location.
  bool has(const std::string& key) const;
  ConfigNode required(const std::string& key) const;
  std::optional<ConfigNode> optional(const std::string& key) const;
  std::vector<std::string> keys() const;
  // Throws on the first key not in `allowed`, with a "did you mean" hint.
  void expect_keys(std::initializer_list<const char*> allowed) const;
  void expect_keys(const std::vector<std::string>& allowed) const;

  // Sequence access.
  std::vector<ConfigNode> items() const;

  // Scalar conversions; each throws a UserError naming the key on a bad value.
  std::string as_string() const;
  double as_double() const;
  int64_t as_int() const;
  bool as_bool() const;
  // A number with a unit ("3.35 TB/s"); the SI value.
  double as_quantity(UnitKind kind) const;
  // A plain number in (lo, hi]; for fractions and counts.
  double as_double_in(double lo, double hi) const;

  // Throws a UserError located at this node.
  [[noreturn]] void fail(const std::string& problem, const std::string& hint = "") const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  explicit ConfigNode(std::unique_ptr<Impl> impl);
  ConfigNode child(const std::string& key, const std::string& child_path) const;
};

}  // namespace cw
