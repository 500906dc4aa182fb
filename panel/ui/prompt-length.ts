// How much of a prompt the model reads. The panel has no tokenizer, so it counts words and punctuation, which is
// what a word-level tokenizer sees; the notice says "about" for that reason.
const PIECES = /[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu;

export function estimateTokens(text: string): number {
  return text.match(PIECES)?.length ?? 0;
}

/** The first word the model will not read, or null when the prompt fits. */
export function firstIgnoredWord(text: string, maxTokens: number): string | null {
  const pieces = text.match(PIECES) ?? [];
  if (pieces.length <= maxTokens) return null;
  return pieces.slice(maxTokens).find((p) => /[\p{L}\p{N}]/u.test(p)) ?? pieces[maxTokens] ?? null;
}
