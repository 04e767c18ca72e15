// What a guest leaves behind in its /results folder: benchinit writes it as one uncompressed tar stream
// (busybox tar: ustar headers, GNU long names, paths "./...") to the results virtio-serial port, which QEMU
// writes into a host file (domain_xml.hpp). After QEMU exited the host unpacks that file into a folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace benchrun::vm {

struct ResultsExtraction {
  std::vector<std::string> files;    // regular files written, relative to the folder, in archive order
  std::vector<std::string> refused;  // entries not unpacked and why: "NAME: absolute path", "NAME: symlink"...
  // What was lost when the stream ended early or broke ("NAME: 512 of 4096 bytes arrived, dropped", "no
  // end-of-archive marker: entries after NAME may be lost", "header at byte 1024 is corrupt ..."); nullopt
  // for a whole archive. An empty file says that too: the guest never wrote its results.
  std::optional<std::string> lost;
};

// Unpacks the tar at `tar_file` into `dest` (made if missing). Only regular files and folders are
// unpacked; a name that is absolute, holds "..", or would pass through a symlink is refused, links and
// devices are refused, so nothing is written outside `dest`. A file cut short by the stream's end is
// removed: what is there is complete. Throws Error when `tar_file` cannot be read or `dest` written.
ResultsExtraction extract_results_tar(const std::filesystem::path& tar_file, const std::filesystem::path& dest);

// The host file QEMU writes the results port into: created empty (0600, as the console fifos: libvirt
// hands it to QEMU's user) when constructed, removed when destroyed.
class ResultsFile {
 public:
  explicit ResultsFile(std::filesystem::path path);
  ~ResultsFile();
  ResultsFile(const ResultsFile&) = delete;
  ResultsFile& operator=(const ResultsFile&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  // extract_results_tar of the file; call once QEMU has exited (the file is complete then).
  [[nodiscard]] ResultsExtraction extract_to(const std::filesystem::path& dest) const;

 private:
  std::filesystem::path path_;
};

}  // namespace benchrun::vm
