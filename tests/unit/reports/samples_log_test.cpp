#include "reports/samples_log.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include "reports/json.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"
#include "test_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::reports {
namespace {

using benchrun::testing::TempDir;
using testing::example_report;
using testing::lines_of;

TEST(SamplesLog, AppendsOneParsableLinePerSample) {
  const TempDir dir;
  const auto path = dir.path() / "samples.jsonl";
  const Report report = example_report();
  {
    SamplesLog log(path);
    for (const Sample& sample : report.samples) log.append(sample);
  }
  const auto lines = lines_of(sys::read_file(path));
  ASSERT_EQ(lines.size(), report.samples.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(sample_to_json_line(parse_sample(lines[i])), sample_to_json_line(report.samples[i])) << "line " << i;
  }
}

TEST(SamplesLog, ReopeningAppendsAfterWhatIsThere) {
  const TempDir dir;
  const auto path = dir.path() / "samples.jsonl";
  const Report report = example_report();
  SamplesLog(path).append(report.samples[0]);
  SamplesLog(path).append(report.samples[1]);
  const SamplesLogContents contents = read_samples_log(path);
  ASSERT_EQ(contents.samples.size(), 2U);
  EXPECT_TRUE(contents.samples[0].warmup);
  EXPECT_FALSE(contents.samples[1].warmup);
  EXPECT_FALSE(contents.torn_last_line);
}

TEST(SamplesLog, EverySampleSurvivesAWriterKilledMidRun) {
  const TempDir dir;
  const auto path = dir.path() / "samples.jsonl";
  const Report report = example_report();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    SamplesLog log(path);
    for (const Sample& sample : report.samples) log.append(sample);
    ::kill(::getpid(), SIGKILL);  // no destructors, no exit handlers: what a crash leaves
    ::_exit(1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  const SamplesLogContents contents = read_samples_log(path);
  EXPECT_EQ(contents.samples.size(), report.samples.size());
  EXPECT_FALSE(contents.torn_last_line);
}

// A log of one good sample line followed by `tail`, in `dir`.
std::filesystem::path log_ending_in(const TempDir& dir, const std::string& tail) {
  const auto path = dir.path() / "samples.jsonl";
  SamplesLog(path).append(example_report().samples[1]);
  std::ofstream(path, std::ios::app) << tail;
  return path;
}

TEST(ReadSamplesLog, ForgivesATornLastLineOnly) {
  const TempDir dir;
  const auto path = log_ending_in(dir, sample_to_json_line(example_report().samples[2]).substr(0, 20));
  const SamplesLogContents contents = read_samples_log(path);
  EXPECT_EQ(contents.samples.size(), 1U);
  EXPECT_TRUE(contents.torn_last_line);
}

TEST(ReadSamplesLog, MalformedCompleteLineIsAnErrorWithItsNumber) {
  const TempDir dir;
  const auto path = log_ending_in(dir, "{\"backend\": 3}\n");
  try {
    read_samples_log(path);
    FAIL() << "a malformed line was read as a sample";
  } catch (const sys::Error& error) {
    EXPECT_NE(std::string(error.what()).find("samples log " + path.string() + ": line 2: parse sample"),
              std::string::npos)
        << error.what();
  }
}

TEST(SamplesLog, OpenFailureNamesThePath) {
  const TempDir dir;
  const auto path = dir.path() / "missing-dir" / "samples.jsonl";
  try {
    SamplesLog log(path);
    FAIL() << "opened a log in a directory that does not exist";
  } catch (const sys::Error& error) {
    EXPECT_NE(std::string(error.what()).find(path.string()), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("ENOENT"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace benchrun::reports
