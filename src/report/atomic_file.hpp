// Writing output files (JSON, CSV, timelines, reports) so that an interrupted
// or failing run never leaves a truncated file: the content goes to a
// temporary file in the same directory, is flushed to disk, and is renamed
// over the target in one step (rename is atomic within a file system).
#pragma once

#include <filesystem>
#include <string>

namespace cw {

// Replaces `path` with `content` atomically: readers see the old file or the
// new one, never a mix or a prefix. An existing file keeps its permission
// bits; a new one gets 0666 less the umask. Throws UserError naming the path
// and the reason when it cannot write (missing directory, no permission, disk
// full); the old file is then untouched and no temporary file is left.
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace cw
