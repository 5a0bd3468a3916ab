// SystemSpec: a group of identical chips joined by a scale-up domain (NVLink +
// NVSwitch, xGMI mesh, TPU ICI torus, on-die RoCE) and, across domains, a
// scale-out network (one NIC share per chip). Read from data/systems/*.yaml
// (schema in docs/system-format.md). Values are SI (bytes/s, seconds).
#pragma once

#include <string>
#include <vector>

#include "hardware/chip_spec.hpp"

namespace cw {

// How the chips of one scale-up domain are wired.
enum class Topology {
  // Every chip has all its scale-up links into switches (NVSwitch): any pair
  // talks at the full per-chip bandwidth.
  switched,
  // A direct link bundle between every pair (AMD xGMI, Gaudi 3 RoCE): a pair
  // gets links / (domain - 1) links.
  full_mesh,
  // k-dimensional torus or mesh (TPU ICI, Trainium NeuronLink): one link per
  // neighbour per direction.
  torus,
};
const char* topology_name(Topology t);  // the YAML spelling: "switch", "full_mesh", "torus"
const std::vector<std::string>& topology_names();

struct ScaleUp {
  Topology topology = Topology::switched;
  int domain = 1;      // chips one scale-up domain holds (HGX board 8, NVL72 rack 72, TPU pod 256)
  int links = 0;       // chip ports used for scale-up; each runs at chip.links.bandwidth_per_link
  double latency = 0;  // seconds, one hop (link + switch + synchronisation)
  // Achievable fraction of the links' per-direction bandwidth for collective
  // traffic (protocol, flow control, flags). Each preset cites its source.
  double efficiency = 1.0;
  // In-switch reduction (NVLink SHARP, "NVLS"): the switch reduces and
  // multicasts. 0 = the switch cannot reduce; else the achievable fraction of
  // link bandwidth for multimem traffic.
  double in_switch_efficiency = 0;
  std::vector<int> pod;  // torus: dims of the whole domain, e.g. {16, 16}
  // torus: an axis of a slice wraps around when its size is a multiple of this.
  int wrap_multiple = 0;
  std::vector<int> dims;  // torus: dims of this system's slice (product = chips in one domain)
};

struct ScaleOut {
  std::string type;         // "InfiniBand NDR", "RoCE", "EFA"; empty = none
  double bandwidth = 0;     // bytes/s per chip, each direction (its NIC share); 0 = no scale-out
  double latency = 0;       // seconds, one network hop incl. NIC and software
  double efficiency = 1.0;  // achievable fraction of `bandwidth` for collective traffic
  int max_nodes = 1;        // most scale-up domains the network joins
};

struct SystemSpec {
  std::string id;
  std::string name;
  std::string source_file;
  ChipSpec chip;
  bool standard = false;  // the chip's standard platform (standard_system picks it)
  int count = 1;          // chips in this system
  ScaleUp scale_up;
  ScaleOut scale_out;

  // Scale-up domains the chips span (1 when count <= domain).
  int nodes() const;
  // Chips per occupied domain: min(count, domain).
  int chips_per_node() const;
  // Most chips this platform can hold: domain x max_nodes (domain alone without scale-out).
  int max_count() const;
  // One scale-up port, each direction (chip.links.bandwidth_per_link).
  double link_bandwidth() const { return chip.links.bandwidth_per_link; }
  // All scale-up ports of one chip, each direction.
  double scale_up_bandwidth() const { return scale_up.links * link_bandwidth(); }
};

// The most compact slice shape for `count` chips within `bounds` (a pod's
// dims): the factorisation count = d0·d1·… with every di <= bounds[i] that has
// the smallest largest factor, sorted ascending (8 in 16x16 -> {2, 4}; 16 in a
// 3D pod -> {2, 2, 4}). Empty when none exists.
std::vector<int> torus_shape(int count, const std::vector<int>& bounds);

// Whether a slice axis of `size` chips has wraparound links (a ring, not a line).
bool axis_wraps(int size, int wrap_multiple);

// Why `count` chips cannot be built from `sys`'s platform ("" when they can).
std::string count_problem(const SystemSpec& sys, int count);

// `sys` resized to `count` chips: a partition of one domain, or whole domains
// joined by the scale-out network; torus dims follow. Throws UserError.
SystemSpec resized(const SystemSpec& sys, int count);

}  // namespace cw
