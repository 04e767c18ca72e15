#!/usr/bin/env bash
# Fails, naming each place, when a tracked C or C++ source is not laid out as .clang-format says
# (`clang-format -i <file>` fixes it). Run by ctest as lint.clang_format.
set -euo pipefail
cd "$(dirname "$0")/.."

git ls-files -z -- '*.c' '*.h' '*.cpp' '*.hpp' | xargs -0 clang-format --dry-run --Werror
