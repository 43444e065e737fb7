-- stackc's language server in Neovim's built-in LSP client (Neovim 0.7+):
-- `stackc lsp` (on PATH) attached to every *.stack buffer, one server for all.
-- Use it from your init.lua with `dofile("/path/to/stackc.lua")`, or try it
-- with `nvim -u editors/nvim/stackc.lua samples/scale-up.stack`.
vim.g.do_filetype_lua = 1 -- Neovim 0.7 only reads vim.filetype.add with this
vim.filetype.add({ extension = { stack = "stack" } })

local client_id
vim.api.nvim_create_autocmd("FileType", {
  pattern = "stack",
  callback = function(args)
    if not (client_id and vim.lsp.get_client_by_id(client_id)) then
      client_id = vim.lsp.start_client({
        name = "stackc",
        cmd = { "stackc", "lsp" },
        root_dir = vim.fn.getcwd(),
      })
    end
    vim.lsp.buf_attach_client(args.buf, client_id)
  end,
})
