/**
 * Prompt to token ids, as the package contract says: @huggingface/tokenizers with the package's unk token,
 * truncated to maxTokens, padded with padId; the mask is 1 for real tokens. An empty prompt (the unconditional
 * branch of guidance) is all padding with an all-zero mask.
 */
import { readFile } from "node:fs/promises";
import { Tokenizer } from "@huggingface/tokenizers";
import { TesseraError } from "../../shared/errors.js";
import type { Manifest } from "./manifest.js";

export interface TokenizedBatch {
  /** [B, T] row-major. */
  ids: BigInt64Array;
  mask: BigInt64Array;
  batch: number;
  tokens: number;
  /** Per prompt: how many tokens were cut at maxTokens (0 when it fit). */
  dropped: number[];
}

export class PromptTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    private readonly text: Manifest["text"],
  ) {}

  static async load(path: string, text: Manifest["text"]): Promise<PromptTokenizer> {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, "utf8"));
    } catch (error) {
      throw new TesseraError("E_MODEL_INVALID", `${path} is not a readable tokenizer.json (${(error as Error).message}).`);
    }
    try {
      return new PromptTokenizer(new Tokenizer(json as object, { unk_token: text.unkToken }), text);
    } catch (error) {
      throw new TesseraError("E_MODEL_INVALID", `${path} is not a tokenizer @huggingface/tokenizers can load (${(error as Error).message}).`);
    }
  }

  /** Token ids of one prompt, before truncation. */
  ids(prompt: string): number[] {
    if (prompt.trim() === "") return [];
    const ids = this.tokenizer.encode(prompt).ids;
    // a word the vocabulary lacks comes back as null when the unk token itself is missing from it
    return ids.map((id: number | null) => (id == null ? this.text.padId : Number(id)));
  }

  encode(prompts: readonly string[]): TokenizedBatch {
    const T = this.text.maxTokens;
    const ids = new BigInt64Array(prompts.length * T).fill(BigInt(this.text.padId));
    const mask = new BigInt64Array(prompts.length * T);
    const dropped = prompts.map((prompt, b) => {
      const tokens = this.ids(prompt);
      const kept = Math.min(tokens.length, T);
      for (let i = 0; i < kept; i++) {
        ids[b * T + i] = BigInt(tokens[i]!);
        mask[b * T + i] = 1n;
      }
      return tokens.length - kept;
    });
    return { ids, mask, batch: prompts.length, tokens: T, dropped };
  }
}
