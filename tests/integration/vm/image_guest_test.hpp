// What the tests that boot real guests of an image share: the embedded libvirt connection (one per test suite,
// with benchrun's test root), the image's boot files and the emulator wrapper staged per test, and the sweep
// of every guest whose name starts with the test's prefix, before and after each test.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "vm/accelerator.hpp"
#include "vm/boot_files.hpp"
#include "vm/connection.hpp"
#include "vm/emulator_wrapper.hpp"
#include "vm/guest.hpp"
#include "vm/qemu_process.hpp"
#include "vm/sweep.hpp"

namespace benchrun::vm {

// Set in the environment of a test process re-run with /dev/kvm hidden from it (guest_test.cpp).
inline constexpr const char* kvm_hidden_env = "BENCHRUN_TEST_KVM_HIDDEN";

// The embedded driver's root persists between test runs: it caches QEMU's capabilities (probing them
// costs seconds), like benchrun's own /var/lib/benchrun/libvirt. Guests leave nothing in it. A process that
// runs with /dev/kvm hidden has its own: the capabilities differ, and one root takes one driver at a time.
inline const std::filesystem::path embed_root =
    std::getenv(kvm_hidden_env) == nullptr ? "/var/lib/benchrun/test-libvirt" : "/var/lib/benchrun/test-libvirt-nokvm";

// Tests do not probe a doubtful /dev/kvm: KVM only where the host is known to run it.
inline Accelerator test_accelerator() {
  return assess_kvm().verdict == KvmAssessment::Verdict::works ? Accelerator::kvm : Accelerator::tcg;
}

class ImageGuestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    become_child_subreaper();
    connection_ = std::make_unique<Connection>(Connection::open(default_embed_uri(embed_root)));
  }
  static void TearDownTestSuite() { connection_.reset(); }

  // Stages image `images/<image>` for this test; guests of the test are named `<prefix><pid>-...`.
  void stage_image(const std::string& image, const std::string& prefix, const std::string& how_to_build) {
    const auto dir = std::filesystem::path(BENCHRUN_SOURCE_DIR) / "images" / image;
    ASSERT_TRUE(std::filesystem::exists(dir / "vmlinuz") && std::filesystem::exists(dir / "initramfs.cpio"))
        << "image missing at " << dir << ": " << how_to_build;
    prefix_ = prefix;
    run_dir_ = std::filesystem::temp_directory_path() / fmt::format("{}{}", prefix_, ::getpid());
    boot_ = stage_boot_files(image_boot_files(dir), run_dir_);
    // A fixed place: libvirt probes the capabilities of every new emulator path once (seconds).
    emulator_ = stage_emulator_wrapper(std::filesystem::path(BENCHRUN_BINARY_DIR) / "harness" / emulator_wrapper_name,
                                       embed_root);
    sweep_leftovers(*connection_, prefix_, run_dir_);
  }

  // A guest of the staged image, named `<prefix><pid>-<suffix>`, running `argv` as its workload (GuestConfig's
  // defaults otherwise: a test sets what it needs on top).
  [[nodiscard]] GuestConfig staged_guest_config(const std::string& suffix, std::vector<std::string> argv) const {
    GuestConfig config;
    config.name = fmt::format("{}{}-{}", prefix_, ::getpid(), suffix);
    config.kernel = boot_.kernel;
    config.initramfs = boot_.initramfs;
    config.accelerator = test_accelerator();
    config.emulator = emulator_;
    config.workload_argv = std::move(argv);
    config.state_dir = run_dir_;
    return config;
  }

  void TearDown() override {
    if (prefix_.empty()) return;  // staging failed before anything was made
    sweep_leftovers(*connection_, prefix_, run_dir_);
    std::filesystem::remove_all(run_dir_);
  }

  static inline std::unique_ptr<Connection> connection_;
  std::string prefix_;
  std::filesystem::path run_dir_;
  BootFiles boot_;
  std::filesystem::path emulator_;
};

}  // namespace benchrun::vm
