// A connection to a libvirt QEMU driver. By default the embedded driver (qemu:///embed?root=DIR): libvirt's
// QEMU driver runs inside benchrun, no daemon, state under DIR. Any other URI (qemu:///system,
// qemu:///session, qemu+ssh://host/system) is passed to libvirt unchanged. Opening the embedded driver
// costs tens of milliseconds (more on the very first open of a root, when libvirt probes QEMU's
// capabilities and caches them under DIR/cache): keep one Connection for a whole run.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "vm/event_loop.hpp"
#include "vm/libvirt_handles.hpp"

namespace benchrun::vm {

// Where benchrun keeps the embedded driver's state unless told otherwise.
inline constexpr const char* default_state_dir = "/var/lib/benchrun/libvirt";

// "qemu:///embed?root=<state_dir>"
std::string default_embed_uri(const std::filesystem::path& state_dir = default_state_dir);

// The root directory of an embedded-driver URI, nullopt for any other URI.
std::optional<std::filesystem::path> embed_root_of(const std::string& uri);

// Whether the embedded driver puts QEMU in cgroups of its own: off for plain guests (no cgroup work on every
// create), on for a root whose guests have a CPU quota (tunables.hpp), on_with_devices for a root whose guests'
// devices the host judges (the limits suite's devices check: libvirt's devices cgroup, cgroup_device_acl).
// Daemon drivers follow their own qemu.conf.
enum class EmbedCgroups { off, on, on_with_devices };

// Writes <root>/etc/qemu.conf for the embedded driver (see connection.cpp for each setting and why).
void prepare_embed_root(const std::filesystem::path& root, EmbedCgroups cgroups = EmbedCgroups::off);

class Connection {
 public:
  // Opens `uri`; for an embedded URI first prepares its root. Starts libvirt's event loop if needed.
  // Errors read "libvirt connection <uri>: ...".
  static Connection open(const std::string& uri, EmbedCgroups cgroups = EmbedCgroups::off);

  [[nodiscard]] virConnectPtr get() const noexcept { return connect_.get(); }
  // Another reference to the same libvirt connection and event loop, for objects that must outlive a
  // moved or closed Connection (a Guest holds one).
  [[nodiscard]] VirConnect share() const;
  [[nodiscard]] std::shared_ptr<EventLoop> event_loop() const noexcept { return event_loop_; }
  [[nodiscard]] const std::string& uri() const noexcept { return uri_; }
  // The embedded driver's root; nullopt for a daemon or remote URI.
  [[nodiscard]] const std::optional<std::filesystem::path>& embed_root() const noexcept { return embed_root_; }
  // True when QEMU runs on this machine (embedded, qemu:///system, qemu:///session): its pid, /proc and
  // a console fifo are reachable. False for remote URIs.
  [[nodiscard]] bool is_local() const noexcept { return local_; }
  // The best domain type the driver offers, "kvm" or "qemu" (TCG), from its capabilities; asked once, on
  // open. "kvm" only says /dev/kvm is there, not that a guest boots with it: see accelerator.hpp.
  [[nodiscard]] const std::string& domain_type() const noexcept { return domain_type_; }
  // libvirt and hypervisor versions, "9.0.0" / "7.2.0", for the report's environment.
  [[nodiscard]] std::string libvirt_version() const;
  [[nodiscard]] std::string hypervisor_version() const;

 private:
  Connection() = default;

  // Declared first so it is destroyed last: the connection closes while the loop still runs.
  std::shared_ptr<EventLoop> event_loop_;
  VirConnect connect_;
  std::string uri_;
  std::optional<std::filesystem::path> embed_root_;
  bool local_ = false;
  std::string domain_type_;
};

}  // namespace benchrun::vm
