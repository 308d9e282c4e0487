-- Dash: comments, 2-space indentation, and the dashc language server.
if vim.b.did_ftplugin then
  return
end
vim.b.did_ftplugin = true

vim.bo.commentstring = '// %s'
vim.bo.comments = 's1:/*,mb:*,ex:*/,://'
vim.bo.expandtab = true
vim.bo.shiftwidth = 2
vim.bo.softtabstop = 2
vim.bo.suffixesadd = '.dash'
vim.b.undo_ftplugin = 'setlocal commentstring< comments< expandtab< shiftwidth< softtabstop< suffixesadd<'

-- The language server: `dashc lsp` over stdio. Set `vim.g.dash_lsp = false`
-- to skip it (e.g. when nvim-lspconfig starts it), or `vim.g.dash_lsp_cmd`
-- to run another command, e.g. { '/path/to/dashc', 'lsp' }.
if vim.g.dash_lsp == false or vim.lsp == nil or vim.lsp.start == nil then
  return
end

local cmd = vim.g.dash_lsp_cmd or { 'dashc', 'lsp' }
if vim.fn.executable(cmd[1]) ~= 1 then
  if not vim.g.dash_lsp_warned then
    vim.g.dash_lsp_warned = true
    vim.notify(
      ('Dash: `%s` not found; install it with `cargo install --path .` in the Dash repository'):format(cmd[1]),
      vim.log.levels.WARN
    )
  end
  return
end

local bufname = vim.api.nvim_buf_get_name(0)
local dir = bufname ~= '' and vim.fs.dirname(bufname) or vim.fn.getcwd()
-- A Dash project is the directory of its .dash files; dash.yaml sits beside
-- them. Use the nearest directory that has one, else the file's own.
local marker = vim.fs.find({ 'dash.yaml' }, { upward = true, path = dir })[1]

vim.lsp.start({
  name = 'dash',
  cmd = cmd,
  root_dir = marker and vim.fs.dirname(marker) or dir,
})
