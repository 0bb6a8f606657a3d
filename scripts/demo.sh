#!/usr/bin/env bash
# Installs what is missing, builds the library and the smtperr tool in build/ (RelWithDebInfo
# unless build/ was configured otherwise), then runs `smtperr demo` with any arguments.
# Build output goes to stderr, so stdout is the demo's alone.
#
#   ./scripts/demo.sh [demo options...]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

"$root/scripts/setup.sh" >&2

build_dir=build
cmake -S "$root" -B "$build_dir" -DSMTPERR_BUILD_EXAMPLES=ON >&2
cmake --build "$build_dir" --parallel "${SMTPERR_JOBS:-2}" >&2

exec "$build_dir/tools/smtperr" demo "$@"
