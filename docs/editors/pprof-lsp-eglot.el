;;; pprof-lsp-eglot.el --- pprof-lsp with Eglot  -*- lexical-binding: t; -*-

;; Load this file from your init file, or copy the parts you want:
;;
;;   (load "/path/to/pprof-lsp-eglot.el")
;;
;; It does three things:
;;  1. tells Eglot to start `pprof-lsp' for Go buffers (go-mode, go-ts-mode),
;;     with the settings in `pprof-lsp-initialization-options';
;;  2. makes a directory with a go.mod a project of its own, so that a Go
;;     module below the top of a repository is the server's workspace;
;;  3. defines `M-x pprof-lsp-command', which runs one of the server's
;;     commands (pprof.top, pprof.status, ...) and shows its answer.
;;
;; Works with Eglot 1.9 (Emacs 28) and later.

;;; Code:

(require 'eglot)
(require 'json)
(require 'project)
(require 'seq)
(require 'subr-x)
(require 'url-parse)
(require 'url-util)

(defvar pprof-lsp-program "pprof-lsp"
  "The pprof-lsp executable: a name found on `exec-path', or a full path.")

(defvar pprof-lsp-initialization-options
  '(:profiles [] :hints (:format "flatCum"))
  "Settings sent to pprof-lsp as `initializationOptions'.
A plist with the keys of the server's settings object; a vector is a
JSON array.  `:profiles []' lets the server find the newest profile
in the workspace.")

;; 1. The server for Go buffers.  This entry goes in front of Eglot's own
;; (go-mode . ("gopls")), so it wins: Eglot runs one server per buffer.
(add-to-list 'eglot-server-programs
             `((go-mode go-ts-mode)
               . (,pprof-lsp-program
                  :initializationOptions
                  ,(lambda (_server) pprof-lsp-initialization-options))))

;; 2. A go.mod marks a project (as gopls's documentation suggests for Eglot).
(defun pprof-lsp-project-find-go-module (dir)
  "Return the Go module containing DIR as a project, or nil."
  (when-let ((root (locate-dominating-file dir "go.mod")))
    (cons 'go-module root)))

(cl-defmethod project-root ((project (head go-module)))
  (cdr project))

(add-hook 'project-find-functions #'pprof-lsp-project-find-go-module)

;; 3. The server's commands.
(defconst pprof-lsp-commands
  '("pprof.top" "pprof.status" "pprof.load" "pprof.listSampleTypes"
    "pprof.selectSampleType" "pprof.unresolved" "pprof.toggle"
    "pprof.listProfiles" "pprof.showFunction" "pprof.heat")
  "The commands pprof-lsp answers through workspace/executeCommand.")

(defun pprof-lsp-execute (command &optional argument server)
  "Run pprof-lsp's COMMAND with ARGUMENT (a plist, or nil for none).
Return the server's answer, parsed.  SERVER defaults to the current
buffer's Eglot server."
  (jsonrpc-request (or server (eglot-current-server)
                       (user-error "No Eglot server for this buffer"))
                   :workspace/executeCommand
                   `(:command ,command
                     :arguments ,(if argument (vector argument) []))))

(defun pprof-lsp-command (command argument)
  "Run pprof-lsp's COMMAND with ARGUMENT, a JSON object, and show the answer.
`pprof.top' is shown as a list of FILE:LINE lines to jump from;
other answers as JSON."
  (interactive
   (let ((command (completing-read "pprof-lsp command: " pprof-lsp-commands
                                   nil t nil nil "pprof.top")))
     (list command
           (read-string (format "%s argument (JSON, empty for none): " command)
                        (if (equal command "pprof.top") "{\"n\": 20}" "")))))
  (let* ((arg (unless (string-blank-p argument)
                (json-parse-string argument :object-type 'plist
                                   :false-object :json-false)))
         (answer (pprof-lsp-execute command arg))
         (project (project-current))
         (dir (if project (project-root project) default-directory)))
    (with-current-buffer (get-buffer-create "*pprof-lsp*")
      (let ((inhibit-read-only t))
        (erase-buffer)
        (setq default-directory dir)
        (if (equal command "pprof.top")
            (progn
              (insert (format "pprof.top %s\n\n" argument))
              (seq-doseq (row answer)
                (insert (format "%s:%s: %s  %s\n"
                                (let ((uri (plist-get row :uri)))
                                  (if (stringp uri)
                                      (url-unhex-string
                                       (url-filename (url-generic-parse-url uri)))
                                    (plist-get row :file)))
                                (plist-get row :line)
                                (plist-get row :label)
                                (plist-get row :function))))
              (grep-mode))
          (insert (json-serialize answer :false-object :json-false
                                  :null-object nil))
          (json-pretty-print-buffer)
          (js-mode)))
      (goto-char (point-min))
      (display-buffer (current-buffer))
      (current-buffer))))

(provide 'pprof-lsp-eglot)
;;; pprof-lsp-eglot.el ends here
