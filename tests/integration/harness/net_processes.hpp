// What the network tests look at on the host: which processes run where, and which network namespaces are
// alive (a process is in it or holds an fd of it).
#pragma once

#include <net/if.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

namespace benchrun::testing {

// Pid -> network namespace inode of every process whose command name is `comm`.
inline std::map<int, unsigned long long> processes_named(const std::string& comm) {
  std::map<int, unsigned long long> found;
  std::error_code error;
  for (const auto& process : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = process.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream comm_file(process.path() / "comm");
    std::string line;
    if (!std::getline(comm_file, line) || line != comm) continue;
    struct stat status {};
    if (::stat((process.path() / "ns/net").c_str(), &status) == 0) found[std::stoi(name)] = status.st_ino;
  }
  return found;
}

// Every network namespace inode a process is in or holds an fd of.
inline std::set<unsigned long long> live_network_namespaces() {
  std::set<unsigned long long> found;
  std::error_code error;
  for (const auto& process : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = process.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    struct stat status {};
    if (::stat((process.path() / "ns/net").c_str(), &status) == 0) found.insert(status.st_ino);
    std::error_code fd_error;
    for (const auto& fd : std::filesystem::directory_iterator(process.path() / "fd", fd_error)) {
      std::error_code link_error;
      if (std::filesystem::read_symlink(fd.path(), link_error).string().starts_with("net:[") && !link_error &&
          ::stat(fd.path().c_str(), &status) == 0) {
        found.insert(status.st_ino);
      }
    }
  }
  return found;
}

// Whether the host's network namespace (the test's own) has a link of that name.
inline bool host_has_link(const std::string& name) { return ::if_nametoindex(name.c_str()) != 0; }

}  // namespace benchrun::testing
