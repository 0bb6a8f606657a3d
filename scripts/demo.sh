#!/usr/bin/env bash
# Installs what is missing, builds the send-pipeline example in build/ (RelWithDebInfo
# unless build/ was configured otherwise), then runs it: every scenario of the embedded
# scenario server (Gmail app password, Microsoft basic auth disabled, wrong then new
# password, greylisting, an unknown recipient, a message too large, 421 mid-transaction)
# through smtperr's outbox and Asio transport on 127.0.0.1, with the UI events and the
# list-view lines in German and English. Build output goes to stderr, so stdout is the
# demo's alone.
#
#   ./scripts/demo.sh [SCENARIO-ID...]     (default: all scenarios)
#
# Environment: SMTPERR_BUILD_DIR (default: build), SMTPERR_JOBS (default: 2).
#
# `smtperr demo` (the sixteen reply codes of the help page) is built too:
# build/tools/smtperr demo
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

"$root/scripts/setup.sh" >&2

build_dir=${SMTPERR_BUILD_DIR:-build}
cmake -S "$root" -B "$build_dir" -DSMTPERR_BUILD_EXAMPLES=ON >&2
cmake --build "$build_dir" --parallel "${SMTPERR_JOBS:-2}" \
  --target smtperr_example_send_pipeline smtperr_tool >&2

exec "$build_dir/examples/smtperr_example_send_pipeline" "$@"
