#!/bin/sh
# Run the Neovim plugin test headless. NVIM=/path/to/nvim to pick a binary
# (Neovim 0.8+; vim.lsp.start is 0.8).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
plugin=$(dirname "$here")
NVIM=${NVIM:-nvim}
if ! "$NVIM" --headless -u NONE -i NONE -c 'if has("nvim-0.8") | qall! | else | cquit! | endif' >/dev/null 2>&1; then
  echo "run.sh: $("$NVIM" --version | head -n 1) is too old: the plugin needs Neovim 0.8+ (set NVIM=/path/to/nvim)"
  exit 2
fi
"$NVIM" --headless -u NONE -i NONE -n \
  --cmd "set runtimepath^=$plugin" \
  -c "luafile $here/test.lua" 2>&1
