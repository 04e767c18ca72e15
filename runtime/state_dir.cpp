#include "runtime/state_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <unistd.h>
#include <cstdio>

#include <fmt/format.h>

#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::runtime {

namespace {

void make_dir(const std::filesystem::path& path) {
  if (::mkdir(path.c_str(), 0755) != 0) sys::throw_errno("mkdir " + path.string());
}

}  // namespace

void ensure_state_root(const std::filesystem::path& root) {
  std::error_code error;
  std::filesystem::create_directories(root, error);
  if (error) throw sys::SystemError(error.value(), "mkdir " + root.string());
}

StateDir StateDir::create(const std::filesystem::path& root, const std::string& name) {
  return sys::with_context("state dir", [&] {
    ensure_state_root(root);
    // Another benchrun's sweep may list the root at any moment, and takes a directory without a live
    // owner for a leftover: the directory is made whole under a staging name and renamed into place
    // (atomic), so no sweep ever sees it without its owner file.
    StateDir dir;
    const auto staging = root / (std::string(staging_prefix) + name);
    make_dir(staging);
    dir.path_ = staging;  // owned from here on: a failure below removes it
    sys::write_file_new(dir.path_ / "owner", fmt::format("{}\n", ::getpid()));
    if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, (root / name).c_str(), RENAME_NOREPLACE) != 0) {
      sys::throw_errno("rename " + staging.string() + " to " + (root / name).string());
    }
    dir.path_ = root / name;
    return dir;
  });
}

StateDir::StateDir(StateDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

StateDir& StateDir::operator=(StateDir&& other) noexcept {
  if (this != &other) {
    try {
      remove();
    } catch (...) {  // never throws; the sweep removes what is left
    }
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

StateDir::~StateDir() {
  try {
    remove();
  } catch (...) {  // the sweep removes what is left
  }
}

void StateDir::remove() {
  if (path_.empty()) return;
  std::error_code error;
  std::filesystem::remove_all(path_, error);
  if (error) throw sys::SystemError(error.value(), "state dir: remove " + path_.string());
  path_.clear();
}

std::optional<pid_t> read_state_dir_owner(const std::filesystem::path& dir) {
  try {
    const auto content = sys::read_file(dir / "owner");
    return static_cast<pid_t>(std::stol(content));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace benchrun::runtime
