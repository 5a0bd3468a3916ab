#include "config/config_node.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "config/did_you_mean.hpp"

namespace cw {

struct ConfigNode::Impl {
  YAML::Node node;
  std::shared_ptr<const std::string> file;
  std::string path;
  SourceLocation fallback;  // location of the parent map, for missing keys
};

namespace {

SourceLocation location_of(const YAML::Node& n, const std::string& file) {
  SourceLocation loc{file, 0, 0};
  if (n.IsDefined()) {
    YAML::Mark m = n.Mark();
    if (m.line >= 0) {
      loc.line = m.line + 1;
      loc.column = m.column + 1;
    }
  }
  return loc;
}

// A mapping key as text. YAML allows lists, maps and null as keys; chipwright's
// formats only use plain names, so anything else is the user's mistake.
std::string key_text(const YAML::Node& key, const std::string& file, const std::string& path) {
  if (!key.IsScalar()) {
    throw UserError(location_of(key, file), path, "a key must be a plain name",
                    "write `name: value`; lists, maps and ~ cannot be keys");
  }
  return key.Scalar();
}

std::string last_key(const std::string& path) {
  if (path.empty()) return "(document)";
  return path;
}

}  // namespace

ConfigNode::ConfigNode() : impl_(std::make_unique<Impl>()) {}
ConfigNode::~ConfigNode() = default;
ConfigNode::ConfigNode(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ConfigNode::ConfigNode(const ConfigNode& o) : impl_(std::make_unique<Impl>(*o.impl_)) {}
ConfigNode& ConfigNode::operator=(const ConfigNode& o) {
  if (this != &o) impl_ = std::make_unique<Impl>(*o.impl_);
  return *this;
}

ConfigNode ConfigNode::load_string(const std::string& text, const std::string& name) {
  auto impl = std::make_unique<Impl>();
  impl->file = std::make_shared<const std::string>(name);
  try {
    impl->node = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    SourceLocation loc{name, e.mark.line >= 0 ? e.mark.line + 1 : 0,
                       e.mark.column >= 0 ? e.mark.column + 1 : 0};
    throw UserError(loc, "", "malformed YAML: " + e.msg,
                    "check indentation, colons and quoting near this position");
  }
  impl->fallback = SourceLocation{name, 1, 1};
  return ConfigNode(std::move(impl));
}

std::string read_config_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw UserError(SourceLocation{path.string()}, "", "cannot open file",
                    "check that the path exists and is readable");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ConfigNode ConfigNode::load_file(const std::filesystem::path& path) {
  return load_string(read_config_file(path), path.string());
}

bool ConfigNode::is_map() const { return impl_->node.IsMap(); }
bool ConfigNode::is_sequence() const { return impl_->node.IsSequence(); }
bool ConfigNode::is_scalar() const { return impl_->node.IsScalar(); }
bool ConfigNode::is_null() const { return !impl_->node.IsDefined() || impl_->node.IsNull(); }
const std::string& ConfigNode::file() const { return *impl_->file; }
const std::string& ConfigNode::path() const { return impl_->path; }

SourceLocation ConfigNode::where() const {
  SourceLocation loc = location_of(impl_->node, *impl_->file);
  return loc.line > 0 ? loc : impl_->fallback;
}

void ConfigNode::fail(const std::string& problem, const std::string& hint) const {
  throw UserError(where(), last_key(impl_->path), problem, hint);
}

ConfigNode ConfigNode::child(const std::string& key, const std::string& child_path) const {
  auto impl = std::make_unique<Impl>();
  impl->node = impl_->node[key];
  impl->file = impl_->file;
  impl->path = child_path;
  impl->fallback = where();
  (void)key;
  return ConfigNode(std::move(impl));
}

bool ConfigNode::has(const std::string& key) const {
  return impl_->node.IsMap() && impl_->node[key].IsDefined();
}

ConfigNode ConfigNode::required(const std::string& key) const {
  if (!impl_->node.IsMap()) fail("expected a mapping of keys to values");
  std::string p = impl_->path.empty() ? key : impl_->path + "." + key;
  if (!impl_->node[key].IsDefined()) {
    throw UserError(where(), p, "required key is missing",
                    "add '" + key + ":' to " + (impl_->path.empty() ? "the document" : impl_->path));
  }
  return child(key, p);
}

std::optional<ConfigNode> ConfigNode::optional(const std::string& key) const {
  if (!impl_->node.IsMap()) fail("expected a mapping of keys to values");
  if (!impl_->node[key].IsDefined()) return std::nullopt;
  return child(key, impl_->path.empty() ? key : impl_->path + "." + key);
}

std::vector<std::string> ConfigNode::keys() const {
  std::vector<std::string> out;
  if (!impl_->node.IsMap()) return out;
  for (const auto& kv : impl_->node) out.push_back(key_text(kv.first, *impl_->file, impl_->path));
  return out;
}

void ConfigNode::expect_keys(std::initializer_list<const char*> allowed) const {
  expect_keys(std::vector<std::string>(allowed.begin(), allowed.end()));
}

void ConfigNode::expect_keys(const std::vector<std::string>& allowed) const {
  if (!impl_->node.IsMap()) fail("expected a mapping of keys to values");
  for (const auto& kv : impl_->node) {
    std::string key = key_text(kv.first, *impl_->file, impl_->path);
    bool ok = false;
    for (const auto& a : allowed) ok = ok || a == key;
    if (ok) continue;
    std::string p = impl_->path.empty() ? key : impl_->path + "." + key;
    throw UserError(location_of(kv.first, *impl_->file), p, "unknown key",
                    suggestion(key, allowed));
  }
}

std::vector<ConfigNode> ConfigNode::items() const {
  if (!impl_->node.IsSequence()) fail("expected a list");
  std::vector<ConfigNode> out;
  size_t i = 0;
  for (auto it = impl_->node.begin(); it != impl_->node.end(); ++it) {
    auto impl = std::make_unique<Impl>();
    impl->node = YAML::Node(*it);
    impl->file = impl_->file;
    impl->path = impl_->path + "[" + std::to_string(i++) + "]";
    impl->fallback = where();
    out.push_back(ConfigNode(std::move(impl)));
  }
  return out;
}

std::string ConfigNode::as_string() const {
  if (!impl_->node.IsScalar()) fail("expected a single value");
  return impl_->node.Scalar();
}

double ConfigNode::as_double() const {
  std::string s = as_string();
  try {
    size_t used = 0;
    double v = std::stod(s, &used);
    if (used == s.size() && std::isfinite(v)) return v;
  } catch (const std::exception&) {
  }
  fail("expected a number, got \"" + s + "\"");
}

int64_t ConfigNode::as_int() const {
  std::string s = as_string();
  try {
    size_t used = 0;
    long long v = std::stoll(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  fail("expected a whole number, got \"" + s + "\"");
}

bool ConfigNode::as_bool() const {
  std::string s = as_string();
  if (s == "true" || s == "True" || s == "yes") return true;
  if (s == "false" || s == "False" || s == "no") return false;
  fail("expected true or false, got \"" + s + "\"");
}

double ConfigNode::as_quantity(UnitKind kind) const {
  auto r = parse_quantity(as_string(), kind);
  if (auto* err = std::get_if<std::string>(&r)) fail(*err);
  double v = std::get<double>(r);
  if (v < 0) fail("must not be negative, got \"" + as_string() + "\"");
  return v;
}

double ConfigNode::as_double_in(double lo, double hi) const {
  double v = as_double();
  if (!(v > lo && v <= hi)) {
    fail("must be in (" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + as_string());
  }
  return v;
}

}  // namespace cw
