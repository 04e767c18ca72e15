// The OCI config writer: what it says for each switch of a ContainerConfig, and that every variant is a
// valid runtime-spec config.json by the spec's own JSON schema (Debian golang-github-opencontainers-specs-dev),
// checked by an independent validator (Python's jsonschema).
#include "runtime/oci/oci_config.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "runtime/cgroup/devices.hpp"
#include "runtime/linux/rootfs.hpp"
#include "runtime/linux/security.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::runtime::oci {
namespace {

using nlohmann::json;

ContainerConfig example_config() {
  ContainerConfig config;
  config.name = "benchrun-test-1";
  config.rootfs = "/images/default/rootfs";
  config.argv = {"/sbin/benchinit", "--", "/bench/bin/hello"};
  return config;
}

json config_of(const ContainerConfig& config) { return make_config(config, BundleLayout{"/bundle/layer/root"}); }

std::vector<std::string> namespace_types(const json& config) {
  std::vector<std::string> types;
  for (const auto& entry : config["linux"]["namespaces"]) types.push_back(entry["type"]);
  return types;
}

TEST(OciConfig, RunsTheArgvOnTheGivenRootWithOurEnvironmentAndHostname) {
  ContainerConfig config = example_config();
  config.hostname = "box";
  const json written = make_config(config, BundleLayout{"/bundle/layer/root", true});
  EXPECT_EQ(written["ociVersion"], oci_version);
  EXPECT_EQ(written["root"]["path"], "/bundle/layer/root");
  EXPECT_TRUE(written["root"]["readonly"]);
  EXPECT_EQ(written["process"]["args"], json(config.argv));
  EXPECT_EQ(written["process"]["env"], json(config.env));
  EXPECT_FALSE(written["process"]["terminal"]);
  EXPECT_EQ(written["hostname"], "box");
  EXPECT_EQ(config_of(example_config())["hostname"], "benchrun-test-1") << "no hostname: the instance's name";
}

TEST(OciConfig, NamespacesFollowTheNetworkAndUserSwitches) {
  EXPECT_EQ(namespace_types(config_of(example_config())),
            (std::vector<std::string>{"pid", "mount", "uts", "ipc", "cgroup", "network"}));
  EXPECT_FALSE(config_of(example_config())["linux"].contains("uidMappings"));

  ContainerConfig config = example_config();
  config.network_namespace = false;
  config.user_namespace = true;
  const json written = config_of(config);
  EXPECT_EQ(namespace_types(written), (std::vector<std::string>{"pid", "mount", "uts", "ipc", "cgroup", "user"}));
  const json mapping = {{"containerID", 0}, {"hostID", user_namespace_host_base}, {"size", user_namespace_size}};
  EXPECT_EQ(written["linux"]["uidMappings"], json::array({mapping}));
  EXPECT_EQ(written["linux"]["gidMappings"], json::array({mapping}));
}

TEST(OciConfig, SysfsIsMountedReadOnlyWithANetworkNamespaceAndBoundFromTheHostWithout) {
  const auto sys_mount = [](const json& written) {
    for (const auto& entry : written["mounts"]) {
      if (entry["destination"] == "/sys") return entry;
    }
    return json();
  };
  const json own = sys_mount(config_of(example_config()));
  EXPECT_EQ(own["type"], "sysfs");
  EXPECT_NE(std::find(own["options"].begin(), own["options"].end(), "ro"), own["options"].end());

  ContainerConfig config = example_config();
  config.network_namespace = false;
  const json host = sys_mount(config_of(config));
  EXPECT_EQ(host["type"], "bind");
  EXPECT_EQ(host["source"], "/sys");
  EXPECT_NE(std::find(host["options"].begin(), host["options"].end(), "ro"), host["options"].end());
}

TEST(OciConfig, LimitsBecomeLinuxResourcesAndNoLimitsNone) {
  json unlimited = config_of(example_config())["linux"]["resources"];
  unlimited.erase("devices");  // always there: the devices allow list
  EXPECT_EQ(unlimited, json::object());

  ContainerConfig config = example_config();
  config.limits.memory_bytes = 64ull << 20;
  config.limits.cpus = 0.5;
  config.limits.pids_max = 16;
  config.limits.cpuset_cpus = "0";
  config.limits.io = {IoDeviceLimit{8, 0, 1'000'000, std::nullopt, std::nullopt, 100}};
  const json resources = config_of(config)["linux"]["resources"];
  EXPECT_EQ(resources["memory"]["limit"], 64ull << 20);
  EXPECT_EQ(resources["cpu"]["quota"], 50'000);
  EXPECT_EQ(resources["cpu"]["period"], 100'000);
  EXPECT_EQ(resources["cpu"]["cpus"], "0");
  EXPECT_EQ(resources["pids"]["limit"], 16);
  EXPECT_EQ(resources["blockIO"]["throttleReadBpsDevice"],
            json::array({{{"major", 8}, {"minor", 0}, {"rate", 1'000'000}}}));
  EXPECT_EQ(resources["blockIO"]["throttleWriteIOPSDevice"],
            json::array({{{"major", 8}, {"minor", 0}, {"rate", 100}}}));
  EXPECT_FALSE(resources["blockIO"].contains("throttleWriteBpsDevice"));
}

// Deny all, then our allow list (crun allows every device when a config has no rules). Off: allow all.
TEST(OciConfig, DevicesAreDenyAllThenOurAllowListAndAllowAllWhenTheDevicesCgroupIsOff) {
  const json rules = config_of(example_config())["linux"]["resources"]["devices"];
  ASSERT_EQ(rules.size(), 1 + default_allowed_devices().size());
  EXPECT_EQ(rules[0], json({{"allow", false}, {"access", "rwm"}}));
  EXPECT_EQ(rules[1], json({{"allow", true}, {"type", "c"}, {"access", "m"}}));
  EXPECT_EQ(rules[3], json({{"allow", true}, {"type", "c"}, {"major", 1}, {"minor", 3}, {"access", "rwm"}}));
  EXPECT_EQ(rules.back(), json({{"allow", true}, {"type", "c"}, {"major", 136}, {"access", "rwm"}}));
  ContainerConfig config = example_config();
  config.devices_cgroup = false;
  EXPECT_EQ(config_of(config)["linux"]["resources"]["devices"], json::array({{{"allow", true}, {"access", "rwm"}}}));
}

TEST(OciConfig, ABindMountIsARwBindOfTheHostFolderAfterOurOwnMounts) {
  ContainerConfig config = example_config();
  config.binds = {{"/var/tmp/scratch", "/scratch"}};
  const json mounts = config_of(config)["mounts"];
  ASSERT_FALSE(mounts.empty());
  EXPECT_EQ(mounts.back()["destination"], "/scratch");
  EXPECT_EQ(mounts.back()["type"], "bind");
  EXPECT_EQ(mounts.back()["source"], "/var/tmp/scratch");
  EXPECT_EQ(mounts.back()["options"], json({"rbind", "nosuid", "nodev", "rw"}));
}

TEST(OciConfig, TheCgroupIsALeafUnderTheInstancesNameAtTheHierarchyRoot) {
  EXPECT_EQ(config_of(example_config())["linux"]["cgroupsPath"], "/benchrun-test-1/oci");
  EXPECT_EQ(cgroups_path_for("benchrun-x-2"), std::string("/benchrun-x-2/") + runtime_cgroup_leaf);
}

TEST(OciConfig, KeepsDockersCapabilitiesWithNoNewPrivileges) {
  const json process = config_of(example_config())["process"];
  EXPECT_TRUE(process["noNewPrivileges"]);
  const json& effective = process["capabilities"]["effective"];
  ASSERT_EQ(effective.size(), kernel::default_capability_names().size());
  EXPECT_EQ(effective[0], "CAP_CHOWN");
  for (const char* set : {"bounding", "permitted", "inheritable"}) EXPECT_EQ(process["capabilities"][set], effective);
}

TEST(OciConfig, MasksAndProtectsTheSamePathsAsOurContainer) {
  const json linux_section = config_of(example_config())["linux"];
  EXPECT_EQ(linux_section["maskedPaths"], json(kernel::masked_paths));
  EXPECT_EQ(linux_section["readonlyPaths"], json(kernel::readonly_proc_paths));
}

TEST(OciConfig, SeccompIsOurDenylistRuleForRuleAndAbsentWhenOff) {
  const json seccomp = config_of(example_config())["linux"]["seccomp"];
  EXPECT_EQ(seccomp["defaultAction"], "SCMP_ACT_ALLOW");
  const json& rules = seccomp["syscalls"];
  ASSERT_EQ(rules.size(), 1 + kernel::denied_namespace_flags.size() + 1);
  EXPECT_EQ(rules.front()["names"], json(kernel::denied_syscall_names()));
  EXPECT_EQ(rules.front()["errnoRet"], EPERM);
  const json& new_user_namespace = rules[1 + 3];  // denied_namespace_flags[3]: CLONE_NEWUSER
  EXPECT_EQ(new_user_namespace["names"], json({"unshare", "clone"}));
  EXPECT_EQ(new_user_namespace["args"][0]["value"], CLONE_NEWUSER);
  EXPECT_EQ(new_user_namespace["args"][0]["op"], "SCMP_CMP_MASKED_EQ");
  EXPECT_EQ(rules.back()["names"], json({"clone3"}));
  EXPECT_EQ(rules.back()["errnoRet"], ENOSYS);

  ContainerConfig config = example_config();
  config.seccomp = false;
  EXPECT_FALSE(config_of(config)["linux"].contains("seccomp"));
}

// --- the runtime-spec schema ----------------------------------------------------------------------------

const char* const runtime_spec_schema_dir = "/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema";

// Validates argv[2] against config-schema.json in argv[1], whose $refs name sibling files.
const char* const validator = R"(
import json, pathlib, sys, warnings
warnings.simplefilter("ignore", DeprecationWarning)
import jsonschema
schema_dir = pathlib.Path(sys.argv[1])
schema = json.loads((schema_dir / "config-schema.json").read_text())
resolver = jsonschema.RefResolver(base_uri=schema_dir.as_uri() + "/", referrer=schema)
try:
    jsonschema.validate(json.loads(pathlib.Path(sys.argv[2]).read_text()), schema, resolver=resolver)
except jsonschema.ValidationError as error:
    print(error.message, "at", list(error.absolute_path))
    sys.exit(1)
)";

class OciConfigSchema : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(std::filesystem::path(runtime_spec_schema_dir) / "config-schema.json"))
        << "the runtime-spec schema is missing: apt-get install golang-github-opencontainers-specs-dev";
  }

  benchrun::testing::CommandResult validate(const json& document) {
    const auto path = dir_.path() / "config.json";
    std::ofstream(path) << document.dump(2);
    return benchrun::testing::run_command(
        {"/usr/bin/python3", "-c", validator, runtime_spec_schema_dir, path.string()});
  }

  benchrun::testing::TempDir dir_;
};

ContainerConfig variant(std::string_view name) {
  ContainerConfig config = example_config();
  if (name == "limits" || name == "everything") {
    config.limits.memory_bytes = 64ull << 20;
    config.limits.cpus = 1.5;
    config.limits.cpu_weight = 200;
    config.limits.pids_max = 16;
    config.limits.cpuset_cpus = "0-1";
    config.limits.io = {IoDeviceLimit{8, 0, 1'000'000, 2'000'000, 100, 200}};
  }
  if (name == "userns" || name == "everything") config.user_namespace = true;
  if (name == "host_network" || name == "everything") config.network_namespace = false;
  if (name == "no_seccomp") config.seccomp = false;
  if (name == "devices_off") config.devices_cgroup = false;
  if (name == "isolation_off") {  // every protection the isolation suite's --isolation-off removes
    config.pid_namespace = config.uts_namespace = config.ipc_namespace = config.cgroup_namespace = false;
    config.network_namespace = config.seccomp = config.drop_capabilities = false;
    config.mask_paths = config.readonly_sys = false;
  }
  if (name == "bind" || name == "everything") config.binds = {{"/var/tmp/benchrun-overhead/run-1", "/scratch"}};
  return config;
}

TEST_P(OciConfigSchema, EveryVariantIsAValidRuntimeSpecConfig) {
  const auto result = validate(config_of(variant(GetParam())));
  EXPECT_EQ(result.exit_code, 0) << result.out;
}

INSTANTIATE_TEST_SUITE_P(Variants, OciConfigSchema,
                         ::testing::Values("plain", "limits", "userns", "host_network", "no_seccomp", "bind",
                                           "everything", "isolation_off", "devices_off"));

TEST_F(OciConfigSchema, TheValidatorRejectsANamespaceTheSpecDoesNotKnow) {
  json broken = config_of(example_config());
  broken["linux"]["namespaces"].push_back({{"type", "nosuchnamespace"}});
  const auto result = validate(broken);
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.out.find("nosuchnamespace"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace benchrun::runtime::oci
