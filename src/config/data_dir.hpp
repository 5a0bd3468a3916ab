// Where presets live: $CHIPWRIGHT_DATA if set, else the data/ folder of the
// source tree chipwright was built from.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace cw {

std::filesystem::path data_dir();

// Preset ids (file stems) in data/<subdir> with the given extension, sorted.
std::vector<std::string> list_presets(const std::string& subdir, const std::string& extension);

// Resolves a preset id or a path. A value containing '/' or ending in
// `extension` is a path; otherwise data/<subdir>/<id><extension>. Throws a
// UserError naming `what` ("chip", "model") with a did-you-mean hint.
std::filesystem::path resolve_preset(const std::string& id_or_path, const std::string& subdir,
                                     const std::string& extension, const std::string& what);

// A preset's file as "data/<subdir>/<file>" (the data folder's location is
// the build's, not the user's business); any other path as given.
std::string shown_preset_path(const std::string& file);

}  // namespace cw
