-- *.dash files are Dash pipelines.
vim.filetype.add({ extension = { dash = 'dash' } })
