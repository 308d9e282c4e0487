// Static check of a tree-sitter query file against the grammar: every node
// type, anonymous node ("…") and field it names must exist, and its
// parentheses must balance. (The CLI checks this when it runs a query; this
// runs without it.)
'use strict';

function stripComments(src) {
  let out = '';
  let inString = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (inString) {
      out += c;
      if (c === '\\') { out += src[++i]; continue; }
      if (c === '"') inString = false;
      continue;
    }
    if (c === '"') { inString = true; out += c; continue; }
    if (c === ';') { while (i < src.length && src[i] !== '\n') i++; out += '\n'; continue; }
    out += c;
  }
  return out;
}

function checkQuery(grammar, src) {
  const errors = [];
  const text = stripComments(src);
  // balance
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) { if (c === '\\') i++; else if (c === '"') inString = false; continue; }
    if (c === '"') inString = true;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    if (depth < 0) { errors.push(`unbalanced ) at offset ${i}`); break; }
  }
  if (depth > 0) errors.push('unbalanced (');
  // predicates: (#name? @capture args…) — their strings are arguments
  const withoutPredicates = text.replace(/\(#[^()]*\)/g, ' ');
  const named = new Set(['ERROR', 'MISSING', '_']);
  for (const m of withoutPredicates.matchAll(/\(\s*([A-Za-z_][A-Za-z0-9_.]*)/g)) {
    const name = m[1];
    if (!named.has(name) && !grammar.nodeTypes.has(name)) errors.push(`unknown node type (${name})`);
  }
  for (const m of withoutPredicates.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    const value = m[1].replace(/\\(.)/g, '$1');
    if (!grammar.anonymous.has(value)) errors.push(`unknown anonymous node "${value}"`);
  }
  for (const m of withoutPredicates.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*:/g)) {
    if (!grammar.fieldNames.has(m[1])) errors.push(`unknown field ${m[1]}:`);
  }
  const captures = new Set([...text.replace(/"(?:[^"\\]|\\.)*"/g, "").matchAll(/@([A-Za-z_][A-Za-z0-9_.-]*)/g)].map((m) => m[1]));
  return { errors, captures };
}

module.exports = { checkQuery };

// The top-level patterns of a query, each with its captures and predicates,
// comments dropped and whitespace collapsed.
function topLevelPatterns(src) {
  const text = stripComments(src);
  const out = [];
  let i = 0;
  const skipWs = () => { while (i < text.length && /\s/.test(text[i])) i++; };
  const readSexp = () => {
    const start = i;
    let depth = 0;
    let inString = false;
    for (; i < text.length; i++) {
      const c = text[i];
      if (inString) { if (c === '\\') i++; else if (c === '"') inString = false; continue; }
      if (c === '"') { inString = true; if (depth === 0) { i++; while (text[i] !== '"') { if (text[i] === '\\') i++; i++; } i++; return text.slice(start, i); } continue; }
      if (c === '(' || c === '[') depth++;
      if (c === ')' || c === ']') { depth--; if (depth === 0) { i++; return text.slice(start, i); } }
    }
    return text.slice(start);
  };
  for (;;) {
    skipWs();
    if (i >= text.length) break;
    let pattern = readSexp();
    for (;;) {
      skipWs();
      const m = /^@[A-Za-z_][A-Za-z0-9_.-]*/.exec(text.slice(i));
      if (!m) break;
      pattern += ` ${m[0]}`;
      i += m[0].length;
    }
    out.push(pattern.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim());
  }
  return out;
}

module.exports.topLevelPatterns = topLevelPatterns;
