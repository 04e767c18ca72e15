// A page opened in a real browser: Debian's headless `chromium`, whose log carries every message the page
// put on the console (a script error, a Content-Security-Policy violation, a blocked fetch).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace benchrun::testing {

struct BrowserVisit {
  std::vector<std::string> console_lines;  // the page's console messages, one log line each
  std::string log;                         // everything chromium printed, for failure messages
};

// Opens `page` (a local file) in headless Chromium at 1280 x `height` px, saves a PNG screenshot to
// `screenshot` and returns the page's console messages. Fails the calling test (ADD_FAILURE, with the fix)
// when chromium is not installed or exits with an error; a page with no console message gives none.
BrowserVisit visit_in_chromium(const std::filesystem::path& page, const std::filesystem::path& screenshot,
                               int height = 4000);

}  // namespace benchrun::testing
