" Indentation for Dash: one level (shiftwidth, 2 spaces) per open bracket.
if exists('b:did_indent')
  finish
endif
let b:did_indent = 1

setlocal autoindent
setlocal indentexpr=DashIndent(v:lnum)
setlocal indentkeys=0{,0},0),0],!^F,o,O,e
let b:undo_indent = 'setlocal autoindent< indentexpr< indentkeys<'

if exists('*DashIndent')
  finish
endif

" The line without strings and comments.
function! s:Code(lnum) abort
  let line = getline(a:lnum)
  let line = substitute(line, '"\%([^"\\]\|\\.\)*"', '""', 'g')
  let line = substitute(line, '//.*$', '', '')
  let line = substitute(line, '/\*.\{-}\*/', '', 'g')
  return line
endfunction

function! DashIndent(lnum) abort
  let prev = prevnonblank(a:lnum - 1)
  if prev == 0
    return 0
  endif
  let ind = indent(prev)
  let code = s:Code(prev)
  " brackets opened and not closed on the previous line
  let opened = len(substitute(code, '[^{[(]', '', 'g'))
  let closed = len(substitute(code, '[^}\])]', '', 'g'))
  " a line that starts with closers was already dedented for them
  let leading = len(substitute(matchstr(code, '^\s*[}\])]*'), '\s', '', 'g'))
  let ind += (opened - (closed - leading)) * shiftwidth()
  if getline(a:lnum) =~# '^\s*[}\])]'
    let ind -= shiftwidth()
  endif
  return max([ind, 0])
endfunction
