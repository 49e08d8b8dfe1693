// YAML documents that remember where every node came from, so problems point at file:line:col.
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, type Pair, parseAllDocuments } from 'yaml';
import type { Problem, ProblemSeverity } from './problems.js';

export type Path = ReadonlyArray<string | number>;

export interface Located {
  line: number;
  col: number;
}

/** One YAML document of a file, its plain value, and a way back from a path to a position. */
export class YamlDocument {
  constructor(
    readonly file: string,
    readonly value: unknown,
    private readonly root: Node | null,
    private readonly lines: LineCounter,
    /** Offset where the document starts, for problems about the document as a whole. */
    private readonly startOffset: number,
  ) {}

  /**
   * Where the node at `path` is; with `key: true`, where its key is. A path that does not exist
   * resolves to its deepest existing ancestor.
   */
  position(path: Path, options: { key?: boolean } = {}): Located {
    let node: Node | null = this.root;
    let pair: Pair | null = null;
    for (const segment of path) {
      const next = childOf(node, segment);
      if (!next) break;
      node = next.node;
      pair = next.pair;
    }
    const keyNode = options.key && pair && isScalar(pair.key) ? pair.key : null;
    const offset = keyNode?.range?.[0] ?? node?.range?.[0] ?? this.startOffset;
    const { line, col } = this.lines.linePos(offset);
    return { line, col };
  }

  /** The same document and positions holding another value (references resolved into it, say). */
  withValue(value: unknown): YamlDocument {
    return new YamlDocument(this.file, value, this.root, this.lines, this.startOffset);
  }

  problem(path: Path, message: string, options: { key?: boolean; severity?: ProblemSeverity } = {}): Problem {
    const { line, col } = this.position(path, options);
    return { file: this.file, line, col, severity: options.severity ?? 'error', message };
  }
}

function childOf(node: Node | null, segment: string | number): { node: Node; pair: Pair | null } | null {
  if (isMap(node)) {
    for (const item of node.items) {
      if (isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment)) {
        return item.value ? { node: item.value as Node, pair: item } : null;
      }
    }
    return null;
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item ? { node: item as Node, pair: null } : null;
  }
  return null;
}

export interface ParsedFile {
  documents: YamlDocument[];
  problems: Problem[];
}

/** Parses every document in a file; syntax errors become problems instead of exceptions. */
export function parseYamlFile(file: string, text: string): ParsedFile {
  const lines = new LineCounter();
  const problems: Problem[] = [];
  const documents: YamlDocument[] = [];
  // Without resolveKnownTags, YAML 1.1 tags such as !!binary or !!set stay unresolved (reported below)
  // instead of becoming byte arrays and sets that no schema expects.
  const parsed = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, resolveKnownTags: false });
  if ('empty' in parsed) {
    for (const error of parsed.errors) {
      const { line, col } = lines.linePos(error.pos[0]);
      problems.push({ file, line, col, severity: 'error', message: `YAML: ${firstLine(error.message)}` });
    }
  }
  for (const doc of parsed) {
    const unsupportedTags = doc.warnings.filter((warning) => warning.code === 'TAG_RESOLVE_FAILED');
    if (doc.errors.length > 0 || unsupportedTags.length > 0) {
      for (const error of doc.errors) {
        const { line, col } = lines.linePos(error.pos[0]);
        problems.push({ file, line, col, severity: 'error', message: `YAML: ${firstLine(error.message)}` });
      }
      for (const warning of unsupportedTags) {
        const { line, col } = lines.linePos(warning.pos[0]);
        const tag = (/Unresolved tag: (\S+)/.exec(warning.message)?.[1] ?? 'this tag').replace(/^tag:yaml\.org,2002:/, '!!');
        problems.push({ file, line, col, severity: 'error', message: `YAML: unsupported tag ${tag}: write plain values (strings, numbers, maps, lists)` });
      }
      continue;
    }
    // An empty document (a trailing ---, or one holding only comments) says nothing.
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.source === '')) continue;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      const { line, col } = lines.linePos(doc.range[0]);
      problems.push({ file, line, col, severity: 'error', message: `YAML: ${(error as Error).message}` });
      continue;
    }
    documents.push(new YamlDocument(file, value, doc.contents as Node, lines, doc.range[0]));
  }
  return { documents, problems };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
