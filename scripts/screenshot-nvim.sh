#!/usr/bin/env bash
# Takes a screenshot of Neovim showing pprof-lsp's hints, lenses, heat marks
# and :Pprof top: a real nvim in tmux at a fixed size, the screen read with
# `tmux capture-pane -e`, rendered to PNG by headless Chromium.
#
#   scripts/screenshot-nvim.sh          # into tests/artifacts/nvim-screenshot/
#   scripts/screenshot-nvim.sh --docs   # also refresh docs/images/neovim.png
#
# Needs tmux and chromium (Debian packages: tmux chromium fonts-dejavu-core).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

cols=120
rows=30
out="$root/tests/artifacts/nvim-screenshot"
rm -rf "$out"
mkdir -p "$out"

if ! command -v tmux >/dev/null || ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -q tmux chromium fonts-dejavu-core >&2
  else
    echo "screenshot-nvim.sh: needs tmux and chromium (apt-get install -y tmux chromium fonts-dejavu-core)" >&2
    exit 1
  fi
fi

# The server: $PPROF_LSP if set, else a release build of this checkout.
mkdir -p "$out/bin"
if [ -n "${PPROF_LSP:-}" ]; then
  ln -s "$(realpath "$PPROF_LSP")" "$out/bin/pprof-lsp"
else
  cargo build --release --quiet
  ln -s "$root/target/release/pprof-lsp" "$out/bin/pprof-lsp"
fi
nvim=$(scripts/install-nvim.sh)

session="pprof-shot-$$"
socket="$out/tmux.sock"
ready="$out/ready"
cleanup() { tmux -S "$socket" kill-server 2>/dev/null || true; }
trap cleanup EXIT

# A private tmux server with a truecolor terminal, so colours come back as RGB.
# tmux gives new sessions the PATH of the client, so it is set on the client.
PATH="$out/bin:$PATH" tmux -S "$socket" -f /dev/null new-session -d -s "$session" -x "$cols" -y "$rows" \
  -e "COLORTERM=truecolor" -e "PPROF_SHOT_READY=$ready" \
  -e "XDG_STATE_HOME=$out/state" -e "XDG_DATA_HOME=$out/data" -e "XDG_CONFIG_HOME=$out/config" \
  -c "$root/tests/fixtures/goprog" \
  "'$nvim' --clean -u NONE --cmd 'set rtp+=$root/editors/nvim' -c 'luafile $root/tests/nvim/screenshot_init.lua'"
tmux -S "$socket" set-option -g default-terminal tmux-256color >/dev/null
tmux -S "$socket" set-option -g status off >/dev/null
tmux -S "$socket" set-option -as terminal-features ',*:RGB' >/dev/null

for _ in $(seq 1 200); do
  [ -s "$ready" ] && break
  sleep 0.1
done
if [ "$(cat "$ready" 2>/dev/null)" != "ok" ]; then
  echo "screenshot-nvim.sh: Neovim did not show hints and lenses in time" >&2
  tmux -S "$socket" capture-pane -p -t "$session" >&2 || true
  exit 1
fi
sleep 0.5

tmux -S "$socket" capture-pane -p -e -t "$session" >"$out/neovim.ansi"
tmux -S "$socket" capture-pane -p -t "$session" >"$out/neovim-screen.txt"

# The captured screen as HTML: one <span> per run of equal SGR attributes.
python3 - "$out/neovim.ansi" "$out/neovim.html" "$cols" <<'PY'
import html, re, sys

src, dst, cols = sys.argv[1], sys.argv[2], int(sys.argv[3])
FG, BG = "#e0e2ea", "#14161b"  # Neovim's default dark scheme's Normal
BASE16 = ["#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
          "#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff"]

def xterm(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[n // 6 % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (v, v, v)

def apply(state, params):
    codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
    i = 0
    while i < len(codes):
        c = codes[i]
        if c == 0:
            state.clear()
        elif c in (1, 3, 4, 7):
            state[c] = True
        elif c in (22, 23, 24, 27):
            state.pop({22: 1, 23: 3, 24: 4, 27: 7}[c], None)
        elif 30 <= c <= 37 or 90 <= c <= 97:
            state["fg"] = BASE16[c - 30 if c < 90 else c - 82]
        elif 40 <= c <= 47 or 100 <= c <= 107:
            state["bg"] = BASE16[c - 40 if c < 100 else c - 92]
        elif c in (38, 48, 58) and i + 1 < len(codes):
            key = {38: "fg", 48: "bg", 58: "ul"}[c]
            if codes[i + 1] == 5 and i + 2 < len(codes):
                state[key] = xterm(codes[i + 2]); i += 2
            elif codes[i + 1] == 2 and i + 4 < len(codes):
                state[key] = "#%02x%02x%02x" % tuple(codes[i + 2:i + 5]); i += 4
        elif c == 39:
            state.pop("fg", None)
        elif c == 49:
            state.pop("bg", None)
        i += 1

def style(state):
    fg, bg = state.get("fg", FG), state.get("bg", BG)
    if state.get(7):
        fg, bg = bg, fg
    css = ["color:%s" % fg, "background:%s" % bg]
    if state.get(1): css.append("font-weight:bold")
    if state.get(3): css.append("font-style:italic")
    if state.get(4): css.append("text-decoration:underline")
    return ";".join(css)

out, state = [], {}
for line in open(src, encoding="utf-8").read().rstrip("\n").split("\n"):
    width = 0
    for m in re.finditer(r"\x1b\[([0-9;]*)m|([^\x1b]+)", line):
        if m.group(1) is not None:
            apply(state, m.group(1))
        elif m.group(2):
            width += len(m.group(2))
            out.append('<span style="%s">%s</span>' % (style(state), html.escape(m.group(2))))
    # Pad each row to the full width with the background in force.
    if width < cols:
        out.append('<span style="%s">%s</span>' % (style(state), " " * (cols - width)))
    out.append("\n")

open(dst, "w", encoding="utf-8").write(
    "<!doctype html><meta charset=utf-8><style>html,body{margin:0;background:%s}"
    "pre{margin:0;padding:8px;font:14px/18px 'DejaVu Sans Mono',monospace;color:%s}</style><pre>%s</pre>"
    % (BG, FG, "".join(out)))
PY

# 14px DejaVu Sans Mono is 8.43px wide; 18px lines; 8px padding.
width=$(awk -v c="$cols" 'BEGIN { printf "%d", c * 8.43 + 16 + 0.5 }')
height=$((rows * 18 + 16))
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
  --no-first-run --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$out/chromium" --window-size="$width,$height" \
  --screenshot="$out/neovim.png" "file://$out/neovim.html" >"$out/chromium.log" 2>&1 || {
  echo "screenshot-nvim.sh: chromium failed; see $out/chromium.log" >&2
  exit 1
}

echo "$out/neovim.png"
echo "$out/neovim-screen.txt"
if [ "${1:-}" = "--docs" ]; then
  mkdir -p "$root/docs/images"
  cp "$out/neovim.png" "$root/docs/images/neovim.png"
  echo "$root/docs/images/neovim.png"
fi
