// What the helper writes into the harness page: the access token and its port (the page skips pairing).
import { z } from "zod";

export const BootSchema = z.object({ token: z.string().min(1), port: z.number().int().min(1).max(65535) });
export type Boot = z.infer<typeof BootSchema>;

export function readBoot(value: unknown): Boot | null {
  const parsed = BootSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
