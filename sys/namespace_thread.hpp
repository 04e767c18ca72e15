// Work done inside another namespace of the same kind as the calling thread's, without moving the calling
// thread: setns(2) changes only the thread that calls it, so the work runs on a short-lived thread that
// joins the namespace first and ends there. What that thread opens (a netlink socket, /dev/net/tun) or
// spawns (posix_spawn, libvirt's QEMU) belongs to the namespace; nothing else of benchrun ever enters it.
#pragma once

#include <sched.h>

#include <exception>
#include <optional>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>

#include "sys/error.hpp"

namespace benchrun::sys {

// Runs `body` on a thread that joined the namespace `namespace_fd` (of kind `namespace_type`, e.g.
// CLONE_NEWNET). Returns what `body` returns; rethrows what it throws; throws SystemError naming `what`
// when the setns fails.
template <typename Body>
auto run_in_namespace_thread(int namespace_fd, int namespace_type, std::string_view what, Body&& body)
    -> decltype(body()) {
  using Result = decltype(body());
  std::exception_ptr failure;
  std::conditional_t<std::is_void_v<Result>, int, std::optional<Result>> result{};
  std::thread thread([&] {
    try {
      if (::setns(namespace_fd, namespace_type) != 0) throw_errno(what);
      if constexpr (std::is_void_v<Result>) {
        body();
      } else {
        result.emplace(body());
      }
    } catch (...) {
      failure = std::current_exception();
    }
  });
  thread.join();
  if (failure) std::rethrow_exception(failure);
  if constexpr (!std::is_void_v<Result>) return std::move(*result);
}

}  // namespace benchrun::sys
