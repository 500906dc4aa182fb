/**
 * Text normalisation for the prompt policy: the same words written with accents, full-width letters, leetspeak,
 * odd case or spaced-out letters must meet the same rule. Matching then works on whole words, so a blocked term
 * never fires inside an innocent longer word.
 */

// Digits and symbols people use to dodge word lists ("s3x", "n@ked").
const LEET: Readonly<Record<string, string>> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "@": "a",
  $: "s",
};

/** Lower case, compatibility forms folded (NFKC), accents removed, leetspeak mapped to letters. */
export function foldText(text: string): string {
  const folded = text
    .normalize("NFKC")
    .toLowerCase()
    .normalize("NFD")
    .replace(/\p{M}+/gu, "");
  let out = "";
  for (const ch of folded) out += LEET[ch] ?? ch;
  return out;
}

/**
 * The folded text as sequences of words: as written, and with runs of single letters joined ("n u d e",
 * "n.u.d.e" -> "nude") so spelling a word out letter by letter does not dodge a rule.
 */
export function wordSequences(text: string): string[][] {
  const words = foldText(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
  const joined: string[] = [];
  let run = "";
  for (const word of [...words, ""]) {
    if (word.length === 1) {
      run += word;
      continue;
    }
    if (run) joined.push(run);
    run = "";
    if (word) joined.push(word);
  }
  return joined.length === words.length ? [words] : [words, joined];
}

/** A term as a sequence of word patterns; `*` at a word's end matches any continuation ("gun*" -> "guns"). */
export interface TermPattern {
  readonly text: string;
  readonly words: readonly { stem: string; prefix: boolean }[];
}

export function compileTerm(term: string): TermPattern {
  const words = term
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map((w) => {
      const prefix = w.endsWith("*");
      const stem = wordSequences(prefix ? w.slice(0, -1) : w)[0]!.join("");
      return { stem, prefix };
    })
    .filter((w) => w.stem.length > 0);
  return { text: term, words };
}

function wordMatches(word: string, pattern: { stem: string; prefix: boolean }): boolean {
  return pattern.prefix ? word.startsWith(pattern.stem) : word === pattern.stem;
}

/** True when the term's words occur consecutively, each on a word boundary, in any of the sequences. */
export function matchesTerm(sequences: readonly (readonly string[])[], term: TermPattern): boolean {
  const n = term.words.length;
  if (n === 0) return false;
  return sequences.some((words) => {
    for (let i = 0; i + n <= words.length; i++) {
      let all = true;
      for (let j = 0; j < n && all; j++) all = wordMatches(words[i + j]!, term.words[j]!);
      if (all) return true;
    }
    return false;
  });
}
