#include "vm/connection.hpp"

#include <fmt/format.h>

#include "sys/file_io.hpp"
#include "vm/capabilities.hpp"
#include "vm/qemu_process.hpp"

namespace benchrun::vm {
namespace {

constexpr std::string_view embed_prefix = "qemu:///embed?root=";

// The embedded driver reads <root>/etc/qemu.conf. Each line is here for a reason:
// - stdio_handler "file": QEMU's stdout/stderr go to <root>/log/qemu/<name>.log directly; the default
//   "logd" needs the virtlogd daemon, which a fresh machine does not run.
// - security_driver "none": no SELinux/AppArmor profile per guest (AppArmor hosts would otherwise need
//   virt-aa-helper and a loaded profile); file ownership is still handled by libvirt's DAC driver.
// - namespaces [ ]: no private mount namespace with its own /dev per QEMU process. Building it (a tmpfs
//   /dev populated node by node, then the mount moves) runs before QEMU starts on every create.
// - cgroup_controllers [ ]: no per-domain cgroup (machine.slice/...) on every create; benchrun does its own
//   accounting and limits are applied as libvirt tunables only when asked for.
// - remember_owner 0: no xattrs written on the kernel and initramfs to remember the owner to restore.
// Reaping QEMU (see qemu_process.hpp) matters as much: it is what makes destroy take 0.2 s, not 2 s.
constexpr std::string_view embed_qemu_conf =
    "# Written by benchrun (vm/connection.cpp explains each setting). Changes are overwritten.\n"
    "stdio_handler = \"file\"\n"
    "security_driver = \"none\"\n"
    "namespaces = [ ]\n"
    "cgroup_controllers = [ ]\n"
    "remember_owner = 0\n";

// A root for guests with tunables (tunables.hpp): the same, with the cgroups a CPU quota and shares need (cpu), the
// pinning shows up in (cpuset) and the host reads a guest's footprint from (memory, cpuacct). libvirt makes
// /machine/qemu-embed-<hash>-<id>-<name>.libvirt-qemu in each, with vcpuN and emulator children in cpu and
// cpuset, and removes it when the guest goes (the /machine partition stays: EmbedCgroups says who made it).
constexpr std::string_view embed_qemu_conf_with_cgroups =
    "# Written by benchrun (vm/connection.cpp explains each setting). Changes are overwritten.\n"
    "stdio_handler = \"file\"\n"
    "security_driver = \"none\"\n"
    "namespaces = [ ]\n"
    "cgroup_controllers = [ \"cpu\", \"cpuacct\", \"cpuset\", \"memory\" ]\n"
    "remember_owner = 0\n";

// The same with the devices controller: libvirt then denies QEMU every device but its cgroup_device_acl (the
// default: null, full, zero, random, urandom, ptmx, kvm, ...) and the disks and chardevs the domain XML names,
// on v1 in /machine/...libvirt-qemu's devices.list, on v2 with a BPF device program attached there. Only for a
// run that judges it (the limits suite's devices check): it adds cgroup work to every create. On a hybrid host
// libvirt 9.0 attaches its device program in the unified hierarchy (<root>/unified) even without "devices"
// listed (measured: a program on every guest's /machine/...libvirt-qemu there): only `off` runs QEMU unconfined.
constexpr std::string_view embed_qemu_conf_with_devices =
    "# Written by benchrun (vm/connection.cpp explains each setting). Changes are overwritten.\n"
    "stdio_handler = \"file\"\n"
    "security_driver = \"none\"\n"
    "namespaces = [ ]\n"
    "cgroup_controllers = [ \"cpu\", \"cpuacct\", \"cpuset\", \"memory\", \"devices\" ]\n"
    "remember_owner = 0\n";

std::string_view embed_qemu_conf_for(EmbedCgroups cgroups) {
  switch (cgroups) {
    case EmbedCgroups::on:
      return embed_qemu_conf_with_cgroups;
    case EmbedCgroups::on_with_devices:
      return embed_qemu_conf_with_devices;
    case EmbedCgroups::off:
      break;
  }
  return embed_qemu_conf;
}

bool uri_is_local(const std::string& uri) {
  // Remote URIs name a transport (qemu+ssh://, qemu+tcp://) or a host (qemu://host/system).
  return uri.rfind("qemu:///", 0) == 0 || uri.rfind("qemu+unix:///", 0) == 0;
}

std::string format_version(unsigned long version) {
  return fmt::format("{}.{}.{}", version / 1'000'000, (version / 1'000) % 1'000, version % 1'000);
}

}  // namespace

std::string default_embed_uri(const std::filesystem::path& state_dir) {
  return fmt::format("{}{}", embed_prefix, state_dir.string());
}

std::optional<std::filesystem::path> embed_root_of(const std::string& uri) {
  if (uri.rfind(embed_prefix, 0) != 0) return std::nullopt;
  std::string root = uri.substr(embed_prefix.size());
  if (const auto amp = root.find('&'); amp != std::string::npos) root.resize(amp);
  if (root.empty()) return std::nullopt;
  return std::filesystem::path(root);
}

void prepare_embed_root(const std::filesystem::path& root, EmbedCgroups cgroups) {
  const std::string_view conf = embed_qemu_conf_for(cgroups);
  sys::with_context(fmt::format("embedded libvirt root {}", root.string()), [&] {
    std::error_code error;
    std::filesystem::create_directories(root / "etc", error);
    if (error) throw sys::SystemError(error.value(), "create etc/");
    const auto conf_path = root / "etc" / "qemu.conf";
    std::error_code missing;
    if (std::filesystem::exists(conf_path, missing) && sys::read_file(conf_path) == conf) return;
    sys::write_file_atomically(conf_path, conf);
  });
}

Connection Connection::open(const std::string& uri, EmbedCgroups cgroups) {
  return sys::with_context(fmt::format("libvirt connection {}", uri), [&] {
    Connection connection;
    connection.uri_ = uri;
    connection.embed_root_ = embed_root_of(uri);
    connection.local_ = uri_is_local(uri);
    std::filesystem::path log_dir = "/tmp";
    if (connection.embed_root_) {
      prepare_embed_root(*connection.embed_root_, cgroups);
      trim_guest_cpu_probe(*connection.embed_root_);  // before the driver loads the cache
      log_dir = *connection.embed_root_ / "log";
      std::filesystem::create_directories(log_dir);
    }
    initialize_libvirt((log_dir / "libvirt.log").string());
    connection.event_loop_ = EventLoop::acquire();
    // Opening may probe QEMU (a fresh root, or QEMU/libvirt changed): reap those QEMUs as they exit.
    const QemuZombieReaper probe_reaper;
    connection.connect_.reset(virConnectOpen(uri.c_str()));
    if (!connection.connect_) {
      sys::Error error = libvirt_error("virConnectOpen");
      if (connection.embed_root_ && std::string_view(error.what()).find("Failed to parse") != std::string_view::npos) {
        throw sys::Error(
            fmt::format("{} (the embedded QEMU driver needs the user and group libvirt-qemu: "
                        "run scripts/setup.sh)",
                        error.what()));
      }
      throw error;
    }
    // Keepalives make a dead remote peer show up as an error instead of a hang; local drivers refuse
    // them (-1 with no harm) or ignore them.
    if (!connection.local_) virConnectSetKeepAlive(connection.get(), 5, 3);
    std::unique_ptr<char, decltype(&std::free)> caps(virConnectGetCapabilities(connection.get()), &std::free);
    if (!caps) throw libvirt_error("virConnectGetCapabilities");
    connection.domain_type_ = domain_type_from_capabilities(caps.get());
    // A fresh root: the capabilities were just probed and cached with the flag. Trim the file for the
    // next run (this process keeps libvirt's in-memory copy).
    if (connection.embed_root_) trim_guest_cpu_probe(*connection.embed_root_);
    return connection;
  });
}

VirConnect Connection::share() const {
  if (virConnectRef(get()) < 0) throw libvirt_error("virConnectRef");
  return VirConnect(get());
}

std::string Connection::libvirt_version() const {
  unsigned long version = 0;
  if (virConnectGetLibVersion(get(), &version) < 0) throw libvirt_error("virConnectGetLibVersion");
  return format_version(version);
}

std::string Connection::hypervisor_version() const {
  unsigned long version = 0;
  if (virConnectGetVersion(get(), &version) < 0) throw libvirt_error("virConnectGetVersion");
  return format_version(version);
}

}  // namespace benchrun::vm
