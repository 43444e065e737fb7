-- Run by tests/editor_nvim.rs after editors/nvim/stackc.lua: the sample is
-- the current buffer. Writes the diagnostics Neovim holds (as JSON) to
-- $STACKC_NVIM_OUT.1 once they arrive, deletes the lb-02 line, waits for the
-- spof on lb-01 and writes $STACKC_NVIM_OUT.2, then quits. Every wait is
-- bounded; the test reads what was written and fails on what is missing.
local out = vim.env.STACKC_NVIM_OUT
local function code(d)
  if d.code then return d.code end
  local lsp = d.user_data and d.user_data.lsp
  return lsp and lsp.code or vim.NIL
end
local function dump(path, extra)
  local items = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(items, {
      lnum = d.lnum, col = d.col, code = code(d), severity = d.severity,
      source = d.source or vim.NIL, message = d.message,
    })
  end
  local f = assert(io.open(path, "w"))
  f:write(vim.fn.json_encode({ diagnostics = items, extra = extra or vim.NIL }))
  f:close()
end
local function clients()
  local pids = {}
  for _, c in pairs(vim.lsp.buf_get_clients(0)) do
    table.insert(pids, { name = c.name, pid = c.rpc.pid })
  end
  return pids
end

vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 20)
dump(out .. ".1", clients())

local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
for i, l in ipairs(lines) do
  if l:match("^%s*server lb%-02 ") then
    vim.api.nvim_buf_set_lines(0, i - 1, i, false, {})
    break
  end
end
vim.wait(20000, function()
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if code(d) == "spof" and d.message:find("lb-01", 1, true) then return true end
  end
  return false
end, 20)
dump(out .. ".2")
vim.cmd("qa!")
