#!/usr/bin/env bash
# Installs what is missing, configures, builds and runs the whole test suite.
#
#   ./scripts/test.sh [extra cmake -D options...]
#
# Environment:
#   SMTPERR_BUILD_DIR            build directory (default: build)
#   SMTPERR_WARNINGS_AS_ERRORS   ON to build with -Werror (default: OFF; CI sets ON)
#   SMTPERR_SANITIZE             e.g. address,undefined (default: none)
#   SMTPERR_BUILD_TYPE           CMake build type (default: RelWithDebInfo)
#   SMTPERR_JOBS                 parallel build jobs and tests (default: 2)
#   SMTPERR_TEST_TIMEOUT         seconds any one test may take (default: 600)
#   CTEST_ARGS                   extra arguments for ctest, e.g. "-R parser"
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

"$root/scripts/setup.sh"

build_dir=${SMTPERR_BUILD_DIR:-build}
jobs=${SMTPERR_JOBS:-2}

echo "== configure $build_dir (warnings as errors: ${SMTPERR_WARNINGS_AS_ERRORS:-OFF}," \
     "sanitizers: ${SMTPERR_SANITIZE:-none})"
cmake -S "$root" -B "$build_dir" \
  -DCMAKE_BUILD_TYPE="${SMTPERR_BUILD_TYPE:-RelWithDebInfo}" \
  -DSMTPERR_BUILD_TESTS=ON \
  -DSMTPERR_WARNINGS_AS_ERRORS="${SMTPERR_WARNINGS_AS_ERRORS:-OFF}" \
  -DSMTPERR_SANITIZE="${SMTPERR_SANITIZE:-}" \
  "$@"

echo "== build $build_dir"
cmake --build "$build_dir" --parallel "$jobs"

echo "== test $build_dir"
# shellcheck disable=SC2086  # CTEST_ARGS is a word list on purpose
ctest --test-dir "$build_dir" --output-on-failure --no-tests=error --parallel "$jobs" \
  --timeout "${SMTPERR_TEST_TIMEOUT:-600}" ${CTEST_ARGS:-}
