// MLflow's run search grammar (mlflow/utils/search_utils.py SearchUtils.parse_search_filter,
// mlflow 3.x), parsed by one left-to-right pass with a cursor: no backtracking regexes, so the
// time is linear in the filter's length. MLflow lexes with sqlparse and then keeps only
// comparisons and AND keywords; the rules below are what that accepts, checked clause by clause
// against the real MLflow in test/integration/runs/searchGrammar.test.ts. Where MLflow accepts a
// filter by accident of its lexer (a missing, doubled, leading or trailing `and`; a key that
// starts with a digit; `'a' 'b'` in an IN list) we refuse it with a message instead.
import {
  MAX_FILTER_CLAUSES,
  MAX_FILTER_LENGTH,
  type FilterClause,
  type FilterError,
  type ParseResult,
  type RunAttribute,
} from './filterTypes';

const ENTITIES: Record<string, 'metric' | 'param' | 'tag' | 'attribute' | 'dataset'> = {
  metric: 'metric', metrics: 'metric',
  parameter: 'param', parameters: 'param', param: 'param', params: 'param',
  tag: 'tag', tags: 'tag',
  attribute: 'attribute', attributes: 'attribute', attr: 'attribute', run: 'attribute',
  dataset: 'dataset', datasets: 'dataset',
};

/** MLflow's searchable RunInfo attributes and its aliases for them (case-sensitive, as in MLflow). */
const ATTRIBUTES: Record<string, RunAttribute> = {
  run_id: 'run_id', run_name: 'run_name', user_id: 'user_id', status: 'status', artifact_uri: 'artifact_uri',
  start_time: 'start_time', end_time: 'end_time',
  created: 'start_time', Created: 'start_time',
  'run name': 'run_name', 'Run name': 'run_name', 'Run Name': 'run_name',
};

/** Unquoted key words that sqlparse lexes as keywords of their own, so MLflow refuses them unquoted. */
const RESERVED = new Set(['as', 'case', 'from', 'in', 'using', 'values']);

const NUMERIC_OPS = new Set(['=', '!=', '>', '>=', '<', '<=']);
const STRING_OPS = new Set(['=', '!=', 'LIKE', 'ILIKE']);

// sqlparse's number shapes: 1, 1.5, 1., .5, 1e-3, 1.5E3, each with an optional leading '-'.
const NUMBER = /-?(?:\d+(?:\.\d+)?[eE]-?\d+|\d+\.\d*|\.\d+|\d+)/y;
const WORD_CHAR = /[\p{L}\p{N}_]/u;

class Fault extends Error {
  constructor(readonly at: number, message: string) {
    super(message);
  }
}

interface Name {
  text: string;
  quoted: '`' | '"' | "'" | '';
  at: number;
}

class FilterParser {
  private pos = 0;

  constructor(private readonly src: string) {}

  parse(): FilterClause[] {
    const clauses: FilterClause[] = [];
    this.skipWs();
    if (this.atEnd()) return clauses;
    for (;;) {
      if (this.peekKeyword('and')) throw new Fault(this.pos, 'expected a clause such as metrics.acc > 0.9, found `and`');
      clauses.push(this.clause());
      if (clauses.length > MAX_FILTER_CLAUSES) throw new Fault(this.pos, `too many clauses: at most ${MAX_FILTER_CLAUSES}`);
      this.skipWs();
      if (this.atEnd()) return clauses;
      const at = this.pos;
      if (this.peekKeyword('or')) throw new Fault(at, "expected `and` or the end of the filter, found `or` (MLflow's search has no `or`)");
      if (!this.peekKeyword('and')) throw new Fault(at, `expected \`and\` or the end of the filter, found ${this.describeHere()}`);
      this.pos += 3;
      this.skipWs();
      if (this.atEnd()) throw new Fault(at, 'expected a clause after `and`');
    }
  }

  private clause(): FilterClause {
    const column = this.pos + 1;
    const { kind, key, shown } = this.identifier();
    this.skipWs();
    const opAt = this.pos;
    const op = this.comparator(shown);
    const refuse = (allowed: string) => new Fault(opAt, `${op} is not a comparator for ${shown}: expected one of ${allowed}`);
    if (kind === 'metric' || (kind === 'attribute' && (key === 'start_time' || key === 'end_time'))) {
      if (!NUMERIC_OPS.has(op)) throw refuse('= != > >= < <=');
      this.skipWs();
      const value = this.number(shown);
      const numOp = op as '=' | '!=' | '>' | '>=' | '<' | '<=';
      return kind === 'metric'
        ? { kind, key, op: numOp, value, column }
        : { kind: 'attribute', key: key as 'start_time' | 'end_time', op: numOp, value, column };
    }
    if (kind === 'param' || kind === 'tag') {
      if (op === 'IS NULL' || op === 'IS NOT NULL') return { kind, key, op, column };
      if (!STRING_OPS.has(op)) throw refuse('= != LIKE ILIKE IS NULL IS NOT NULL');
      this.skipWs();
      return { kind, key, op: op as '=' | '!=' | 'LIKE' | 'ILIKE', value: this.string(shown), column };
    }
    const attr = key as Exclude<RunAttribute, 'start_time' | 'end_time'>;
    if (op === 'IN' || op === 'NOT IN') {
      if (attr !== 'run_id') throw new Fault(opAt, `${op} works only on attributes.run_id, not on ${shown}`);
      this.skipWs();
      return { kind: 'attribute', key: 'run_id', op, value: this.list(), column };
    }
    if (!STRING_OPS.has(op)) throw refuse(attr === 'run_id' ? '= != LIKE ILIKE IN NOT IN' : '= != LIKE ILIKE');
    this.skipWs();
    return { kind: 'attribute', key: attr, op: op as '=' | '!=' | 'LIKE' | 'ILIKE', value: this.string(shown), column };
  }

  /** `entity.key`, or a bare attribute name; keys may be quoted with backticks or either quote. */
  private identifier(): { kind: 'metric' | 'param' | 'tag' | 'attribute'; key: string; shown: string } {
    const start = this.pos;
    const first = this.name(false);
    if (!first) throw new Fault(start, `expected a name such as metrics.acc, params.lr, tags."mlflow.user" or attributes.status, found ${this.describeHere()}`);
    let entity = 'attribute';
    let key: Name = first;
    if (this.src[this.pos] === '.') {
      if (first.quoted === '"' || first.quoted === "'") throw new Fault(start, `${this.src.slice(start, this.pos)} is not an entity type: quote it with backticks or not at all`);
      entity = first.text;
      this.pos++;
      const k = this.name(true);
      if (!k) throw new Fault(this.pos, `expected a key after ${this.src.slice(start, this.pos)}, found ${this.describeHere()}`);
      key = k;
    } else if (first.quoted === "'") {
      throw new Fault(start, `expected a name, found the string ${this.src.slice(start, this.pos)}`);
    } else if (first.quoted && first.text.includes('.')) {
      // MLflow splits a quoted bare name at its first dot, which leaves a quote on the entity type.
      throw new Fault(start, `${this.src.slice(start, this.pos)} is not a name MLflow accepts: quote the key only, as tags.\`mlflow.user\``);
    }
    const shown = this.src.slice(start, this.pos);
    const kind = ENTITIES[entity];
    if (!kind) throw new Fault(start, `unknown entity type '${entity}': expected metrics, params, tags or attributes`);
    if (kind === 'dataset') throw new Fault(start, `${shown}: dataset filters are not supported here (the run listing does not read dataset inputs)`);
    if (kind !== 'attribute') return { kind, key: key.text, shown };
    const attr = ATTRIBUTES[key.text];
    if (!attr) throw new Fault(key.at, `unknown attribute '${key.text}': expected one of run_id, run_name, user_id, status, artifact_uri, start_time, end_time, created`);
    return { kind, key: attr, shown };
  }

  /** One name segment; after a dot (`isKey`), unquoted words may continue with `.word`. */
  private name(isKey: boolean): Name | undefined {
    const at = this.pos;
    const c = this.src[at];
    if (c === '`' || c === '"' || (c === "'" && isKey)) {
      const text = this.quoted(c);
      // sqlparse would glue a dotted tail onto a quoted key (tags.`a b`.c): refuse instead.
      if (isKey && this.src[this.pos] === '.') {
        throw new Fault(this.pos, `expected a comparator after ${this.src.slice(at, this.pos)}, found ${this.describeHere()}`);
      }
      return { text, quoted: c, at };
    }
    if (c === "'") return { text: this.quoted(c), quoted: c, at };
    if (!this.isWordChar(at)) return undefined;
    const segments: string[] = [];
    for (;;) {
      const segAt = this.pos;
      while (this.isWordChar(this.pos)) this.pos++;
      const seg = this.src.slice(segAt, this.pos);
      if (isKey && /^\d/.test(seg)) throw new Fault(segAt, `a key that starts with a digit must be quoted, as \`${seg}\``);
      if (isKey && RESERVED.has(seg.toLowerCase())) throw new Fault(segAt, `'${seg}' is an SQL keyword to MLflow: quote it, as \`${seg}\``);
      segments.push(seg);
      if (!isKey || this.src[this.pos] !== '.' || !this.isWordChar(this.pos + 1)) break;
      this.pos++;
    }
    if (isKey && this.src[this.pos] === '.') throw new Fault(this.pos, `expected a comparator after ${this.src.slice(at, this.pos)}, found '.'`);
    if (!isKey && /^\d/.test(segments[0])) return undefined;
    return { text: segments.join('.'), quoted: '', at };
  }

  /** A quoted run; the quote doubled or after a backslash (not for backticks) does not end it. Text kept raw, as MLflow keeps it. */
  private quoted(q: string): string {
    const open = this.pos;
    let i = open + 1;
    for (;;) {
      if (i >= this.src.length) throw new Fault(open, `unterminated ${q === '`' ? 'backtick name' : 'string'} starting here`);
      const c = this.src[i];
      if (c === q) {
        if (this.src[i + 1] === q) {
          i += 2;
          continue;
        }
        break;
      }
      i += c === '\\' && q !== '`' && this.src[i + 1] === q ? 2 : 1;
    }
    this.pos = i + 1;
    return this.src.slice(open + 1, i);
  }

  private comparator(shown: string): string {
    const at = this.pos;
    let end = at;
    while ('<>=~!'.includes(this.src[end] ?? 'x')) end++;
    if (end > at) {
      const op = this.src.slice(at, end);
      if (!NUMERIC_OPS.has(op)) throw new Fault(at, `${op} is not a comparator: expected one of = != > >= < <= LIKE ILIKE IN NOT IN IS NULL IS NOT NULL`);
      this.pos = end;
      return op;
    }
    const word = this.word();
    if (word === 'LIKE' || word === 'ILIKE' || word === 'IN') return word;
    if (word === 'IS') {
      this.skipWs();
      const next = this.word();
      if (next === 'NULL') return 'IS NULL';
      // sqlparse reads NOT NULL as one keyword, which MLflow compares with "NOT NULL" exactly.
      if (next === 'NOT' && this.src[this.pos] === ' ' && this.src.slice(this.pos + 1, this.pos + 5).toUpperCase() === 'NULL' && !this.isWordChar(this.pos + 5)) {
        this.pos += 5;
        return 'IS NOT NULL';
      }
      throw new Fault(at, 'expected NULL or NOT NULL (one space between NOT and NULL) after IS');
    }
    if (word === 'NOT') {
      this.skipWs();
      if (this.word() === 'IN') return 'NOT IN';
      throw new Fault(at, 'expected IN after NOT (MLflow has no NOT LIKE)');
    }
    this.pos = at;
    throw new Fault(at, `expected a comparator after ${shown}, found ${this.describeHere()}`);
  }

  private number(shown: string): number {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.src);
    if (!m || this.isWordChar(NUMBER.lastIndex) || this.src[NUMBER.lastIndex] === '.') {
      throw new Fault(this.pos, `expected a number after ${shown} (MLflow compares it as a number), found ${this.describeHere()}`);
    }
    this.pos = NUMBER.lastIndex;
    return Number(m[0]);
  }

  private string(shown: string): string {
    const c = this.src[this.pos];
    if (c === "'" || c === '"') return this.quoted(c);
    throw new Fault(this.pos, `expected a quoted string ('...' or "...") after ${shown}, found ${this.describeHere()}`);
  }

  /** `('a', "b")`: MLflow reads the list with Python's literal_eval; plain quoted strings only. */
  private list(): string[] {
    if (this.src[this.pos] !== '(') throw new Fault(this.pos, `expected a list such as ('id1', 'id2'), found ${this.describeHere()}`);
    this.pos++;
    const items: string[] = [];
    for (;;) {
      this.skipWs();
      if (this.src[this.pos] === ')' && items.length > 0) break;
      const c = this.src[this.pos];
      if (c !== "'" && c !== '"') throw new Fault(this.pos, `expected a quoted string in the list, found ${this.describeHere()}`);
      const at = this.pos;
      const text = this.quoted(c);
      // literal_eval would unescape these; run ids never hold them.
      if (text.includes('\\') || text.includes(c)) throw new Fault(at, 'escaped quotes and backslashes are not supported in IN lists');
      items.push(text);
      this.skipWs();
      if (this.src[this.pos] === ',') {
        this.pos++;
        continue;
      }
      if (this.src[this.pos] === ')') break;
      throw new Fault(this.pos, `expected ',' or ')' in the list, found ${this.describeHere()}`);
    }
    this.pos++;
    return items;
  }

  /** An upper-cased word at the cursor (consumed), or '' when there is none. */
  private word(): string {
    const at = this.pos;
    while (this.isWordChar(this.pos)) this.pos++;
    return this.src.slice(at, this.pos).toUpperCase();
  }

  private peekKeyword(kw: string): boolean {
    return this.src.slice(this.pos, this.pos + kw.length).toLowerCase() === kw && !this.isWordChar(this.pos + kw.length);
  }

  private isWordChar(i: number): boolean {
    const c = this.src[i];
    return c !== undefined && WORD_CHAR.test(c);
  }

  private skipWs(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos])) this.pos++;
  }

  private atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  private describeHere(): string {
    if (this.atEnd()) return 'the end of the filter';
    const rest = this.src.slice(this.pos, this.pos + 12);
    return `'${rest.split(/\s/)[0] || rest[0]}'`;
  }
}

/**
 * Parses an MLflow run search filter. The empty (or all-blank) filter matches every run; MLflow
 * refuses an all-blank one, which a search box should not.
 */
export function parseRunFilter(text: string): ParseResult {
  if (text.length > MAX_FILTER_LENGTH) {
    return { ok: false, error: { column: MAX_FILTER_LENGTH + 1, message: `the filter is longer than ${MAX_FILTER_LENGTH} characters at column ${MAX_FILTER_LENGTH + 1}` } };
  }
  try {
    return { ok: true, filter: { clauses: new FilterParser(text).parse() } };
  } catch (e) {
    if (!(e instanceof Fault)) throw e;
    const error: FilterError = { column: e.at + 1, message: `${e.message} at column ${e.at + 1}` };
    return { ok: false, error };
  }
}
