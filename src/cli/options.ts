// Flag parsers shared by commands: a bad value becomes commander's usage error (exit 2).
import { InvalidArgumentError } from 'commander';

export function parseInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return number;
}

export function parseNonNegativeInteger(value: string): number {
  const number = parseInteger(value);
  if (number < 0) throw new InvalidArgumentError(`expected a whole number >= 0, got "${value}"`);
  return number;
}

export function parsePositiveInteger(value: string): number {
  const number = parseInteger(value);
  if (number < 1) throw new InvalidArgumentError(`expected a whole number >= 1, got "${value}"`);
  return number;
}

export function parseRatio(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || number >= 1) {
    throw new InvalidArgumentError(`expected a number from 0 up to (not including) 1, got "${value}"`);
  }
  return number;
}

/** A similarity threshold: above 0, at most 1. */
export function parseSimilarity(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || number > 1) {
    throw new InvalidArgumentError(`expected a similarity above 0 and at most 1, got "${value}"`);
  }
  return number;
}

export const MAX_LINE_BYTES_FLAG = '--max-line-bytes <n>';
export const MAX_LINE_BYTES_HELP =
  'longest input line read, in bytes (default 16 MiB); a longer one is rejected as too_large, unread';
