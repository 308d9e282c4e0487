" Vim syntax file
" Language:  Dash (data-pipeline language)
" Filenames: *.dash

if exists('b:current_syntax')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match
syn sync fromstart

" ------------------------------------------------------------ keywords

syn keyword dashDeclaration type source sink transform reactor pipeline test
syn keyword dashStorage     let step
syn keyword dashConditional if else match
syn keyword dashException   require skip fail fails
syn keyword dashReturn      return
syn keyword dashKeyword     from into as lookup http rollup every
syn keyword dashBoolean     true false
syn keyword dashNull        null
syn keyword dashWordOp      and or not
" `get` `post` `put` `patch` `delete` are keywords only right after `http`
syn match   dashHttpMethod  '\%(\<http\s\+\)\@<=\%(get\|post\|put\|patch\|delete\)\>'

" ------------------------------------------------------------ types and names

syn keyword dashType        bool int float string timestamp duration json
syn match   dashRecordType  '\<\u\w*\>'
syn match   dashKey         '\<\h\w*\ze\s*:'
syn match   dashField       '?\=\.\zs\h\w*'
syn match   dashFunction    '\<\h\w*\ze\s*('
syn match   dashBuiltin     '\<\%(lower\|upper\|trim\|len\|contains\|starts_with\|ends_with\|replace\|substr\|split\|join\|matches\|abs\|round\|floor\|ceil\|min\|max\|clamp\|sqrt\|pow\|to_int\|to_float\|to_string\|parse_timestamp\|format_timestamp\|time_bucket\|now\|get\|sha256\|hash64\|year\|month\|day\|hour\|minute\|second\|weekday\|day_of_year\|unix_seconds\|unix_millis\|from_unix_seconds\|from_unix_millis\|date_trunc\|parse_duration\|pad_left\|pad_right\|index_of\|repeat\|url_encode\|url_decode\|base64_encode\|base64_decode\|hex_encode\|md5\|sha1\|hmac_sha256\|uuid_v5\|parse_query\|parse_key_value\|parse_json\|to_json\|encode_json\|as_int\|as_float\|as_string\|as_bool\|as_list\)\ze\s*('
syn match   dashDeclName    '\%(\<\%(transform\|reactor\)\s\+\)\@<=\h\w*'
syn match   dashWildcard    '\<_\>'

" ------------------------------------------------------------ literals

syn match   dashNumber      '\<\d[0-9_]*\>'
syn match   dashFloat       '\<\d[0-9_]*\%(\.\d[0-9_]*\%([eE][+-]\=\d[0-9_]*\)\=\|[eE][+-]\=\d[0-9_]*\)\>'
syn match   dashDuration    '\<\d[0-9_]*\%(ms\|us\|s\|m\|h\|d\)\>'
syn match   dashTimestamp   '@\d\{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d\%(\.\d\+\)\=\%([Zz]\|[+-]\d\d:\d\d\)'
syn match   dashAttribute   '@json\>'

syn match   dashOperator    '??\|?\.\|->\|=>\|==\|!=\|<=\|>=\|[<>+*/%=|?-]'

" Strings stay on one line; `${…}` holds an expression (braces nest).
syn region  dashString      start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+$+ contains=dashEscape,dashEscapeError,dashInterpolation
syn match   dashEscapeError '\\.' contained
syn match   dashEscape      '\\\%(u{\x\{1,6}}\|[nrt0\\"$]\)' contained
syn region  dashInterpolation matchgroup=dashInterpolationDelim start='\${' end='}' contained contains=TOP
syn region  dashBraces      start='{' end='}' transparent contains=TOP

" ------------------------------------------------------------ comments

syn keyword dashTodo        TODO FIXME XXX NOTE contained
syn match   dashLineComment '//.*$' contains=dashTodo,@Spell
syn region  dashBlockComment start='/\*' end='\*/' contains=dashBlockComment,dashTodo,@Spell

" ------------------------------------------------------------ links

hi def link dashDeclaration        Structure
hi def link dashStorage            StorageClass
hi def link dashConditional        Conditional
hi def link dashException          Exception
hi def link dashReturn             Statement
hi def link dashKeyword            Keyword
hi def link dashHttpMethod         Keyword
hi def link dashBoolean            Boolean
hi def link dashNull               Constant
hi def link dashWordOp             Operator
hi def link dashOperator           Operator
hi def link dashType               Type
hi def link dashRecordType         Type
hi def link dashKey                Identifier
hi def link dashField              Identifier
hi def link dashFunction           Function
hi def link dashBuiltin            Function
hi def link dashDeclName           Function
hi def link dashWildcard           Special
hi def link dashNumber             Number
hi def link dashFloat              Float
hi def link dashDuration           Number
hi def link dashTimestamp          Constant
hi def link dashAttribute          PreProc
hi def link dashString             String
hi def link dashEscape             SpecialChar
hi def link dashEscapeError        Error
hi def link dashInterpolationDelim Delimiter
hi def link dashLineComment        Comment
hi def link dashBlockComment       Comment
hi def link dashTodo               Todo

let b:current_syntax = 'dash'

let &cpo = s:cpo_save
unlet s:cpo_save
