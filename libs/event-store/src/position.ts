import { START, type Position } from './event-store.port.js';

/**
 * Both adapters order events by a pair of unsigned 64-bit numbers: PostgreSQL by
 * (transaction id, sequence), EventStoreDB by (commit, prepare). The pair is written `major/minor`.
 */
export interface PositionPair {
  readonly major: bigint;
  readonly minor: bigint;
}

export function formatPosition(pair: PositionPair): Position {
  return `${pair.major}/${pair.minor}`;
}

const POSITION_PATTERN = /^(\d{1,20})\/(\d{1,20})$/;

export function isPosition(value: string): boolean {
  return value === START || POSITION_PATTERN.test(value);
}

/** `START` parses to `null`: it lies before every pair. Throws on anything that is not a position. */
export function parsePosition(position: Position): PositionPair | null {
  if (position === START) return null;
  const match = POSITION_PATTERN.exec(position);
  if (!match) throw new RangeError(`Not a position: ${JSON.stringify(position)}`);
  return { major: BigInt(match[1]!), minor: BigInt(match[2]!) };
}

export function comparePositions(a: Position, b: Position): number {
  const pa = parsePosition(a);
  const pb = parsePosition(b);
  if (!pa || !pb) return (pa ? 1 : 0) - (pb ? 1 : 0);
  if (pa.major !== pb.major) return pa.major < pb.major ? -1 : 1;
  if (pa.minor !== pb.minor) return pa.minor < pb.minor ? -1 : 1;
  return 0;
}
