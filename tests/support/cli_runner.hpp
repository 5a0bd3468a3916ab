// Runs the chipwright binary as a user would, for CLI tests.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

namespace cw::test {

struct CliRun {
  int code = -1;     // exit status
  std::string out;   // stdout, plus stderr unless stdout_only
};

// Runs `chipwright ARGS`; stderr joins stdout unless `stdout_only` (for JSON).
inline CliRun run(const std::string& args, bool stdout_only = false) {
  CliRun r;
  std::string cmd = std::string(CHIPWRIGHT_BINARY) + " " + args +
                    (stdout_only ? " 2>/dev/null" : " 2>&1");
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline CliRun run_stdout(const std::string& args) { return run(args, true); }

// `chipwright ARGS` exits 2 and its message contains `hint`.
inline void expect_refused(const std::string& args, const std::string& hint) {
  CliRun r = run(args);
  EXPECT_EQ(r.code, 2) << args;
  EXPECT_NE(r.out.find(hint), std::string::npos) << args << ": " << r.out;
}

// Writes `text` to a file in the test temp dir and returns its path.
inline std::string temp_file(const std::string& name, const std::string& text) {
  std::string path = testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace cw::test
