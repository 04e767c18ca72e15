#include "vm/event_loop.hpp"

#include <libvirt/libvirt.h>

#include <mutex>

#include "vm/libvirt_handles.hpp"

namespace benchrun::vm {
namespace {

void wake_only(int /*timer*/, void* /*opaque*/) {}

}  // namespace

std::shared_ptr<EventLoop> EventLoop::acquire() {
  // The only process-wide state of vm/: libvirt's event implementation is itself process-global, so a
  // second concurrent loop thread would race the first.
  static std::mutex mutex;
  static std::weak_ptr<EventLoop> current;
  static std::once_flag registered;
  const std::lock_guard lock(mutex);
  if (auto loop = current.lock()) return loop;
  std::call_once(registered, [] {
    if (virEventRegisterDefaultImpl() < 0) throw libvirt_error("virEventRegisterDefaultImpl");
  });
  auto loop = std::make_shared<EventLoop>(Private{});
  current = loop;
  return loop;
}

EventLoop::EventLoop(Private) : thread_([this] { run(); }) {}

EventLoop::~EventLoop() {
  stopping_.store(true);
  // virEventRunDefaultImpl blocks in poll() until something happens; a zero timeout is "something".
  const int timer = virEventAddTimeout(0, wake_only, nullptr, nullptr);
  thread_.join();
  if (timer >= 0) virEventRemoveTimeout(timer);
}

void EventLoop::run() noexcept {
  while (!stopping_.load()) {
    if (virEventRunDefaultImpl() < 0) break;  // only on a broken poll(); nothing left to serve
  }
}

}  // namespace benchrun::vm
