// write_file_atomically: an existing file is replaced whole or not at all, a
// failure names the path, and no temporary file is left behind.
#include "report/atomic_file.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "config/error.hpp"

namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fresh empty directory per test.
fs::path fresh_dir(const std::string& name) {
  fs::path d =
      fs::path(testing::TempDir()) / ("cw_atomic_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

size_t entries(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

// Lowers the file-size limit for this process while alive (simulates a full
// disk: a write past the limit fails with EFBIG once SIGXFSZ is ignored).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &old_);
    old_handler_ = signal(SIGXFSZ, SIG_IGN);
    rlimit lim = old_;
    lim.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &lim);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &old_);
    signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit old_{};
  sighandler_t old_handler_;
};

const std::string kOld = "{\"old\": true}\n";

TEST(AtomicFile, WritesNewFileAndReplacesExistingOne) {
  fs::path d = fresh_dir("replace");
  fs::path f = d / "out.json";
  cw::write_file_atomically(f, "first");
  EXPECT_EQ(read(f), "first");
  cw::write_file_atomically(f, std::string(100000, 'x'));
  EXPECT_EQ(read(f), std::string(100000, 'x'));
  cw::write_file_atomically(f, "");
  EXPECT_EQ(read(f), "");
  EXPECT_EQ(entries(d), 1u) << "a temporary file was left behind";
}

TEST(AtomicFile, KeepsPermissionsOfExistingFile) {
  fs::path d = fresh_dir("mode");
  fs::path f = d / "report.csv";
  std::ofstream(f) << kOld;
  fs::permissions(f, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  cw::write_file_atomically(f, "a,b\n");
  EXPECT_EQ(read(f), "a,b\n");
  EXPECT_EQ(fs::status(f).permissions(),
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
}

TEST(AtomicFile, MissingDirectoryIsAUserErrorNamingThePath) {
  fs::path d = fresh_dir("nodir");
  fs::path f = d / "no" / "such" / "dir" / "out.json";
  try {
    cw::write_file_atomically(f, "x");
    FAIL() << "expected a UserError";
  } catch (const cw::UserError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find(f.string()), std::string::npos) << m;
    EXPECT_NE(m.find("cannot write file"), std::string::npos) << m;
    EXPECT_NE(m.find("No such file or directory"), std::string::npos) << m;
  }
  EXPECT_FALSE(fs::exists(f));
}

TEST(AtomicFile, DirectoryTargetIsRefusedAndKept) {
  fs::path d = fresh_dir("isdir");
  fs::create_directory(d / "out");
  std::ofstream(d / "out" / "inside") << kOld;
  EXPECT_THROW(cw::write_file_atomically(d / "out", "x"), cw::UserError);
  EXPECT_EQ(read(d / "out" / "inside"), kOld);
  EXPECT_EQ(entries(d), 1u);
}

TEST(AtomicFile, FailureMidwayLeavesExistingFileWhole) {
  fs::path d = fresh_dir("midway");
  fs::path f = d / "out.json";
  std::ofstream(f) << kOld;
  const std::string big(1 << 20, 'y');  // 1 MiB; the limit below stops it after 64 KiB
  {
    FileSizeLimit limit(64 * 1024);
    try {
      cw::write_file_atomically(f, big);
      FAIL() << "expected a UserError";
    } catch (const cw::UserError& e) {
      std::string m = e.what();
      EXPECT_NE(m.find(f.string()), std::string::npos) << m;
      EXPECT_NE(m.find("writing failed"), std::string::npos) << m;
    }
  }
  EXPECT_EQ(read(f), kOld) << "the old file was truncated or replaced";
  EXPECT_EQ(entries(d), 1u) << "a temporary file was left behind";
  cw::write_file_atomically(f, big);  // works again once there is room
  EXPECT_EQ(read(f), big);
}

TEST(AtomicFile, ProcessKilledMidwayLeavesExistingFileWhole) {
  fs::path d = fresh_dir("killed");
  fs::path f = d / "out.json";
  std::ofstream(f) << kOld;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The kernel kills the child with SIGXFSZ in the middle of its write.
    signal(SIGXFSZ, SIG_DFL);
    rlimit lim{};
    getrlimit(RLIMIT_FSIZE, &lim);
    lim.rlim_cur = 4096;
    setrlimit(RLIMIT_FSIZE, &lim);
    try {
      cw::write_file_atomically(f, std::string(1 << 20, 'z'));
    } catch (...) {
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child was expected to die mid-write";
  EXPECT_EQ(WTERMSIG(status), SIGXFSZ);
  EXPECT_EQ(read(f), kOld) << "an interrupted write truncated the old file";
}

TEST(AtomicFile, ReadOnlyDirectoryIsAUserErrorAndKeepsTheFile) {
  if (geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  fs::path d = fresh_dir("readonly");
  fs::path f = d / "out.json";
  std::ofstream(f) << kOld;
  fs::permissions(d, fs::perms::owner_read | fs::perms::owner_exec);
  EXPECT_THROW(cw::write_file_atomically(f, "new"), cw::UserError);
  fs::permissions(d, fs::perms::owner_all);
  EXPECT_EQ(read(f), kOld);
  EXPECT_EQ(entries(d), 1u);
}

}  // namespace
