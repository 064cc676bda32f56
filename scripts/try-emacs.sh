#!/usr/bin/env bash
# Tries pprof-lsp in a real Emacs with Eglot: installs Debian's emacs-nox,
# elpa-eglot and elpa-go-mode when they are missing, builds the server, then
# opens internal/catalog/catalog.go of tests/fixtures/goprog in go-mode under
# `emacs --batch`, with docs/editors/pprof-lsp-eglot.el loaded as a user would
# load it, and checks what the server answers through Eglot. Two runs:
#
#   A  server registered by pprof-lsp-eglot.el, profile given in
#      `pprof-lsp-initialization-options' (initializationOptions)
#   B  gopls and pprof-lsp offered as alternatives; `M-x eglot' answered with
#      "pprof-lsp" at its prompt; settings from `eglot-workspace-configuration'
#      (the `pprof' section, as a .dir-locals.el would give them)
#   C  `emacs -nw' under tmux with a newer Eglot (1.17, which draws inlay
#      hints): the hint is read off the screen
#
# Prints PASS/FAIL per check and exits non-zero if any failed.
#
#   scripts/try-emacs.sh
#   PPROF_LSP=/path/to/pprof-lsp scripts/try-emacs.sh   # test that server
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# --- install (only what is missing) -----------------------------------------
need=()
command -v emacs >/dev/null 2>&1 || need+=(emacs-nox)
ls -d /usr/share/emacs/site-lisp/elpa/eglot-* >/dev/null 2>&1 || need+=(elpa-eglot)
ls -d /usr/share/emacs/site-lisp/elpa/go-mode-* >/dev/null 2>&1 || need+=(elpa-go-mode)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "FAIL install: need root to apt-get install ${need[*]}"
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -q && apt-get install -y -q "${need[@]}"; } >&2 ||
    { echo "FAIL install: apt-get install ${need[*]}"; exit 1; }
fi
echo "$(emacs --version | head -n 1), $(basename "$(ls -d /usr/share/emacs/site-lisp/elpa/eglot-* | head -n 1)")" >&2

# --- the server under test ----------------------------------------------------
artifacts="$root/tests/artifacts/emacs"
rm -rf "$artifacts"
mkdir -p "$artifacts/bin"
if [ -n "${PPROF_LSP:-}" ]; then
  ln -s "$(realpath "$PPROF_LSP")" "$artifacts/bin/pprof-lsp"
else
  echo "building the server (release)" >&2
  cargo build --release --quiet || { echo "FAIL build: cargo build --release"; exit 1; }
  ln -s "$root/target/release/pprof-lsp" "$artifacts/bin/pprof-lsp"
fi
# Run B offers "gopls" too; a stand-in makes it count as installed, so Eglot
# asks which server to start. It is never started.
printf '#!/bin/sh\necho "stand-in gopls: not expected to run" >&2\nexit 1\n' >"$artifacts/bin/gopls"
chmod +x "$artifacts/bin/gopls"
export PATH="$artifacts/bin:$PATH"
export HOME="$artifacts/home"          # no user init, no saved state
mkdir -p "$HOME"

# --- the Emacs side -------------------------------------------------------------
driver="$artifacts/driver.el"
cat >"$driver" <<'ELISP'
;;; driver.el --- checks pprof-lsp through Eglot, in batch  -*- lexical-binding: t; -*-
(require 'cl-lib)
(require 'xref)
(require 'go-mode)

(defvar try-run (getenv "TRY_RUN"))
(defvar try-root (getenv "TRY_ROOT"))
(defvar try-failures 0)
(defconst try-profile "../profiles/windows.heap.pb.gz") ; relative to goprog/

(defun try-check (name ok &optional detail)
  (princ (format "%s %s: %s%s\n" (if ok "PASS" "FAIL") try-run name
                 (if detail (format " -- %s" detail) "")))
  (unless ok (cl-incf try-failures)))

(defun try-info (fmt &rest args)
  (princ (format "     %s: %s\n" try-run (apply #'format fmt args))))

(defun try-hint-label (hint)
  (let ((label (plist-get hint :label)))
    (if (stringp label) label
      (mapconcat (lambda (part) (plist-get part :value)) label ""))))

(defun try-hints (server from to)
  (jsonrpc-request server :textDocument/inlayHint
                   `(:textDocument ,(eglot--TextDocumentIdentifier)
                     :range (:start (:line ,from :character 0)
                             :end (:line ,to :character 0)))))

(defun try-wait-loaded (server)
  "Poll pprof.status until a profile is loaded (at most 20 s)."
  (let ((deadline (+ (float-time) 20)) status)
    (while (and (< (float-time) deadline)
                (not (eq t (plist-get status :loaded))))
      (setq status (pprof-lsp-execute "pprof.status" nil server))
      (unless (eq t (plist-get status :loaded)) (sleep-for 0.2)))
    status))

(defun try-main ()
  (pcase try-run
    ("A" (setq pprof-lsp-initialization-options
               `(:profiles [,try-profile])))
    ("B"
     ;; The "keep gopls" setup of docs/editors/emacs.md.
     (add-to-list 'eglot-server-programs
                  `((go-mode go-ts-mode)
                    . ,(eglot-alternatives '("gopls" "pprof-lsp"))))
     (setq-default eglot-workspace-configuration
                   `(:pprof (:profiles [,try-profile]
                             :hints (:format "cum"))))))
  (find-file (expand-file-name
              "tests/fixtures/goprog/internal/catalog/catalog.go" try-root))
  (try-check "catalog.go opens in go-mode" (eq major-mode 'go-mode)
             (format "%s" major-mode))
  (let ((project (project-current)))
    (try-check "the project is the Go module (go.mod directory)"
               (and project (string-suffix-p "goprog/" (project-root project)))
               (format "%S" project)))
  (if (equal try-run "B")
      ;; M-x eglot: Eglot asks which of the two servers; the answer,
      ;; "pprof-lsp", comes from standard input.
      (progn (call-interactively #'eglot)
             (princ "\n"))   ; ends the prompt's line on stdout
    (apply #'eglot (eglot--guess-contact)))
  (let ((server (eglot-current-server)))
    (try-check "Eglot connected a server" server)
    (unless server (kill-emacs 1))
    (let* ((process (jsonrpc--process server))
           (command (process-command process)))
      (try-check "the server is pprof-lsp"
                 (string-suffix-p "pprof-lsp" (car command))
                 (format "%S" command)))
    ;; pprof.status: the profile is loaded.
    (let ((status (try-wait-loaded server)))
      (try-check "pprof.status: profile loaded"
                 (and (eq t (plist-get status :loaded))
                      (string-suffix-p "windows.heap.pb.gz"
                                       (plist-get status :profile)))
                 (format "loaded=%S profile=%S sampleType=%S total=%S"
                         (plist-get status :loaded) (plist-get status :profile)
                         (plist-get status :sampleType)
                         (plist-get status :totalLabel)))
      (try-check "pprof.status: sample type inuse_space"
                 (equal (plist-get status :sampleType) "inuse_space")))
    ;; textDocument/inlayHint on line 25 (0-based 24).
    (let* ((want (if (equal try-run "B") "10MB cum (65.47%)"
                   "10MB flat · 10MB cum (65.47%)"))
           (hints (try-hints server 0 (count-lines (point-min) (point-max))))
           (line25 (cl-find-if (lambda (h)
                                 (= 24 (plist-get (plist-get h :position) :line)))
                               hints))
           (label (and line25 (try-hint-label line25))))
      (try-check "inlay hint on catalog.go:25" (equal label want)
                 (format "%S" label))
      (try-info "%d hints in catalog.go" (length hints)))
    (when (equal try-run "A")
      ;; Hover through Eglot's own eldoc function (what `C-h .' shows).
      (goto-char (point-min))
      (forward-line 24)
      (let (doc (deadline (+ (float-time) 10)))
        (eglot-hover-eldoc-function (lambda (info &rest _) (setq doc info)))
        (while (and (not doc) (< (float-time) deadline))
          (accept-process-output nil 0.1))
        (try-check "hover (eldoc) on line 25 shows inuse_space"
                   (and (stringp doc)
                        (string-match-p "inuse_space: 10MB flat (65.47%)" doc))
                   (and (stringp doc) (car (split-string doc "\n" t)))))
      ;; Workspace symbols, as `M-x xref-find-apropos' asks for them.
      (let* ((xrefs (xref-backend-apropos 'eglot "catalog"))
             (first (car xrefs))
             (loc (and first (xref-item-location first))))
        (try-check "workspace symbols (xref-find-apropos \"catalog\")"
                   (and first
                        (string-suffix-p "internal/catalog/catalog.go"
                                         (xref-location-group loc)))
                   (and first (format "%d symbols, first %S at %s:%s"
                                      (length xrefs) (xref-item-summary first)
                                      (file-name-nondirectory
                                       (xref-location-group loc))
                                      (xref-location-line loc)))))
      ;; M-x pprof-lsp-command RET pprof.top RET {"n": 5} RET
      (let ((buffer (pprof-lsp-command "pprof.top" "{\"n\": 5, \"by\": \"flat\"}")))
        (with-current-buffer buffer
          (try-check "M-x pprof-lsp-command pprof.top lists catalog.go:25"
                     (save-excursion
                       (goto-char (point-min))
                       (re-search-forward "internal/catalog/catalog\\.go:25: 10MB" nil t))
                     (format "%s, line 3: %S" major-mode
                             (save-excursion (goto-char (point-min))
                                             (forward-line 2)
                                             (buffer-substring (point) (line-end-position)))))))
      (let ((buffer (pprof-lsp-command "pprof.selectSampleType"
                                       "{\"name\": \"alloc_space\"}")))
        (with-current-buffer buffer
          (try-check "M-x pprof-lsp-command pprof.selectSampleType alloc_space"
                     (string-match-p "\"sampleType\": \"alloc_space\"" (buffer-string)))))
      (let* ((hints (try-hints server 24 25))
             (label (and hints (try-hint-label (aref hints 0)))))
        (try-check "inlay hint after switching to alloc_space"
                   (and label (string-match-p "10MB flat · 10MB cum (1.28%)" label))
                   (format "%S" label)))
      (try-info "this Eglot draws inlay hints itself: %s"
                (if (fboundp 'eglot-inlay-hints-mode) "yes (eglot-inlay-hints-mode)"
                  "no (Emacs 29.1+, or a newer Eglot from GNU ELPA, has eglot-inlay-hints-mode)"))
      (try-info "this Eglot shows call hierarchy: %s"
                (if (fboundp 'eglot-show-call-hierarchy) "yes" "no")))
    (eglot-shutdown server))
  (kill-emacs (if (zerop try-failures) 0 1)))

(condition-case err
    (try-main)
  (error (try-check "no Lisp error" nil (error-message-string err))
         (kill-emacs 1)))
ELISP

failed=0
for run in A B; do
  log="$artifacts/run-$run.log"
  # -q: no init file, but Debian's site-start, which puts the elpa-*
  # packages on the load path. Standard input answers Eglot's prompt in run B.
  printf 'pprof-lsp\n' |
    TRY_RUN=$run TRY_ROOT="$root" timeout --kill-after=5 90 \
      emacs --batch -q -l "$root/docs/editors/pprof-lsp-eglot.el" -l "$driver" \
      >"$log" 2>"$log.stderr"
  status=$?
  cat "$log"
  if [ $status -ne 0 ]; then
    failed=1
    [ $status -eq 124 ] && echo "FAIL $run: timed out after 90 s"
    grep -q '^FAIL' "$log" || echo "FAIL $run: emacs exited $status"
    sed 's/^/    /' "$log.stderr" | tail -n 30
  fi
done

# --- run C: a newer Eglot draws the hint in a real terminal Emacs ---------------
# Eglot 1.9 (Debian 12) has no inlay-hint display. Eglot releases from GNU
# ELPA do, and still run on Emacs 28; the same Lisp ships as source in
# Debian 13's emacs-el (Eglot 1.17, with its project, xref, eldoc, flymake,
# external-completion and track-changes), elpa-jsonrpc and elpa-compat. They
# are fetched once with a private apt configuration (the system's sources are
# left alone) and put first on the load path, as a package install would.
newer="$root/.tools/eglot-emacs30"
fetch_newer_eglot() {
  [ -f "$newer/lisp/eglot.el" ] && return 0
  command -v tmux >/dev/null 2>&1 || { apt-get install -y -q tmux >&2 || return 1; }
  rm -rf "$newer"
  mkdir -p "$newer/apt/lists/partial" "$newer/apt/cache/archives/partial" "$newer/debs" "$newer/x" "$newer/lisp"
  # The Debian mirror this machine already uses, with suite trixie.
  local mirror
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
             /etc/apt/sources.list.d/*.sources 2>/dev/null |
           awk '$1 == "URIs:" || $1 == "deb" { print $2 }' |
           grep -E '/debian/?$' | head -n 1)
  [ -n "$mirror" ] || { echo "no Debian mirror in the apt sources" >&2; return 1; }
  echo "deb $mirror trixie main" >"$newer/apt/sources.list"
  local opts=(-o "Dir::Etc::sourcelist=$newer/apt/sources.list" -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$newer/apt/lists" -o "Dir::Cache=$newer/apt/cache" -q)
  echo "fetching Eglot 1.17 sources from Debian 13 into $newer" >&2
  apt-get "${opts[@]}" update >&2 || return 1
  (cd "$newer/debs" && apt-get "${opts[@]}" download emacs-el/trixie elpa-jsonrpc/trixie elpa-compat/trixie) >&2 2>&1 || return 1
  local deb
  for deb in "$newer"/debs/*.deb; do dpkg-deb -x "$deb" "$newer/x" || return 1; done
  local src="$newer/x/usr/share/emacs/30.1/lisp" f
  for f in progmodes/eglot progmodes/project progmodes/xref progmodes/flymake \
           emacs-lisp/eldoc emacs-lisp/track-changes external-completion; do
    zcat "$src/$f.el.gz" >"$newer/lisp/$(basename "$f").el" || return 1
  done
  cp "$newer"/x/usr/share/emacs/site-lisp/elpa-src/jsonrpc-*/jsonrpc.el \
     "$newer"/x/usr/share/emacs/site-lisp/elpa-src/compat-*/compat*.el "$newer/lisp/" || return 1
  rm -rf "$newer/x" "$newer/debs" "$newer/apt"
}

if ! fetch_newer_eglot; then
  echo "SKIP C: could not fetch the newer Eglot (see above)"
  rm -rf "$newer"
else
  cat >"$artifacts/init-c.el" <<'ELISP'
;; A user's init file: newer Eglot first on the load path, then the snippet.
(push (getenv "TRY_EGLOT_LISP") load-path)
(setq native-comp-deferred-compilation nil)
(require 'go-mode)
(load (expand-file-name "docs/editors/pprof-lsp-eglot.el" (getenv "TRY_ROOT")))
(setq pprof-lsp-initialization-options '(:profiles ["../profiles/windows.heap.pb.gz"]))
(add-hook 'go-mode-hook #'eglot-ensure)
ELISP
  session="try-emacs-$$"
  screen="$artifacts/run-C.screen"
  LANG=C.UTF-8 TRY_EGLOT_LISP="$newer/lisp" TRY_ROOT="$root" \
    tmux new-session -d -s "$session" -x 120 -y 40 \
    "emacs -nw -q -l '$artifacts/init-c.el' '$root/tests/fixtures/goprog/internal/catalog/catalog.go'"
  want='table = make([]Entry, Size) 10MB flat · 10MB cum (65.47%)'
  ok=0
  sleep 3
  # Go to line 25, type a space and undo it: Eglot 1.17 asks for hints again
  # after an edit (it does not take the server's refresh request).
  tmux send-keys -t "$session" M-g g 25 Enter
  sleep 0.5
  tmux send-keys -t "$session" C-e ' '
  sleep 1
  tmux send-keys -t "$session" C-/
  for _ in $(seq 1 20); do
    tmux capture-pane -p -t "$session" >"$screen" 2>/dev/null
    if grep -qF "$want" "$screen"; then ok=1; break; fi
    sleep 0.5
  done
  mode=$(grep -o '(Go[^)]*)' "$screen" | head -n 1)
  tmux kill-session -t "$session" 2>/dev/null
  if [ $ok -eq 1 ]; then
    echo "PASS C: emacs -nw with Eglot 1.17 draws the hint on catalog.go:25 -- $mode"
    grep -F "$want" "$screen" | sed 's/^/     C: screen: /'
  else
    failed=1
    echo "FAIL C: emacs -nw with Eglot 1.17: no hint on catalog.go:25 (screen in $screen)"
    sed 's/^/    /' "$screen"
  fi
fi

if [ $failed -eq 0 ]; then
  echo "emacs/eglot: all checks passed"
else
  echo "emacs/eglot: some checks failed (logs in $artifacts)"
fi
exit $failed
