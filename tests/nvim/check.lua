-- Drives `dashc lsp` from headless Neovim: opens a broken file, waits for
-- its diagnostics, jumps to a definition, and writes what it saw to
-- $DASH_NVIM_OUT. Works on Neovim 0.7+ (start_client/buf_attach_client).
local file = os.getenv('DASH_NVIM_FILE')
local out_path = os.getenv('DASH_NVIM_OUT')
local dashc = os.getenv('DASH_NVIM_DASHC')
local lines = {}

vim.cmd('edit ' .. file)
local client = vim.lsp.start_client({
  name = 'dash',
  cmd = { dashc, 'lsp' },
  root_dir = vim.fn.fnamemodify(file, ':h'),
})
vim.lsp.buf_attach_client(0, client)

local got = vim.wait(15000, function() return #vim.diagnostic.get(0) > 0 end, 50)
table.insert(lines, 'diagnostics ' .. tostring(got))
for _, d in ipairs(vim.diagnostic.get(0)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or ''
  table.insert(lines, string.format('diagnostic %d:%d %s', d.lnum + 1, d.col + 1, code))
end

-- Go to the definition of `temp_c` on line 8 (`r.temp_c`), column of `t`.
vim.api.nvim_win_set_cursor(0, { 8, 4 })
local params = vim.lsp.util.make_position_params()
local responses = vim.lsp.buf_request_sync(0, 'textDocument/definition', params, 10000) or {}
for _, response in pairs(responses) do
  local result = response.result
  if result then
    local location = result.range and result or result[1]
    if location then
      table.insert(lines, string.format('definition %d:%d', location.range.start.line + 1, location.range.start.character + 1))
    end
  end
end

local f = io.open(out_path, 'w')
f:write(table.concat(lines, '\n') .. '\n')
f:close()
vim.lsp.stop_client(client, true)
vim.cmd('qa!')
