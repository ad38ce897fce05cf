#!/usr/bin/env bash
# The Python package's tests: installs it into a virtualenv with the README's
# command (`pip install ./python`: maturin, release profile, an abi3 wheel)
# and runs pytest against the CLI of this checkout (target/debug/tifa, built
# by `cargo test`), on a small corpus and on ../shared/corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/python-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check pytest pandas matplotlib
"$venv/bin/pip" install -q --disable-pip-version-check ./python
cargo build --quiet --bin tifa
TIFA_BIN="$PWD/target/debug/tifa" "$venv/bin/python" -m pytest -q python/tests "$@"
