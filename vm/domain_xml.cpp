#include "vm/domain_xml.hpp"

#include <algorithm>
#include <string_view>

#include <fmt/format.h>

#include "sys/error.hpp"
#include "sys/markup_escape.hpp"

namespace benchrun::vm {
namespace {

std::string console_devices(const DomainSpec& spec) {
  if (spec.console == ConsoleKind::fifo) {
    if (spec.console_fifo.empty()) throw sys::Error("domain XML: console fifo path is empty");
    // type='pipe': QEMU writes into <path>.out (and reads <path>.in), fifos the host made. QEMU opens them
    // read-write, so it never blocks on open, and whatever the guest prints before the host reads waits
    // in the pipe instead of being dropped (a pty drops output while nobody has it open).
    return fmt::format("    <serial type='pipe'><source path='{}'/><target port='0'/></serial>\n",
                       sys::markup_escape(spec.console_fifo));
  }
  return "    <serial type='pty'><target port='0'/></serial>\n";
}

// The results port: a virtio-serial controller and one channel whose host side is a plain file. QEMU opens
// the file itself (truncating it) and writes every byte the guest sends, so the whole tar is on disk by
// the time QEMU exits, with no reader of ours racing the guest's poweroff. libvirt's DAC driver hands the
// file to QEMU's user at start and back afterwards, as it does the console fifos.
std::string results_devices(const DomainSpec& spec) {
  if (spec.results_file.empty()) return {};
  return fmt::format(
      "    <controller type='virtio-serial' index='0'/>\n"
      "    <channel type='file'><source path='{}'/><target type='virtio' name='{}'/></channel>\n",
      sys::markup_escape(spec.results_file), results_channel_name);
}

}  // namespace

std::string disk_devices(const std::vector<std::string>& files, const DomainTunables& tunables) {
  if (files.size() > 26) throw sys::Error(fmt::format("domain XML: {} disks, at most 26 (vda..vdz)", files.size()));
  std::string xml;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (files[i].empty() || files[i].front() != '/')
      throw sys::Error(fmt::format("domain XML: disk file '{}' must be an absolute path", files[i]));
    xml += "    <disk type='file' device='disk'>\n";
    xml += "      <driver name='qemu' type='raw' cache='none' io='native'/>\n";
    xml += fmt::format("      <source file='{}'/>\n", sys::markup_escape(files[i]));
    xml += fmt::format("      <target dev='vd{}' bus='virtio'/>\n", static_cast<char>('a' + i));
    xml += iotune_xml(tunables);
    xml += "    </disk>\n";
  }
  return xml;
}

std::string nic_device(const std::string& tap) {
  if (tap.empty() || tap.size() > 15 || tap.find_first_of("/ '\"<>&") != std::string::npos) {
    throw sys::Error(fmt::format("domain XML: tap name '{}' must be 1 to 15 bytes of a plain interface name", tap));
  }
  // type ethernet + managed='no': libvirt opens the tap we made and passes the fd to QEMU, nothing else (no
  // bridge, no address, no deletion at stop). virtio: the paravirtual NIC a container's veth is compared
  // with. rom off: a direct kernel boot needs no iPXE option ROM (one file less to load, one less package).
  return fmt::format(
      "    <interface type='ethernet'>\n"
      "      <target dev='{}' managed='no'/>\n"
      "      <model type='virtio'/>\n"
      "      <rom enabled='no'/>\n"
      "    </interface>\n",
      tap);
}

std::string domain_xml(const DomainSpec& spec) {
  if (spec.domain_type != "kvm" && spec.domain_type != "qemu") {
    throw sys::Error(fmt::format("domain XML: domain type '{}' is neither kvm nor qemu", spec.domain_type));
  }
  if (spec.name.empty()) throw sys::Error("domain XML: empty domain name");
  if (spec.vcpus == 0) throw sys::Error("domain XML: a guest needs at least one vCPU");
  if (spec.memory_mib < 16)
    throw sys::Error(fmt::format("domain XML: {} MiB is too little for the kernel", spec.memory_mib));
  if (spec.kernel.empty() || spec.initramfs.empty()) throw sys::Error("domain XML: kernel and initramfs are required");

  // Why each element is there:
  // - machine q35: libvirt 9.0 refuses microvm ("No PCI buses available"); q35 boots as fast as pc here.
  // - <acpi/>: without it libvirt passes -no-acpi and benchinit's poweroff only halts the vCPU.
  // - on_poweroff destroy: the QEMU process ends as soon as benchinit powers off.
  // - cpu host-passthrough under kvm: the guest sees the host CPU; TCG keeps QEMU's default model (the
  //   "max" model costs TCG time emulating features nobody uses).
  // - no <interface> unless a tap is given (the network cases), usb model none, memballoon none, no
  //   graphics/video: nothing to probe at boot, no device the workload does not need (each one is emulated
  //   PCI work under TCG).
  // - seclabel none: the guest needs no SELinux/AppArmor label, and a host that has a security driver
  //   would otherwise try to generate a profile for every guest.
  std::string xml;
  xml += fmt::format("<domain type='{}'>\n", spec.domain_type);
  xml += fmt::format("  <name>{}</name>\n", sys::markup_escape(spec.name));
  xml += fmt::format("  <memory unit='MiB'>{}</memory>\n", spec.memory_mib);
  xml += fmt::format("  <vcpu>{}</vcpu>\n", spec.vcpus);
  xml += cputune_xml(spec.tunables, spec.vcpus);
  xml += "  <os>\n";
  xml += "    <type arch='x86_64' machine='q35'>hvm</type>\n";
  xml += fmt::format("    <kernel>{}</kernel>\n", sys::markup_escape(spec.kernel));
  xml += fmt::format("    <initrd>{}</initrd>\n", sys::markup_escape(spec.initramfs));
  xml += fmt::format("    <cmdline>{}</cmdline>\n", sys::markup_escape(spec.cmdline));
  xml += "  </os>\n";
  xml += "  <features><acpi/></features>\n";
  if (spec.domain_type == "kvm") xml += "  <cpu mode='host-passthrough'/>\n";
  xml += "  <on_poweroff>destroy</on_poweroff>\n";
  xml += "  <on_reboot>destroy</on_reboot>\n";
  xml += "  <on_crash>destroy</on_crash>\n";
  xml += "  <devices>\n";
  if (!spec.emulator.empty()) xml += fmt::format("    <emulator>{}</emulator>\n", sys::markup_escape(spec.emulator));
  xml += console_devices(spec);
  xml += disk_devices(spec.disk_files, spec.tunables);
  xml += results_devices(spec);
  if (!spec.tap_device.empty()) xml += nic_device(spec.tap_device);
  xml += "    <controller type='usb' model='none'/>\n";
  xml += "    <memballoon model='none'/>\n";
  xml += "  </devices>\n";
  xml += "  <seclabel type='none'/>\n";
  xml += "</domain>\n";
  return xml;
}

}  // namespace benchrun::vm
