// A fresh empty folder under the system's temp dir for one test, made with mkdtemp (so unique across
// processes and threads) and removed with everything in it by the destructor.
#pragma once

#include <filesystem>
#include <string_view>

namespace benchrun::testing {

class TempDir {
 public:
  // `prefix` names the folder (`<prefix>-XXXXXX`) so a leftover says which test made it.
  explicit TempDir(std::string_view prefix = "benchrun-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace benchrun::testing
