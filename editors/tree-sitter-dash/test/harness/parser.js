// An offline stand-in for `tree-sitter parse`: an Earley parser driven by the
// grammar JSON that dsl.js produces, with a lexer that follows tree-sitter's
// rules (context-aware lexing: only tokens some parse can use here; lexical
// precedence, then longest match, then literal over pattern; keywords found
// through the `word` token; immediate tokens take no extras before them).
// Operator precedence and associativity are applied as tree-sitter does for
// an expression grammar: a parse whose nodes break them is dropped. GLR
// ambiguity that tree-sitter settles with dynamic precedence is settled here
// by keeping the first parse found. Trees print as tree-sitter S-expressions.
//
// It checks that the grammar accepts a file and what tree it builds; it
// cannot detect LR conflicts, which only `tree-sitter generate` reports.
'use strict';

function escapeRegex(s) {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

// A TOKEN's content as one regex source, and the lexical precedence written
// directly inside the token.
function tokenSource(rule) {
  switch (rule.type) {
    case 'STRING': return escapeRegex(rule.value);
    case 'PATTERN': return `(?:${rule.value})`;
    case 'SEQ': return rule.members.map(tokenSource).join('');
    case 'CHOICE': return `(?:${rule.members.map(tokenSource).join('|')})`;
    case 'REPEAT': return `(?:${tokenSource(rule.content)})*`;
    case 'REPEAT1': return `(?:${tokenSource(rule.content)})+`;
    case 'BLANK': return '';
    case 'PREC': case 'PREC_LEFT': case 'PREC_RIGHT': case 'PREC_DYNAMIC':
    case 'TOKEN': case 'IMMEDIATE_TOKEN': case 'FIELD':
      return tokenSource(rule.content);
    default: throw new Error(`unexpected ${rule.type} inside a token`);
  }
}

function tokenPrec(rule) {
  while (rule) {
    if (rule.type === 'PREC' || rule.type === 'PREC_LEFT' || rule.type === 'PREC_RIGHT') return rule.value;
    if (rule.type === 'TOKEN' || rule.type === 'IMMEDIATE_TOKEN') { rule = rule.content; continue; }
    return 0;
  }
  return 0;
}

class Grammar {
  /**
   * @param {object} json grammar JSON (dsl.js)
   * @param {{expression?: string}} options `expression`: the rule whose
   *   operands take part in operator precedence (default `_expression`)
   */
  constructor(json, options = {}) {
    this.json = json;
    this.expression = options.expression || '_expression';
    this.terminals = [];
    this.terminalByKey = new Map();
    this.nonterminals = new Map();
    this.auxCount = 0;
    this.fieldNames = new Set();
    this.nodeTypes = new Set(); // visible named node types
    this.anonymous = new Set(); // anonymous node types (literal strings)
    const ruleNames = Object.keys(json.rules);
    this.start = ruleNames[0];
    this.lexical = new Map();
    for (const name of ruleNames) {
      const r = json.rules[name];
      if (['STRING', 'PATTERN', 'TOKEN', 'IMMEDIATE_TOKEN'].includes(r.type)) {
        this.lexical.set(name, this.terminal({ name, named: !name.startsWith('_'), rule: r }));
      }
    }
    this.word = json.word ? this.lexical.get(json.word) : null;
    for (const name of ruleNames) {
      if (this.lexical.has(name)) continue;
      this.nonterminals.set(name, { name, hidden: name.startsWith('_'), aux: false, productions: [] });
    }
    for (const name of ruleNames) {
      if (this.lexical.has(name)) continue;
      const nt = this.nonterminals.get(name);
      if (!nt.hidden) this.nodeTypes.add(name);
      nt.productions = this.expand(json.rules[name]).map((alt) => ({ nt: name, ...alt }));
    }
    for (const t of this.terminals) if (t.named) this.nodeTypes.add(t.name);
    // extras
    this.extras = [];
    for (const e of json.extras) {
      if (e.type === 'SYMBOL') this.extras.push(this.lexical.get(e.name));
      else this.extras.push(this.terminal({ name: null, named: false, rule: e, extra: true }));
    }
    // keywords: literal tokens that the word token matches entirely
    for (const t of this.terminals) {
      if (this.word && t.literal !== undefined && t !== this.word) {
        const m = this.word.regex;
        m.lastIndex = 0;
        const r = m.exec(t.literal);
        if (r && r[0] === t.literal) t.keyword = true;
      }
    }
    this.computeNullable();
  }

  terminal({ name, named, rule, extra = false }) {
    const immediate = rule.type === 'IMMEDIATE_TOKEN';
    const key = JSON.stringify([name, rule]);
    if (this.terminalByKey.has(key)) return this.terminalByKey.get(key);
    let inner = rule;
    while (inner.type === 'TOKEN' || inner.type === 'IMMEDIATE_TOKEN' || inner.type === 'PREC') inner = inner.content;
    const literal = inner.type === 'STRING' ? inner.value : undefined;
    const t = {
      id: this.terminals.length,
      name: name || literal || tokenSource(rule),
      named,
      immediate,
      prec: tokenPrec(rule),
      literal,
      regex: new RegExp(tokenSource(rule), 'y'),
      extra,
      keyword: false,
      terminal: true,
    };
    if (!named && literal !== undefined) this.anonymous.add(literal);
    this.terminals.push(t);
    this.terminalByKey.set(key, t);
    return t;
  }

  aux(base, alternatives) {
    const name = `${base}_repeat${++this.auxCount}`;
    const nt = { name, hidden: true, aux: true, productions: [] };
    this.nonterminals.set(name, nt);
    for (const alt of alternatives) {
      nt.productions.push({ nt: name, elements: alt.elements, meta: {} });
      nt.productions.push({ nt: name, elements: [{ sym: nt }, ...alt.elements], meta: {} });
    }
    return nt;
  }

  // -> [{ elements: [{sym, field, alias}], meta: {prec, assoc, dynamic} }]
  expand(rule, base = 'rule') {
    switch (rule.type) {
      case 'BLANK': return [{ elements: [], meta: {} }];
      case 'STRING': case 'PATTERN': case 'TOKEN': case 'IMMEDIATE_TOKEN':
        return [{ elements: [{ sym: this.terminal({ name: null, named: false, rule }) }], meta: {} }];
      case 'SYMBOL': {
        const sym = this.lexical.get(rule.name) || this.nonterminals.get(rule.name);
        if (!sym) throw new Error(`unknown symbol ${rule.name}`);
        return [{ elements: [{ sym }], meta: {} }];
      }
      case 'SEQ': {
        let acc = [{ elements: [], meta: {} }];
        for (const m of rule.members) {
          const parts = this.expand(m, base);
          const next = [];
          for (const a of acc) for (const p of parts) next.push({ elements: [...a.elements, ...p.elements], meta: { ...a.meta, ...p.meta } });
          acc = next;
        }
        return acc;
      }
      case 'CHOICE': return rule.members.flatMap((m) => this.expand(m, base));
      case 'REPEAT': case 'REPEAT1': {
        const nt = this.aux(base, this.expand(rule.content, base));
        const one = { elements: [{ sym: nt }], meta: {} };
        return rule.type === 'REPEAT' ? [{ elements: [], meta: {} }, one] : [one];
      }
      case 'FIELD': {
        this.fieldNames.add(rule.name);
        return this.expand(rule.content, base).map((alt) => ({
          ...alt,
          elements: alt.elements.map((e) => ({ ...e, field: e.field || rule.name })),
        }));
      }
      case 'ALIAS': {
        if (rule.named) this.nodeTypes.add(rule.value); else this.anonymous.add(rule.value);
        return this.expand(rule.content, base).map((alt) => ({
          ...alt,
          elements: alt.elements.map((e) => ({ ...e, alias: { value: rule.value, named: rule.named } })),
        }));
      }
      case 'PREC': case 'PREC_LEFT': case 'PREC_RIGHT': {
        const assoc = rule.type === 'PREC_LEFT' ? 'left' : rule.type === 'PREC_RIGHT' ? 'right' : null;
        return this.expand(rule.content, base).map((alt) => ({ ...alt, meta: { ...alt.meta, prec: rule.value, assoc } }));
      }
      case 'PREC_DYNAMIC':
        return this.expand(rule.content, base).map((alt) => ({ ...alt, meta: { ...alt.meta, dynamic: rule.value } }));
      default: throw new Error(`unsupported rule ${rule.type}`);
    }
  }

  computeNullable() {
    this.nullable = new Set();
    let changed = true;
    while (changed) {
      changed = false;
      for (const nt of this.nonterminals.values()) {
        if (this.nullable.has(nt.name)) continue;
        if (nt.productions.some((p) => p.elements.every((e) => !e.sym.terminal && this.nullable.has(e.sym.name)))) {
          this.nullable.add(nt.name);
          changed = true;
        }
      }
    }
  }
}

// ---------------------------------------------------------------- parsing

class ParseError extends Error {
  constructor(message, offset, line, column, expected) {
    super(message);
    this.offset = offset;
    this.line = line;
    this.column = column;
    this.expected = expected;
  }
}

function lineCol(text, offset) {
  const before = text.slice(0, offset).split('\n');
  return [before.length, before[before.length - 1].length + 1];
}

function parse(grammar, text) {
  const sets = new Map(); // position -> { items, keys, waiting, completedHere }
  const comments = new Map(); // start -> node
  const exprName = grammar.expression;

  function setAt(k) {
    let s = sets.get(k);
    if (!s) {
      s = { items: [], keys: new Map(), waiting: new Map(), completedHere: new Map() };
      sets.set(k, s);
    }
    return s;
  }

  function effective(node) {
    // operator-precedence shape of a node: hidden wrappers pass their child's
    while (node && !node.terminal && node.hiddenWrapper) node = node.children[0];
    return node && node.meta ? node.meta : { prec: Infinity, leftOpen: false, rightOpen: false };
  }

  function buildNode(item, end) {
    const p = item.prod;
    const nt = grammar.nonterminals.get(p.nt);
    // the span of the tokens, without the extras before them
    const real = item.children.filter((c) => c.end > c.start);
    const start = real.length ? real[0].start : item.origin;
    end = real.length ? real[real.length - 1].end : item.origin;
    const node = {
      type: p.nt, hidden: nt.hidden, aux: nt.aux, terminal: false,
      children: item.children, elements: p.elements, start, end,
      hiddenWrapper: nt.hidden && !nt.aux && p.elements.length === 1 && !p.elements[0].sym.terminal,
    };
    node.dynamic = (p.meta.dynamic || 0) + item.children.reduce((sum, c) => sum + (c.dynamic || 0), 0);
    if (p.meta.prec !== undefined) {
      const n = p.elements.length;
      const leftOpen = n > 1 && !p.elements[0].sym.terminal && p.elements[0].sym.name === exprName;
      const rightOpen = n > 1 && !p.elements[n - 1].sym.terminal && p.elements[n - 1].sym.name === exprName;
      const prec = p.meta.prec;
      const assoc = p.meta.assoc;
      if (leftOpen) {
        const m = effective(item.children[0]);
        if (m.rightOpen && !(m.prec > prec || (m.prec === prec && assoc === 'left'))) return null;
      }
      if (rightOpen) {
        const m = effective(item.children[n - 1]);
        if (m.leftOpen && !(m.prec > prec || (m.prec === prec && assoc === 'right'))) return null;
      }
      node.meta = { prec, leftOpen, rightOpen };
    }
    return node;
  }

  // Of two parses of the same span, tree-sitter keeps the one that shifted
  // where the other reduced (a conflict settled by precedence or
  // associativity): the one whose earlier parts reach further. Then the
  // higher dynamic precedence (GLR).
  function compareNodes(a, b) {
    if (a.terminal || b.terminal) return 0;
    const n = Math.min(a.children.length, b.children.length);
    for (let i = 0; i < n; i++) {
      if (a.children[i].end !== b.children[i].end) return a.children[i].end - b.children[i].end;
    }
    for (let i = 0; i < n; i++) {
      const r = compareNodes(a.children[i], b.children[i]);
      if (r) return r;
    }
    return (a.dynamic || 0) - (b.dynamic || 0);
  }

  function add(k, prod, dot, origin, children) {
    const s = setAt(k);
    const key = `${prod.nt}/${grammar.nonterminals.get(prod.nt).productions.indexOf(prod)}/${dot}/${origin}`;
    const item = { prod, dot, origin, children };
    if (dot === prod.elements.length) {
      item.node = buildNode(item, k);
      if (!item.node) return; // breaks precedence
    }
    if (s.keys.has(key)) {
      // the same item by another parse: keep the preferred one, in place,
      // so that the nodes already built on it see the change
      const old = s.keys.get(key);
      if (old.node && item.node && compareNodes(item.node, old.node) > 0) {
        Object.assign(old.node, item.node);
        old.children = item.children;
      } else if (!old.node && !item.node && compareNodes({ children: item.children }, { children: old.children }) > 0) {
        old.children = item.children;
      }
      return;
    }
    s.keys.set(key, item);
    s.items.push(item);
  }

  // Skip whitespace and comments; returns the position after them and the
  // comments passed.
  function skipExtras(k) {
    const passed = [];
    for (;;) {
      let advanced = false;
      for (const e of grammar.extras) {
        e.regex.lastIndex = k;
        const m = e.regex.exec(text);
        if (m && m[0].length > 0) {
          if (e.named) passed.push({ type: e.name, named: true, terminal: true, start: k, end: k + m[0].length, extra: true });
          k += m[0].length;
          advanced = true;
          break;
        }
      }
      if (!advanced) return { pos: k, passed };
    }
  }

  function lexAt(k, expected) {
    const skip = skipExtras(k);
    const skipped = skip.pos;
    const candidates = [];
    const word = grammar.word;
    for (const t of expected) {
      const start = t.immediate ? k : skipped;
      if (t.keyword) {
        if (!word) continue;
        word.regex.lastIndex = start;
        const m = word.regex.exec(text);
        if (m && m[0] === t.literal) candidates.push({ t, start, end: start + m[0].length });
        continue;
      }
      t.regex.lastIndex = start;
      const m = t.regex.exec(text);
      if (m && m[0].length > 0) {
        candidates.push({ t, start, end: start + m[0].length });
      }
    }
    if (candidates.length === 0) return [];
    candidates.sort((a, b) => (b.t.prec - a.t.prec)
      || (b.end - a.end)
      || ((b.t.literal !== undefined) - (a.t.literal !== undefined)));
    // A keyword wins over the word token wherever some parse can use it (the
    // runtime checks the parse state; this checks all live parses at once).
    const best = candidates[0];
    if (!best.t.immediate) for (const c of skip.passed) comments.set(c.start, c);
    return [best];
  }

  for (const prod of grammar.nonterminals.get(grammar.start).productions) add(0, prod, 0, 0, []);

  let furthest = 0;
  let furthestExpected = new Set();
  const positions = [0];
  const seen = new Set([0]);
  let accepted = null;
  while (positions.length) {
    positions.sort((a, b) => a - b);
    const k = positions.shift();
    const s = sets.get(k);
    const expected = new Map(); // terminal -> items
    for (let i = 0; i < s.items.length; i++) {
      const item = s.items[i];
      const { prod, dot } = item;
      if (dot === prod.elements.length) {
        const node = item.node;
        const nt = prod.nt;
        const origin = sets.get(item.origin);
        for (const waiter of origin.waiting.get(nt) || []) {
          add(k, waiter.prod, waiter.dot + 1, waiter.origin, [...waiter.children, node]);
        }
        if (item.origin === k) {
          if (!s.completedHere.has(nt)) s.completedHere.set(nt, []);
          s.completedHere.get(nt).push(node);
        }
        continue;
      }
      const next = prod.elements[dot].sym;
      if (next.terminal) {
        if (!expected.has(next)) expected.set(next, []);
        expected.get(next).push(item);
        continue;
      }
      if (!s.waiting.has(next.name)) s.waiting.set(next.name, []);
      s.waiting.get(next.name).push(item);
      for (const p of next.productions) add(k, p, 0, k, []);
      for (const node of s.completedHere.get(next.name) || []) {
        add(k, prod, dot + 1, item.origin, [...item.children, node]);
      }
    }
    // accept?
    for (const item of s.items) {
      if (item.prod.nt === grammar.start && item.origin === 0 && item.dot === item.prod.elements.length) {
        const rest = skipExtras(k);
        if (rest.pos === text.length) {
          accepted = item.node;
          for (const c of rest.passed) comments.set(c.start, c);
        }
      }
    }
    if (expected.size) {
      if (k >= furthest) {
        if (k > furthest) furthestExpected = new Set();
        furthest = k;
        for (const t of expected.keys()) furthestExpected.add(t);
      }
      for (const { t, start, end } of lexAt(k, expected.keys())) {
        const leaf = { type: t.name, named: t.named, terminal: true, start, end };
        for (const item of expected.get(t)) add(end, item.prod, item.dot + 1, item.origin, [...item.children, leaf]);
        if (!seen.has(end)) { seen.add(end); positions.push(end); }
      }
    }
  }
  if (accepted && accepted.end !== undefined) {
    accepted.start = 0;
    accepted.end = text.length;
    return { tree: accepted, comments: [...comments.values()] };
  }
  const at = skipExtras(furthest).pos;
  const [line, column] = lineCol(text, at);
  const names = [...furthestExpected].map((t) => (t.named ? t.name : JSON.stringify(t.literal ?? t.name))).sort();
  throw new ParseError(`syntax error at ${line}:${column} near ${JSON.stringify(text.slice(at, at + 20))}; expected one of ${names.join(' ')}`, at, line, column, names);
}

// ---------------------------------------------------------------- trees

// The visible children of a node, with their field names.
function visibleChildren(node) {
  const out = [];
  node.children.forEach((child, i) => {
    const el = node.elements[i];
    const field = el.field;
    if (child.terminal) {
      const named = el.alias ? el.alias.named : child.named;
      if (!named) return;
      out.push({ node: child, type: el.alias ? el.alias.value : child.type, field });
      return;
    }
    if (child.hidden && !el.alias) {
      for (const c of visibleChildren(child)) out.push({ ...c, field: c.field || field });
      return;
    }
    out.push({ node: child, type: el.alias ? el.alias.value : child.type, field, named: el.alias ? el.alias.named : true });
  });
  return out;
}

function toTree(result) {
  function build(node, type) {
    const kids = node.terminal ? [] : visibleChildren(node)
      .filter((c) => c.named !== false)
      .map((c) => ({ field: c.field, ...build(c.node, c.type) }));
    return { type, start: node.start, end: node.end, children: kids };
  }
  const root = build(result.tree, result.tree.type);
  // Comments go into the innermost node that contains them.
  for (const c of result.comments) {
    let parent = root;
    for (;;) {
      const inner = parent.children.find((k) => k.start <= c.start && c.end <= k.end && k.children.length >= 0 && k.start !== k.end);
      if (!inner || inner.type === c.type) break;
      if (!(inner.start < c.start || inner.end > c.end)) break;
      parent = inner;
    }
    parent.children.push({ type: c.type, start: c.start, end: c.end, children: [] });
    parent.children.sort((a, b) => a.start - b.start);
  }
  return root;
}

function sexp(tree) {
  const inner = tree.children.map((c) => `${c.field ? `${c.field}: ` : ''}${sexp(c)}`);
  return `(${[tree.type, ...inner].join(' ')})`;
}

function pretty(tree, indent = 0) {
  const pad = '  '.repeat(indent);
  const head = `${pad}${tree.field ? `${tree.field}: ` : ''}(${tree.type}`;
  if (!tree.children.length) return `${head})`;
  return `${head}\n${tree.children.map((c) => pretty(c, indent + 1)).join('\n')})`;
}

module.exports = { Grammar, parse, toTree, sexp, pretty, ParseError };
