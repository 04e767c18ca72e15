#include "runtime/state_dir.hpp"

#include <unistd.h>


#include "runtime/sys/error.hpp"
#include "runtime/sys/file_io.hpp"

namespace benchrun::runtime {

void ensure_state_root(const std::filesystem::path& root) {
  std::error_code error;
  std::filesystem::create_directories(root, error);
  if (error) throw SystemError(error.value(), "mkdir " + root.string());
}

StateDir StateDir::create(const std::filesystem::path& root, const std::string& name) {
  return with_context("state dir", [&] {
    ensure_state_root(root);
    const auto path = root / name;
    if (::symlink(std::to_string(::getpid()).c_str(), path.c_str()) != 0) throw_errno("symlink " + path.string());
    return StateDir(path);
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
  if (error) throw SystemError(error.value(), "state dir: remove " + path_.string());
  path_.clear();
}

std::optional<pid_t> read_state_dir_owner(const std::filesystem::path& entry) {
  try {
    std::error_code error;
    const auto content = std::filesystem::is_symlink(entry, error) ? std::filesystem::read_symlink(entry).string()
                                                                   : sys::read_file(entry / "owner");
    return static_cast<pid_t>(std::stol(content));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace benchrun::runtime
