// libFuzzer target: process-node YAML (src/silicon/process_node.hpp).
// UserError is a normal outcome; any other exception, crash or sanitizer
// report is a finding.
#include <cstddef>
#include <cstdint>

#include "fuzz_parsers.hpp"
#include "silicon/process_node.hpp"

namespace {
void parse_node_yaml(const std::string& text) {
  cw::parse_node(cw::ConfigNode::load_string(text, "fuzz-node.yaml"));
}
}  // namespace

CW_FUZZ_TARGET(parse_node_yaml)
