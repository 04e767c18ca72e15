// What every runtime integration test needs: the real image, unique instance names, a container whose
// stdout is captured, and the check that nothing of an instance is left on the host.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "runtime/container.hpp"

namespace benchrun::runtime::testing {

// ${BENCHRUN_IMAGE_DIR:-$BENCHRUN_SOURCE_DIR/images/default}/rootfs; fails the test when missing.
std::filesystem::path image_rootfs();

// A config for `argv` run under benchinit, with a unique name.
ContainerConfig config_for(std::vector<std::string> workload_argv);

// What a finished instance said and how it ended.
struct Outcome {
  ExitStatus status;
  std::string output;  // stdout and stderr together
  CgroupStats stats;   // read after exit, before destroy
  PhaseTimes phases;
  std::vector<std::filesystem::path> cgroup_paths;  // read before destroy
};

// Starts, waits (up to `timeout`), reads stats, destroys, and checks that nothing leaked (the instance's
// cgroup dirs under config.cgroup_root included, whatever tree that is).
Outcome run_to_completion(ContainerConfig config, std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Runs /bin/sh -c `script` under benchinit and returns its output.
Outcome run_shell(const std::string& script, ContainerConfig config = config_for({}));

// gtest assertions that no cgroup dir, state dir, mount or process of `name` / `pid` remains.
void expect_nothing_left(const std::string& name, pid_t pid);

}  // namespace benchrun::runtime::testing
