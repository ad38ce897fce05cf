#!/usr/bin/env bash
# The Python package's tests: builds it into a fresh virtualenv (maturin, the
# dev profile that `cargo test` has already compiled the dependencies for) and
# runs pytest against the CLI of this checkout (target/debug/tifa), on a small
# corpus and on ../shared/corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/python-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check 'maturin>=1.5,<2' pytest pandas matplotlib
cargo build --quiet --bin tifa
VIRTUAL_ENV="$PWD/$venv" PATH="$PWD/$venv/bin:$PATH" maturin develop --quiet -m python/Cargo.toml
TIFA_BIN="$PWD/target/debug/tifa" "$venv/bin/python" -m pytest -q python/tests "$@"
