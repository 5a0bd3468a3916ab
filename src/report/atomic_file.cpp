#include "report/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "config/error.hpp"

namespace cw {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what, int err) {
  throw UserError(SourceLocation{path.string()}, "",
                  "cannot write file: " + what + ": " + std::strerror(err),
                  "check that the directory exists, is writable and has free space");
}

// Closes and unlinks the temporary file unless released (the rename happened).
class TempFile {
 public:
  TempFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  // Closes the descriptor; returns 0 or an errno value.
  int close() {
    int r = ::close(fd_);
    fd_ = -1;
    return r == 0 ? 0 : errno;
  }
  void release() { path_.clear(); }

 private:
  int fd_;
  std::string path_;
};

// A fresh file beside `target`: ".<name>.tmp.<pid>.<n>", created exclusively.
TempFile create_temp_beside(const std::filesystem::path& target) {
  static std::atomic<unsigned> counter{0};
  std::filesystem::path dir = target.parent_path();
  std::string stem = "." + target.filename().string() + ".tmp." + std::to_string(::getpid()) + ".";
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::filesystem::path tmp = dir / (stem + std::to_string(counter.fetch_add(1)));
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return TempFile(fd, tmp.string());
    int err = errno;
    if (err != EEXIST) fail(target, "cannot create a temporary file in its directory", err);
  }
  fail(target, "cannot find a free temporary file name", EEXIST);
}

void write_all(const std::filesystem::path& target, int fd, const std::string& content) {
  const char* p = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      int err = errno;
      if (err == EINTR) continue;
      fail(target, "writing failed", err);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

// Makes the rename itself durable; best effort (some file systems refuse).
void sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  if (path.empty() || !path.has_filename()) fail(path, "not a file name", EINVAL);
  struct stat existing {};
  bool exists = ::stat(path.c_str(), &existing) == 0;
  if (exists && S_ISDIR(existing.st_mode)) fail(path, "it is a directory", EISDIR);

  TempFile tmp = create_temp_beside(path);
  if (exists && ::fchmod(tmp.fd(), existing.st_mode & 07777) != 0) {
    int err = errno;
    fail(path, "cannot copy the permissions of the existing file", err);
  }
  write_all(path, tmp.fd(), content);
  if (::fsync(tmp.fd()) != 0) {
    int err = errno;
    fail(path, "flushing to disk failed", err);
  }
  if (int err = tmp.close(); err != 0) fail(path, "closing the temporary file failed", err);
  if (::rename(tmp.path().c_str(), path.c_str()) != 0) {
    int err = errno;
    fail(path, "renaming the temporary file over it failed", err);
  }
  tmp.release();
  sync_directory(path.parent_path());
}

}  // namespace cw
