-- Headless Neovim test of the Dash plugin: filetype detection, ftplugin
-- options, syntax groups, indentation and starting the language server
-- (a fake one, test/fake_lsp.js, via vim.g.dash_lsp_cmd).
-- Run: sh test/run.sh  (needs Neovim 0.8+ and node)
local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local failures, passed = {}, 0

local function check(name, ok, detail)
  if ok then
    passed = passed + 1
  else
    table.insert(failures, name .. (detail and (': ' .. detail) or ''))
  end
end

local log = here .. '/project/lsp.log'
os.remove(log)
vim.env.DASH_FAKE_LSP_LOG = log
vim.g.dash_lsp_cmd = { 'node', here .. '/fake_lsp.js' }

vim.cmd('filetype plugin indent on')
vim.cmd('syntax on')
vim.cmd('edit ' .. here .. '/project/sample.dash')

-- filetype and options
check('filetype', vim.bo.filetype == 'dash', vim.bo.filetype)
check('commentstring', vim.bo.commentstring == '// %s', vim.bo.commentstring)
check('shiftwidth', vim.bo.shiftwidth == 2)
check('expandtab', vim.bo.expandtab)
check('syntax', vim.b.current_syntax == 'dash')

-- syntax: the group at the first character of the nth occurrence of `text`
-- (searched from the top of the buffer, line by line)
local function group_at(text, nth)
  nth = nth or 1
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  local seen = 0
  for lnum, line in ipairs(lines) do
    local start = 1
    while true do
      local s = line:find(text, start, true)
      if not s then break end
      seen = seen + 1
      if seen == nth then
        local id = vim.fn.synID(lnum, s, 1)
        return vim.fn.synIDattr(id, 'name'), vim.fn.synIDattr(vim.fn.synIDtrans(id), 'name')
      end
      start = s + 1
    end
  end
  return nil
end

local cases = {
  { 'A line comment', 'dashLineComment' },
  { 'TODO', 'dashTodo' },
  { 'nested */ comment', 'dashBlockComment' },
  { ' comment */', 'dashBlockComment' },
  { 'type', 'dashDeclaration' },
  { 'Reading', 'dashRecordType' },
  { 'station', 'dashKey' },
  { 'string', 'dashType' },
  { '@json', 'dashAttribute' },
  { 'StationID', 'dashString' },
  { 'float', 'dashType' },
  { 'source', 'dashDeclaration' },
  { 'from', 'dashKeyword' },
  { 'http', 'dashKeyword' },
  { 'cursor', 'dashInterpolation' },
  { '${', 'dashInterpolationDelim' },
  { '30s', 'dashDuration' },
  { 'transform', 'dashDeclaration' },
  { 'to_metric', 'dashDeclName' },
  { '->', 'dashOperator' },
  { 'let', 'dashStorage' },
  { 'lower', 'dashBuiltin' },
  { 'require', 'dashException' },
  { 'else', 'dashConditional' },
  { 'skip', 'dashException' },
  { '??', 'dashOperator' },
  { '0.0', 'dashFloat' },
  { '1e-3', 'dashFloat' },
  { '\\t', 'dashEscape' },
  { 'upper', 'dashBuiltin' },
  { ' c"', 'dashString' },
  { '@2026-01-01T00:00:00Z', 'dashTimestamp' },
  { '1_000', 'dashNumber' },
  { 'true', 'dashBoolean' },
  { 'and', 'dashWordOp' },
  { 'not', 'dashWordOp' },
  { 'null', 'dashNull' },
  { 'reactor', 'dashDeclaration' },
  { 'enrich', 'dashDeclName' },
  { 'step', 'dashStorage' },
  { 'get', 'dashHttpMethod' },
  { 'as', 'dashKeyword' },
  { 'return', 'dashReturn' },
  { 'match', 'dashConditional' },
  { '_ =>', 'dashWildcard' },
  { 'fail_safe', 'dashFunction' },
  { 'pipeline', 'dashDeclaration' },
  { 'test', 'dashDeclaration' },
  { 'fails', 'dashException' },
}
for _, c in ipairs(cases) do
  local name = group_at(c[1], c[3])
  check('syntax ' .. c[1], name == c[2], ('expected %s, got %s'):format(c[2], tostring(name)))
end
-- the `}` that closes `${…}` is not the end of the string
local after = group_at(' c"')
check('interpolation closes', after == 'dashString', tostring(after))
-- a variable named like a builtin is not a call
check('builtin needs a call', group_at('r.station') ~= 'dashBuiltin')

-- indentation: re-indent a flattened copy and compare with the original
local original = vim.api.nvim_buf_get_lines(0, 0, -1, false)
vim.cmd('new')
vim.bo.filetype = 'dash'
local flat = {}
for i, l in ipairs(original) do flat[i] = (l:gsub('^%s+', '')) end
vim.api.nvim_buf_set_lines(0, 0, -1, false, flat)
vim.cmd('silent normal! gg=G')
local reindented = vim.api.nvim_buf_get_lines(0, 0, -1, false)
local bad = {}
for i, l in ipairs(original) do
  if reindented[i] ~= l then table.insert(bad, ('%d: %q'):format(i, reindented[i])) end
end
check('indent', #bad == 0, table.concat(bad, ', '))
vim.cmd('bwipeout!')

-- the language server: started with the configured command, rooted at the
-- directory with dash.yaml, and attached to the buffer
local attached = vim.wait(5000, function()
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  for _, client in ipairs(get({ bufnr = 0 })) do
    if client.name == 'dash' then return true end
  end
  return false
end, 50)
check('lsp attached', attached)
if attached then
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local client = get({ bufnr = 0, name = 'dash' })[1] or get({ bufnr = 0 })[1]
  check('lsp root', client.config.root_dir == here .. '/project', client.config.root_dir)
  local opened = vim.wait(3000, function()
    local f = io.open(log)
    if not f then return false end
    local text = f:read('*a')
    f:close()
    return text:find('"didOpen"', 1, true) ~= nil and text:find('"languageId":"dash"', 1, true) ~= nil
  end, 50)
  check('lsp didOpen', opened)
  if vim.fn.has('nvim-0.10') == 1 then client:stop() else client.stop() end
end
os.remove(log)

local total = passed + #failures
for _, f in ipairs(failures) do
  io.stdout:write('FAIL ' .. f .. '\n')
end
io.stdout:write(('%d passed, %d failed\n'):format(passed, #failures))
vim.cmd(#failures == 0 and 'qall!' or 'cquit!')
