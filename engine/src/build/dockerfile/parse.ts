/**
 * The Dockerfile's surface syntax, as moby's parser reads it: parser directives at the top (`# syntax`, `# escape`),
 * comments, line continuations with the escape character, JSON or shell forms, leading `--flags`, and heredocs
 * (`<<EOF`, `<<-EOF`, quoted delimiters) for RUN, COPY and ADD. What the instructions mean is `instructions.ts`'s job.
 */
import { InvalidArgument } from '../../base/errors.js';

export interface Heredoc {
  name: string;
  content: string;
  /** False when the delimiter was quoted: the content is taken literally. */
  expand: boolean;
}

export interface Node {
  /** Lower-case instruction name. */
  cmd: string;
  /** The logical line as written, continuations joined (for `Step N/M : …`). */
  original: string;
  /** `--name=value` / `--name` words before the arguments. */
  flags: string[];
  /** Arguments after the flags, continuations joined. */
  rest: string;
  /** Set when `rest` is a JSON array of strings (exec form). */
  json?: string[];
  heredocs: Heredoc[];
  startLine: number;
  endLine: number;
}

export interface ParsedDockerfile {
  directives: Record<string, string>;
  escape: string;
  nodes: Node[];
  warnings: string[];
}

export class DockerfileParseError extends InvalidArgument {}

export function parseError(line: number, msg: string): DockerfileParseError {
  return new DockerfileParseError(`dockerfile parse error on line ${line}: ${msg}`);
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const HEREDOC_CMDS = new Set(['run', 'copy', 'add']);
const HEREDOC = /<<(-?)\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Reads the directives block: only before the first instruction, blank line or ordinary comment. */
function readDirectives(lines: string[]): { directives: Record<string, string>; next: number } {
  const directives: Record<string, string> = {};
  let i = 0;
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]!);
    if (!m) break;
    const key = m[1]!.toLowerCase();
    if (!['syntax', 'escape', 'check'].includes(key)) break;
    if (key in directives) throw parseError(i + 1, `only one ${key} parser directive can be used`);
    directives[key] = m[2]!;
  }
  return { directives, next: i };
}

function splitFlags(rest: string): { flags: string[]; rest: string } {
  const flags: string[] = [];
  let s = rest;
  for (;;) {
    const m = /^--(\S*)(\s+|$)/.exec(s);
    if (!m) break;
    s = s.slice(m[0].length);
    if (m[1] === '') break;
    flags.push(`--${m[1]}`);
  }
  return { flags, rest: s };
}

function jsonForm(rest: string): string[] | undefined {
  const t = rest.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // shell form
  }
  return undefined;
}

/** Whether the line ends with the escape character (then followed only by blanks): the instruction continues. */
function continues(line: string, escape: string): { text: string; more: boolean } {
  const trimmed = line.replace(/[ \t\r]+$/, '');
  if (trimmed.endsWith(escape)) return { text: trimmed.slice(0, -1), more: true };
  return { text: line.replace(/\r$/, ''), more: false };
}

export function parseDockerfile(source: string): ParsedDockerfile {
  const text = source.replace(/^\uFEFF/, '');
  const lines = text.split('\n');
  const { directives, next } = readDirectives(lines);
  const escape = directives.escape ?? '\\';
  if (escape !== '\\' && escape !== '`') throw parseError(1, `invalid escape token '${escape}' does not match ` + '` or \\');
  const nodes: Node[] = [];
  const warnings: string[] = [];
  let i = next;
  while (i < lines.length) {
    const first = lines[i]!;
    const startLine = i + 1;
    i++;
    if (/^\s*$/.test(first) || /^\s*#/.test(first)) continue;
    let { text: logical, more } = continues(first.replace(/^\s+/, ''), escape);
    let emptyContinuation = false;
    while (more && i < lines.length) {
      const l = lines[i]!;
      i++;
      if (/^\s*#/.test(l)) continue;
      if (/^\s*$/.test(l)) {
        emptyContinuation = true;
        continue;
      }
      const c = continues(l, escape);
      logical += c.text;
      more = c.more;
    }
    const endLine = i;
    if (emptyContinuation) warnings.push(`[WARNING]: Empty continuation line found in:\n    ${logical}`);
    const m = /^(\S+)\s*([\s\S]*)$/.exec(logical);
    if (!m) continue;
    const cmd = m[1]!.toLowerCase();
    const { flags, rest } = splitFlags(m[2]!);
    const node: Node = { cmd, original: logical.trim(), flags, rest: rest.trim(), heredocs: [], startLine, endLine };
    const json = jsonForm(rest);
    if (json) node.json = json;
    if (HEREDOC_CMDS.has(cmd) && !json) {
      for (const h of rest.matchAll(HEREDOC)) {
        const name = h[2] ?? h[3] ?? h[4]!;
        const strip = h[1] === '-';
        const body: string[] = [];
        let closed = false;
        while (i < lines.length) {
          const raw = lines[i]!.replace(/\r$/, '');
          i++;
          const candidate = strip ? raw.replace(/^\t+/, '') : raw;
          if (candidate === name) {
            closed = true;
            break;
          }
          body.push(strip ? raw.replace(/^\t+/, '') : raw);
        }
        if (!closed) throw parseError(startLine, `unterminated heredoc ${name}`);
        node.heredocs.push({ name, content: body.length ? `${body.join('\n')}\n` : '', expand: h[4] !== undefined });
      }
      node.endLine = i;
    }
    nodes.push(node);
  }
  return { directives, escape, nodes, warnings };
}
