import { parse } from 'yaml';

export interface ParsedMarkdown {
  readonly title: string;
  readonly description: string | null;
  readonly frontmatter: Readonly<Record<string, unknown>>;
  readonly body: string;
}

const FRONTMATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

/**
 * MDX/Markdown with optional YAML frontmatter. Title: frontmatter `title`, else the file name
 * without extension (the original's rule). A frontmatter block that is not a YAML mapping is kept
 * as body text rather than failing the document.
 */
export function parseMarkdown(path: string, text: string): ParsedMarkdown {
  const match = FRONTMATTER.exec(text);
  let frontmatter: Record<string, unknown> = {};
  let body = text;
  if (match) {
    try {
      const parsed: unknown = parse(match[1]!);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        frontmatter = parsed as Record<string, unknown>;
        body = text.slice(match[0].length);
      }
    } catch {
      // not YAML: the whole text is the body
    }
  }
  const title = typeof frontmatter.title === 'string' && frontmatter.title.trim() !== '' ? frontmatter.title.trim() : baseName(path);
  const description = typeof frontmatter.description === 'string' ? frontmatter.description : null;
  return { title, description, frontmatter: jsonSafe(frontmatter), body };
}

function baseName(path: string): string {
  const file = path.slice(path.lastIndexOf('/') + 1);
  const dot = file.lastIndexOf('.');
  return dot > 0 ? file.slice(0, dot) : file;
}

/** YAML dates become ISO strings: events and read models hold JSON only. */
function jsonSafe(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
