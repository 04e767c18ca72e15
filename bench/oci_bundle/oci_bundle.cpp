// oci-bundle: config.json for crun and runc, made as the oci:crun and oci:runc backends make theirs (an
// InstanceSpec through container_config() and runtime/oci's writer), for tools that run the runtimes
// themselves (bench/compare-runtimes.sh). The root is the image's rootfs itself, read-only: a bundle run
// outside benchrun has no launcher to mount the instance's writable layer.
//
//   oci-bundle --rootfs DIR --name NAME --out DIR [--memory BYTES] [--pids N] [--cpus X] [--no-seccomp] -- PROGRAM
//   ARGS...
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "harness/backends/container.hpp"
#include "runtime/oci/oci_config.hpp"
#include "sys/file_io.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Writes <out>/config.json: the OCI bundle config of benchrun's oci backends for one instance"};
  std::filesystem::path rootfs;
  std::filesystem::path out;
  benchrun::harness::InstanceSpec spec;
  std::vector<std::string> command;
  bool no_seccomp = false;
  app.add_option("--rootfs", rootfs, "The image's rootfs (the bundle's read-only root)")->required();
  app.add_option("--name", spec.name, "Instance name: the hostname and the cgroup (<name>/oci at each root)")
      ->required();
  app.add_option("--out", out, "Bundle folder (made if missing)")->required();
  app.add_option("--memory", spec.limits.memory_bytes, "Memory limit in bytes");
  app.add_option("--pids", spec.limits.pids_max, "Maximum number of processes");
  app.add_option("--cpus", spec.limits.cpus, "CPU quota in cores");
  app.add_flag("--no-seccomp", no_seccomp, "Without the default seccomp filter");
  app.add_option("command", command, "The program in the image and its arguments (after --)")->required();
  CLI11_PARSE(app, argc, argv);

  try {
    spec.workload = command.front();
    spec.workload_args.assign(command.begin() + 1, command.end());
    spec.seccomp = !no_seccomp;
    const auto config = benchrun::harness::container_config(std::filesystem::absolute(rootfs), spec, {});
    const auto written = benchrun::runtime::oci::make_config(config, {std::filesystem::absolute(rootfs), true});
    std::filesystem::create_directories(out);
    benchrun::sys::write_file_atomically(out / "config.json", written.dump(2) + "\n");
  } catch (const std::exception& error) {
    std::fprintf(stderr, "oci-bundle: %s\n", error.what());
    return 1;
  }
  return 0;
}
