-- A profile taken at an older git revision, shown on the checkout of a newer
-- one: the repository of tests/fixtures/revision (scripts/make-revision-repo.sh),
-- profiled at revision A (tag `profiled`), with B checked out. First with
-- the `revision` setting, then without it, when the server finds A in the
-- profiled binary's build info. Read back from Neovim's own inlay hints:
-- the moved allocation's hint is on its new line, the changed line's hint
-- is marked stale, the deleted line's value is nowhere, the renamed file
-- is annotated; the status the plugin shows names the revision.
package.path = os.getenv('PPROF_REPO') .. '/tests/nvim/?.lua;' .. package.path
local h = require('helpers')

--- The hint of a line that keeps one object of `bytes` (a whole number of
--- kB below 1 MB, as every tagged size is), flat and cum alike.
local function hint_of(bytes, total)
  assert(bytes % 1024 == 0 and bytes < 1048576, 'not a whole number of kB: ' .. bytes)
  local value = ('%dkB'):format(bytes / 1024)
  return ('%s flat · %s cum (%.2f%%)'):format(value, value, bytes / total * 100)
end

--- The text of the server's hover on a 0-based line of a buffer.
local function hover_text(bufnr, line)
  local params = { textDocument = vim.lsp.util.make_text_document_params(bufnr), position = { line = line, character = 0 } }
  local answers = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, 5000) or {}
  for _, answer in pairs(answers) do
    local contents = answer.result and answer.result.contents
    if type(contents) == 'table' and contents.value then
      return contents.value
    end
  end
  return ''
end

h.run(function()
  local repo = h.revision_repo()
  local l = repo.lines
  local short = repo.revA:sub(1, 7)
  h.log(('repository %s: A %s, B %s'):format(repo.dir, short, repo.revB:sub(1, 7)))

  local messages = {}
  vim.notify = function(message)
    table.insert(messages, message)
  end
  local last_event
  vim.api.nvim_create_autocmd('User', {
    pattern = 'PprofStatus',
    callback = function(event)
      last_event = event.data
    end,
  })

  vim.g.pprof = { profiles = { repo.profile }, goroot = h.empty_goroot, revision = 'profiled' }
  h.load_plugin()
  local store = h.open(repo.dir .. '/' .. l.moved.file)
  local pprof = require('pprof')

  local status = h.wait(15000, function()
    local s = pprof.status(store)
    return s and s.state == 'loaded' and s.revision and s or nil
  end, 'a loaded status with a revision')
  h.log('status: ' .. status.summary)
  h.eq(
    { sha = status.revision.sha, short = status.revision.short, source = status.revision.source },
    { sha = repo.revA, short = short, source = 'setting' },
    'the status revision'
  )
  h.check(vim.endswith(status.summary, ' · @' .. short), 'the summary does not end with @' .. short .. ': ' .. status.summary)
  -- Everywhere the plugin shows the status: its statusline function, the
  -- User PprofStatus autocommand's data, and :Pprof status.
  h.eq(pprof.statusline(store), status.summary, 'statusline()')
  h.check(last_event and last_event.status and last_event.status.summary == status.summary, 'PprofStatus data: ' .. vim.inspect(last_event))
  vim.cmd('Pprof status')
  h.eq(messages[#messages], status.summary .. '\n' .. status.detail, ':Pprof status message')
  h.check(messages[#messages]:find('@' .. short, 1, true) ~= nil, ':Pprof status lacks @' .. short)
  h.check(status.detail:find('taken at ' .. short, 1, true) ~= nil, 'the detail does not say where the profile was taken: ' .. status.detail)

  local total = status.total
  local moved, changed = l.moved.b - 1, l.changed.b - 1
  local stale = hint_of(l.changed.bytes, total) .. (' (stale: line changed since %s)'):format(short)
  local deleted = hint_of(l.deleted.bytes, total):match('^(.- flat)')
  local function check_store(when)
    h.wait_hint(store, moved, hint_of(l.moved.bytes, total))
    h.wait_hint(store, changed, stale)
    local hints = h.hints(store)
    h.log(('%s: store.go:%d "%s"; store.go:%d "%s"'):format(when, l.moved.b, hints[moved], l.changed.b, hints[changed]))
    h.eq(vim.tbl_count(hints), 2, 'number of hints in store.go ' .. vim.inspect(hints))
    for line, label in pairs(hints) do
      h.check(not vim.startswith(label, deleted), ('line %d has the deleted value: %s'):format(line + 1, label))
    end
  end
  check_store('with the setting')
  local hover = hover_text(store, changed)
  h.check(hover:find(('changed since %s (profiled revision)'):format(short), 1, true) ~= nil, 'hover on the changed line: ' .. hover)

  -- The renamed file (cache.go at A) is annotated under its new name, and
  -- the deleted value is not there either.
  local lru = h.open(repo.dir .. '/' .. l.renamed.fileB)
  h.wait_hint(lru, l.renamed.b - 1, hint_of(l.renamed.bytes, total))
  for _, label in pairs(h.hints(lru)) do
    h.check(not vim.startswith(label, deleted), 'lru.go has the deleted value: ' .. label)
  end
  h.log(('%s:%d "%s"'):format(l.renamed.fileB, l.renamed.b, h.hints(lru)[l.renamed.b - 1]))

  -- Without the setting the server reads the revision from the profiled
  -- binary's build info; the lines stay where the code is.
  vim.g.pprof = { profiles = { repo.profile }, goroot = h.empty_goroot }
  pprof.setup({})
  local from_binary = h.wait(15000, function()
    local s = pprof.status(store)
    return s and s.state == 'loaded' and s.revision and s.revision.source == 'buildInfo' and s or nil
  end, 'a status with the revision from the build info')
  h.log('status: ' .. from_binary.summary)
  h.eq(from_binary.revision.sha, repo.revA, 'the revision from the build info')
  h.eq(from_binary.revision.binary, repo.binary, 'the binary read')
  h.eq(from_binary.revisionDirty, false, 'revisionDirty')
  h.check(vim.endswith(from_binary.summary, ' · @' .. short), 'the summary does not end with @' .. short .. ': ' .. from_binary.summary)
  h.eq(pprof.statusline(store), from_binary.summary, 'statusline() with the build info')
  vim.cmd.buffer(store)
  check_store('from the build info')
  h.wait_hint(lru, l.renamed.b - 1, hint_of(l.renamed.bytes, from_binary.total))
end)
