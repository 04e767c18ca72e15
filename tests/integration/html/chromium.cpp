#include "chromium.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::testing {
namespace {

// How chromium 156 logs a page's console message with --enable-logging=stderr, whatever its level:
//   [pid:tid:date/time:INFO:CONSOLE:1] "Executing inline script violates ...", source: file:///... (1)
// (seen with an inline script and an external image under our CSP; older versions wrote "CONSOLE(1)").
bool is_console_line(const std::string& line) { return line.find(":CONSOLE") != std::string::npos; }

}  // namespace

BrowserVisit visit_in_chromium(const std::filesystem::path& page, const std::filesystem::path& screenshot, int height) {
  if (run_command({"chromium", "--version"}).exit_code != 0) {
    ADD_FAILURE() << "chromium is not installed: apt-get install chromium (scripts/setup.sh installs it)";
    return {};
  }
  std::filesystem::create_directories(screenshot.parent_path());
  std::filesystem::remove(screenshot);
  const TempDir profile("benchrun-chromium");  // not root's own profile, and none left behind
  const CommandResult result =
      run_command({"timeout", "600", "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--enable-logging=stderr", "--v=0", "--user-data-dir=" + profile.path().string(),
                   "--screenshot=" + screenshot.string(), "--window-size=1280," + std::to_string(height),
                   "file://" + std::filesystem::absolute(page).string()});
  BrowserVisit visit;
  visit.log = result.out;
  EXPECT_EQ(result.exit_code, 0) << visit.log;
  EXPECT_TRUE(std::filesystem::exists(screenshot)) << "no screenshot at " << screenshot << "\n" << visit.log;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    if (is_console_line(line)) visit.console_lines.push_back(line);
  }
  return visit;
}

}  // namespace benchrun::testing
